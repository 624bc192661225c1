// A count and its noun, singular or plural (`1 member`, `2 members`), for every message that says how many.
export const count = (n: number, noun: string, plural = `${noun}s`) => `${n} ${n === 1 ? noun : plural}`
