import type Database from 'better-sqlite3';

/**
 * The SQL statements `fn` runs on this connection (every run, get, all and iterate of a
 * prepared statement, however it was prepared: by the store, by drizzle, by better-sqlite3's
 * own transactions), by their text, in order.
 */
export function statementsRun<T>(sqlite: Database.Database, fn: () => T): { result: T; statements: string[] } {
  const proto = Object.getPrototypeOf(sqlite.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  const statements: string[] = [];
  const saved = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = proto[name]!;
    saved.set(name, original);
    proto[name] = function (this: Database.Statement, ...args: unknown[]) {
      statements.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    return { result: fn(), statements };
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
}
