// `kubectl kd completion bash|zsh|fish`: prints the script; the candidates come from `__complete`.
import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import {SHELLS, completionScript, type Shell} from '../completion/scripts.ts'

export default class Completion extends Command {
  static summary = 'Print a shell completion script (bash, zsh or fish)'
  static description = `The script completes the standalone kubectl-kd command: commands, flags, flag values, app names, and cluster and job names from the current namespace (when a cluster answers within a second).

For \`kubectl kd <TAB>\` (kubectl 1.26 or newer) nothing needs loading: kubectl's own completion runs the kubectl_complete-kd executable shipped next to kubectl-kd; put it on your PATH (see docs/install.md).`
  static examples = [
    {description: 'bash, for the current shell', command: 'source <(<%= config.bin %> completion bash)'},
    {description: 'zsh, for every new shell', command: '<%= config.bin %> completion zsh > "${fpath[1]}/_kubectl-kd"'},
    {description: 'fish', command: '<%= config.bin %> completion fish > ~/.config/fish/completions/kubectl-kd.fish'},
  ]
  static args = {shell: Args.string({required: true, options: [...SHELLS], description: 'Shell to print the script for'})}

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    process.stdout.write(completionScript(args.shell as Shell))
  }
}
