// `kubectl kd describe`: kubectl's name for status's view. Same arguments, flags and output as status.
import * as Args from '@oclif/core/args'
import Status from './status.ts'

export default class Describe extends Status {
  static summary = "Show the details of an app cluster or a Spark job (kubectl's name for status)"
  static description = 'The same view as kubectl kd status: state, every member with its last error, endpoints and recent events.'
  static examples = [
    {description: 'A cluster, kubectl describe\'s way', command: '<%= config.bin %> describe cluster demo'},
    {description: 'The TYPE/NAME form', command: '<%= config.bin %> describe cluster/demo'},
    {description: 'A Spark job', command: '<%= config.bin %> describe job/spark-pi'},
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: NAME, cluster/NAME or job/NAME; several: cluster/a cluster/b …, or TYPE NAME …'}),
  }
}
