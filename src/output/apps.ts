// How apps look on a terminal: the `app list` table and the `app show` view. Pure: data in, text out.
// An app added to a namespace is anyone's ConfigMap: every field is escaped for the terminal
// (renderTable escapes cells, line() the one-line fields).
import type {App, AppListing} from '../app/model.ts'
import {renderTable, type Table} from './table.ts'
import {escapeTerminal as line} from './terminal.ts'

export function appsTable(listing: AppListing, opts: {wide?: boolean} = {}): Table {
  const headers = ['NAME', 'DISTRO', 'VERSION', 'ROLES', 'SOURCE', ...(opts.wide ? ['DESCRIPTION'] : [])]
  const rows = listing.apps.map((a) => [
    a.id,
    a.distroID,
    a.version,
    a.roles.map((r) => `${r.id}(${r.cardinality})`).join(','),
    a.source === 'namespace' ? `namespace/${listing.namespace}` : a.source,
    ...(opts.wide ? [a.label.description] : []),
  ])
  return {headers, rows}
}

export function appShowText(app: App): string {
  const out = [
    `Name:         ${line(app.id)}`,
    `Label:        ${line(app.label.name)}`,
    `Description:  ${line(app.label.description)}`,
    `Distro:       ${line(app.distroID)}`,
    `Version:      ${line(app.version)}`,
    `Source:       ${line(app.source)}`,
    `Config meta:  ${line(Object.entries(app.defaultConfig.configMeta).map(([k, v]) => `${k}=${v}`).join(', ') || '<none>')}`,
    '',
    'Roles:',
    renderTable({
      headers: ['ROLE', 'CARDINALITY', 'SELECTED', 'IMAGE', 'PACKAGE', 'SERVICES'],
      rows: app.roles.map((r) => [
        r.id,
        r.cardinality,
        app.defaultConfig.selectedRoles.includes(r.id) ? 'yes' : 'no',
        r.imageRepoTag,
        r.configPackage?.packageURL ?? '<none>',
        r.serviceIds.join(',') || '<none>',
      ]),
    }).replace(/^(?=.)/gm, '  '),
    'Services:',
    renderTable({
      headers: ['ID', 'NAME', 'PORT', 'SCHEME', 'DASHBOARD'],
      rows: app.services.map((s) => [s.id, s.label.name, s.endpoint ? String(s.endpoint.port) : '-', s.endpoint?.urlScheme ?? '-', s.endpoint?.isDashboard ? 'yes' : 'no']),
    }).replace(/^(?=.)/gm, '  '),
  ]
  return out.join('\n')
}
