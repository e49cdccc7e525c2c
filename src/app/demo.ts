import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DomainContext } from '../core/context.js';
import { ImportError, importCsv } from '../core/import/import.service.js';
import { PROJECT_ROOT } from './config.js';

const EXAMPLES = resolve(PROJECT_ROOT, 'examples');

/**
 * Loads the shipped example partners, accounts and claims into a database nothing was imported
 * into yet (no partners, no accounts), so a newcomer can type /who-owns acme at once. A
 * database a user has started importing into is left alone. Claim dates are moved so that the
 * newest activity in the file was two days ago: the demo claims are live whenever it runs.
 * All of it or nothing: the examples fit the shipped policy, and with a policy of one's own
 * whose product lines or stages they do not fit, nothing is loaded (`skipped` says why).
 */
export function seedDemo(ctx: DomainContext): { loaded: boolean; skipped?: string } {
  if (ctx.store.accounts.count() > 0 || ctx.store.partners.all().length > 0) return { loaded: false };
  const read = (f: string) => readFileSync(resolve(EXAMPLES, f), 'utf8');
  try {
    ctx.store.transaction(() => {
      importCsv(ctx, 'partners', 'partners.csv', read('partners.csv'));
      importCsv(ctx, 'accounts', 'accounts.csv', read('accounts.csv'));
      importCsv(ctx, 'claims', 'claims.csv', shiftDates(read('claims.csv'), ctx.clock.now()));
    });
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    return { loaded: false, skipped: `The demo data (examples/*.csv) does not fit the policy in force, so none of it was loaded (${e.file}, line ${e.errors[0]?.line}: ${e.errors[0]?.message}). Import your own partners, accounts and claims: npx roe import partners FILE, then accounts, then claims (headers as in examples/).` };
  }
  return { loaded: true };
}

function shiftDates(csv: string, now: Date): string {
  const stamps = [...csv.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g)].map((m) => Date.parse(m[0]));
  const offset = now.getTime() - 2 * 86_400_000 - Math.max(...stamps);
  return csv.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, (s) => new Date(Date.parse(s) + offset).toISOString().replace(/\.\d{3}Z$/, 'Z'));
}
