// The command registry (oclif's "explicit" strategy). Command modules hold only flags and printing;
// each imports its action lazily, so loading this registry stays cheap.
import Version from './commands/version.ts'

export const COMMANDS = {
  version: Version,
}
