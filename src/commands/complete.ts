// Hidden `__complete`: Cobra's completion protocol, called by bin/kubectl_complete-kd (kubectl ≥ 1.26 runs
// it for `kubectl kd <TAB>`) and by the scripts of `kubectl kd completion`. Prints candidates, then
// `:<directive>`. Never fails: a broken lookup completes nothing.
import {Command} from '@oclif/core/command'
import {complete, formatCompletion, type CommandSpec} from '../completion/candidates.ts'

export default class Complete extends Command {
  static hidden = true
  static strict = false
  static summary = "Shell completion in Cobra's protocol (used by kubectl_complete-kd and the completion scripts)"
  static examples = ['<%= config.bin %> __complete -- get clusters ""']

  async run(): Promise<void> {
    // everything after `__complete` are the words typed; a leading `--` keeps oclif from reading -h in them
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv
    const commands: CommandSpec[] = this.config.commands.map((c) => ({
      id: c.id,
      summary: c.summary ?? c.description?.split('\n', 1)[0],
      hidden: c.hidden,
      flags: Object.values(c.flags ?? {}).map((f) => ({
        name: f.name,
        char: f.char,
        type: f.type,
        options: f.type === 'option' ? f.options : undefined,
        description: f.summary ?? f.description,
        hidden: f.hidden,
      })),
    }))
    const {completionNames} = await import('../actions/completion-names.ts')
    const result = await complete(commands, words, completionNames).catch(() => ({candidates: [], directive: 1}))
    process.stdout.write(formatCompletion(result))
  }
}
