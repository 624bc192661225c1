// Test helpers for the one error users see: a UserError (src/errors.ts), thrown or rejected, with its message.
import * as assert from 'uvu/assert'
import {UserError, isUserError} from '../../src/errors.ts'

/** `p` rejects with a UserError matching `pattern`; returns it. */
export async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, not ${(err as Error).stack}`)
    assert.match((err as Error).message, pattern)
    return err as Error
  }
  assert.unreachable(`expected an error matching ${pattern}`)
  throw new Error('unreachable')
}

/** `fn` throws a UserError matching `pattern`. */
export function throwsUser(fn: () => unknown, pattern: RegExp): void {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, not ${(err as Error).stack}`)
    assert.match((err as Error).message, pattern)
    return
  }
  assert.unreachable(`expected an error matching ${pattern}`)
}

/** `fn` throws a UserError of one line with exactly (string) or matching (RegExp) this message. */

export function throwsUserError(fn: () => unknown, expected: string | RegExp): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  if (thrown === undefined) assert.unreachable(`expected a UserError matching ${String(expected)}, nothing was thrown`)
  if (!isUserError(thrown)) throw thrown
  const message = (thrown as Error).message
  if (typeof expected === 'string') assert.is(message, expected)
  else assert.match(message, expected)
  assert.not.match(message, /\n/, 'a UserError message is one line')
}
