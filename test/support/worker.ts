/**
 * A second process for reliability tests, on the same database file:
 *   tsx test/support/worker.ts DB rule DISPUTE_ID COUNT     → tries COUNT rulings as pat, each with its own rationale
 *   tsx test/support/worker.ts DB claims SEED COUNT          → files COUNT random claims
 * Prints a JSON summary of what happened.
 */
import { submitClaim } from '../../handlers/claim.js';
import { applyRuling } from '../../handlers/rule.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { createRuntime, systemClock } from '../../src/app/runtime.js';
import { isDomainError } from '../../src/core/errors.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

const [db, mode, arg, countText] = process.argv.slice(2);
const rt = createRuntime(loadConfig({ DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH }), createLogger('silent'), systemClock);
const count = Number(countText);
const tally: Record<string, number> = {};
const note = (k: string) => (tally[k] = (tally[k] ?? 0) + 1);
const who = (id: string, home = true) => rt.resolve({ platform: 'console', userId: id, displayName: id, orgId: home ? null : id.split('-')[0]!, home });

if (mode === 'rule') {
  const party = rt.store.disputes.get(Number(arg))!.parties[0]!;
  for (let i = 0; i < count; i++) {
    try {
      // Each attempt a ruling of its own (its own rationale): the same ruling sent again would be a repeat, not a second ruling.
      applyRuling(rt.deps, who('pat'), Number(arg), { kind: 'award', party, rationale: `Ruling attempt ${process.pid}-${i}.` });
      note('ruled');
    } catch (e) {
      note(isDomainError(e) ? e.code : 'crash');
    }
  }
} else {
  let seed = Number(arg);
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const accounts = rt.store.accounts.all().map((a) => a.id);
  const partners = ['northwind', 'contoso', 'fabrikam'];
  const products = ['Core Platform', 'Analytics', 'Services'];
  const stages = ['prospecting', 'qualified', 'proposal'];
  for (let i = 0; i < count; i++) {
    const partner = partners[rand(partners.length)]!;
    try {
      const r = submitClaim(rt.deps, who(`${partner}-w${arg}`, false), { account: accounts[rand(accounts.length)]!, route: 'resell', product: products[rand(3)]!, opportunity: `deal ${i}`, stage: stages[rand(3)]! }, { origin: null, requestKey: null });
      note(r.summary.includes('protected') ? 'protected' : r.summary.includes('pending') ? 'pending' : 'rejected');
    } catch (e) {
      note(isDomainError(e) ? e.code : `crash: ${(e as Error).message}`);
    }
  }
}
rt.close();
process.stdout.write(JSON.stringify(tally));
