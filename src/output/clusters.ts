// Tables and detail views of app clusters (get, status). Pure: data in, text out; the text escaped for
// the terminal (terminal.ts), since every field of it comes from the cluster.
import type {ClusterStatus, ClusterSummary} from '../cluster/cluster-status.ts'
import {age} from './age.ts'
import {renderTable, withNamespaceColumn, type Table} from './table.ts'
import {escapeTerminal as line, escapeTerminalLines} from './terminal.ts'

export function clustersTable(items: ClusterSummary[], opts: {wide?: boolean; allNamespaces?: boolean}, now = Date.now()): Table {
  const headers = ['NAME', 'APP', 'STATE', 'MEMBERS', ...(opts.wide ? ['ROLES', 'SERVICE-TYPE'] : []), 'AGE']
  const rows = items.map((c) => [
    c.name,
    c.app,
    c.state,
    `${c.ready}/${c.total}`,
    ...(opts.wide ? [c.roles.map((r) => `${r.id}=${r.members}`).join(',') || '<none>', c.serviceType] : []),
    age(c.created, now),
  ])
  const table = {headers, rows}
  return opts.allNamespaces ? withNamespaceColumn(table, items.map((c) => c.namespace)) : table
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ')

export function clusterStatusText(s: ClusterStatus, now = Date.now()): string {
  const rollup = s.rollup ? Object.entries(s.rollup).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(' ') : ''
  const lines = [
    `Cluster:     ${line(s.name)}`,
    `Namespace:   ${line(s.namespace)}`,
    `App:         ${line(s.app)}`,
    `State:       ${line(s.state)}`,
    `Members:     ${s.ready}/${s.total} ready${rollup ? ` (${line(rollup)})` : ''}`,
    `Agent:       ${line(s.agent.message)}`,
    `Age:         ${age(s.created, now)}`,
    '',
    'Members:',
    indent(
      renderTable({
        headers: ['ROLE', 'POD', 'STATE', 'NODE', 'READY', 'RESTARTS', 'AGE', 'LAST-ERROR'],
        rows: s.members.map((m) => [m.role, m.pod, m.state, m.node, m.ready ? 'true' : 'false', String(m.restarts), age(m.created, now), [m.problem?.text, m.lastError].filter(Boolean).join('; ')]),
      }),
    ),
  ]
  for (const m of s.members.filter((x) => x.lastOutput)) {
    lines.push(`Last output of ${line(m.pod)}:`, indent(escapeTerminalLines(m.lastOutput!.trimEnd())), '')
  }
  lines.push(
    'Endpoints:',
    s.endpoints.length
      ? indent(
          renderTable({
            headers: ['MEMBER', 'SERVICE', 'PORT', 'URL', 'DASHBOARD'],
            rows: s.endpoints.map((e) => [e.member, e.name, e.nodePort ? `${e.port}:${e.nodePort}` : String(e.port), e.url, e.dashboard ? (e.authToken ? 'yes (token)' : 'yes') : '']),
          }),
        )
      : '  <none>\n',
  )
  const tokened = s.endpoints.find((e) => e.authToken)
  if (s.token && tokened) {
    lines.push(
      'Token:',
      line(`  kubectl get secret ${s.token.secret} -n ${s.namespace} -o jsonpath='{.data.${s.token.key}}' | base64 -d`),
      line(`  or open it with the token: kubectl kd open ${s.name} ${tokened.name} -n ${s.namespace}`),
      '',
    )
  }
  if (s.events?.length) {
    lines.push('Events:', indent(renderTable({headers: ['TYPE', 'REASON', 'AGE', 'MESSAGE'], rows: s.events.map((e) => [e.type, e.reason, age(e.time, now), e.message])})))
  }
  // tables are escaped by renderTable; this catches any field added above without line()
  return escapeTerminalLines(lines.join('\n'))
}
