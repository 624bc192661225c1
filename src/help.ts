// `kubectl kd --help`: oclif's help with the root command list grouped by what the commands act on
// (kubectl groups its commands the same way). Referenced from package.json oclif.helpClass; exported
// from the command registry so the bundle needs no extra entry point. Must stay cheap to load.
import type {Config} from '@oclif/core/config'
import {Command} from '@oclif/core/command'
import {CommandHelp, Help, type HelpFormatter} from '@oclif/core/help'
import {byText} from './order.ts'

/** Root help sections, in order; ids are oclif ids (`app:list`). Commands in no group go under OTHER. */
export const HELP_GROUPS: {title: string; ids: string[]}[] = [
  {title: 'APP CLUSTER COMMANDS', ids: ['create', 'apply', 'get', 'status', 'describe', 'edit', 'scale', 'delete']},
  {title: 'SPARK JOB COMMANDS', ids: ['submit', 'logs']},
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

export default class KdHelp extends Help {
  constructor(config: Config, opts: ConstructorParameters<typeof Help>[1]) {
    super(config, opts)
    renderTemplatesOnly(this)
  }

  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    const help = super.getCommandHelpClass(command)
    renderTemplatesOnly(help)
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
