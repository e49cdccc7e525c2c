/** Counts in words, as every message says them: one or many. */

/** A count as every message writes it: with thousands separators, `1,200`. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** `n thing(s)`: `1 day`, `90 days`, `1,200 claims`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

/** The last `days` days, as a label or a sentence says them: `last day`, `last 180 days`. */
export const lastDays = (days: number): string => (days === 1 ? 'last day' : `last ${plural(days, 'day')}`);
