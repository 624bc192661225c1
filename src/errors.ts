// Errors a user can fix. The CLI prints their message as one `error: …` line and exits 1;
// anything that is not a UserError is a bug and is printed with a hint to re-run with -v.
export class UserError extends Error {
  override name = 'UserError'
  constructor(message: string, readonly exitCode = 1) {
    super(message)
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof Error && err.name === 'UserError'
}

/** -v / KUBECTL_KD_DEBUG: log API calls and print stack traces. */
export const debugEnabled = () => !!process.env.KUBECTL_KD_DEBUG

/** kubectl's -v=N (KUBECTL_KD_V): from 6 on, each API request is logged; no stack traces (those are -v's). */
export const verbosity = () => Number(process.env.KUBECTL_KD_V) || 0
