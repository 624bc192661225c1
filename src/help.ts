// `kubectl kd --help`: oclif's help with the root command list grouped by what the commands act on
// (kubectl groups its commands the same way). Referenced from package.json oclif.helpClass; exported
// from the command registry so the bundle needs no extra entry point. Must stay cheap to load.
import type {Config} from '@oclif/core/config'
import {Command} from '@oclif/core/command'
import {CommandHelp, Help, type HelpFormatter} from '@oclif/core/help'
import {byText} from './order.ts'

/** Root help sections, in order; ids are oclif ids (`app:list`). Commands in no group go under OTHER. */
export const HELP_GROUPS: {title: string; ids: string[]}[] = [
  {title: 'APP CLUSTER COMMANDS', ids: ['create', 'apply', 'get', 'status', 'describe', 'edit', 'open', 'scale', 'delete']},
  {title: 'SPARK JOB COMMANDS', ids: ['submit', 'logs', 'run', 'suspend', 'resume']},
  {title: 'CATALOG COMMANDS', ids: ['app:list', 'app:show', 'app:add', 'app:remove']},
  {title: 'OTHER COMMANDS', ids: ['version', 'completion']},
]

/**
 * oclif renders every help string as an EJS template, and EJS compiles a new function for each call
 * (the root help makes ~50 of them, a noticeable part of `--help`); a string without a tag renders as itself.
 */
function renderTemplatesOnly(formatter: HelpFormatter): void {
  const render = formatter.render
  formatter.render = (text) => (text.includes('<%') ? render(text) : text)
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length

/**
 * Wraps at spaces only: a word longer than the line (spark.kubernetes.authenticate.driver.serviceAccountName)
 * runs past the edge instead of being cut in two, as oclif's hard wrap does (`spark.kuber` / `netes`).
 */
export function softWrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const lead = /^ */.exec(line)![0]
      const lines: string[] = []
      let cur = lead
      for (const word of line.slice(lead.length).split(/ +/)) {
        if (cur.trim() && visibleLength(cur) + 1 + visibleLength(word) > width) {
          lines.push(cur)
          cur = word
        } else cur = cur.trim() ? `${cur} ${word}` : `${cur}${word}`
      }
      lines.push(cur)
      return lines.join('\n')
    })
    .join('\n')
}

/** Help text laid out as kubectl's: words never cut across lines, every row of a flag list aligned. */
function kubectlLayout(formatter: HelpFormatter): void {
  const maxWidth = () => (formatter as unknown as {opts: {maxWidth: number}}).opts.maxWidth
  formatter.wrap = (body, spacing = formatter.indentSpacing) => softWrap(formatter.render(body), maxWidth() - spacing)
  // oclif trims the rendered list, so a first row that starts with spaces (a flag without a short form,
  // as --kubeconfig first in GLOBAL FLAGS) lost its indentation and stood out of line
  const renderList = formatter.renderList.bind(formatter)
  formatter.renderList = (input, opts) => {
    const out = renderList(input, opts)
    const lead = /^ */.exec(input.find(([left, right]) => left || right)?.[0] ?? '')![0]
    // oclif's other form (a blank line between rows) trims every row's left column: nothing to restore there
    const kept = !out.includes('\n\n')
    return lead && kept && !out.startsWith(lead) ? lead + out : out
  }
}

export default class KdHelp extends Help {
  constructor(config: Config, opts: ConstructorParameters<typeof Help>[1]) {
    super(config, opts)
    renderTemplatesOnly(this)
    kubectlLayout(this)
  }

  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    const help = super.getCommandHelpClass(command)
    renderTemplatesOnly(help)
    kubectlLayout(help)
    return help
  }

  /** The grouped command list (without the usage header), exported for tests. */
  groupedCommands(): string {
    const visible = this.config.commands.filter((c) => this.opts.all || !c.hidden)
    const byId = new Map(visible.map((c) => [c.id, c]))
    const grouped = new Set(HELP_GROUPS.flatMap((g) => g.ids))
    const groups = HELP_GROUPS.map((g) => ({title: g.title, commands: g.ids.map((id) => byId.get(id)).filter((c): c is Command.Loadable => !!c)}))
    const rest = visible.filter((c) => !grouped.has(c.id)).sort((a, b) => byText(a.id, b.id))
    if (rest.length) groups.find((g) => g.title === 'OTHER COMMANDS')!.commands.push(...rest)
    return groups
      .filter((g) => g.commands.length)
      .map((g) => {
        const rows = g.commands.map((c) => [c.id.replaceAll(':', this.config.topicSeparator), this.summary(c) ?? ''] as [string, string])
        return this.section(g.title, this.renderList(rows, {indentation: 2, spacer: '\n', stripAnsi: this.opts.stripAnsi}))
      })
      .join('\n\n')
  }

  async showRootHelp(): Promise<void> {
    this.log(this.formatRoot())
    this.log('')
    this.log(this.groupedCommands())
    this.log('')
    this.log(`Use "${this.config.bin} <command> --help" for more information about a command.`)
  }
}
