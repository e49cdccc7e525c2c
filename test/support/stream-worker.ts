/**
 * A busy bot for crash tests: files claims, rules, logs activity and fires timers on a
 * fake clock that moves forward, forever, on one database file, until it is killed.
 * Prints "ready" once running. Usage: tsx test/support/stream-worker.ts DB SEED
 */
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { approve, submitAward } from '../../handlers/rule.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { createRuntime } from '../../src/app/runtime.js';
import { tick } from '../../src/app/scheduler.js';
import { FakeClock } from '../../src/core/clock.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

const [db, seedText] = process.argv.slice(2);
let seed = Number(seedText);
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const clock = new FakeClock('2026-12-07T14:00:00Z');
const rt = createRuntime(loadConfig({ DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH }), createLogger('silent'), clock);
const last = rt.db.sqlite.prepare('SELECT at FROM ledger ORDER BY seq DESC LIMIT 1').get() as { at: string } | undefined;
if (last) clock.set(new Date(Date.parse(last.at) + 3_600_000));
const who = (id: string, home: boolean) => rt.resolve({ platform: 'console', userId: id, displayName: id, orgId: home ? null : id.split('-')[0]!, home });
const accounts = rt.store.accounts.all().map((a) => a.id);
const partners = ['northwind', 'contoso', 'fabrikam'];
const products = ['Core Platform', 'Analytics', 'Services'];
const stages = ['prospecting', 'qualified', 'proposal', 'negotiation'];
process.stdout.write('ready\n');
for (;;) {
  const step = rand(10);
  try {
    if (step < 5) {
      const p = partners[rand(3)]!;
      submitClaim(rt.deps, who(`${p}-user`, false), { account: accounts[rand(accounts.length)]!, route: 'resell', product: products[rand(3)]!, opportunity: 'deal', stage: stages[rand(4)]! }, { origin: { platform: 'console', channel: 'general', thread: null }, requestKey: null });
    } else if (step < 7) {
      const open = rt.store.disputes.open();
      const d = open[rand(Math.max(open.length, 1))];
      if (d) {
        if (d.recommendation && rand(2) === 0) approve(rt.deps, who('vp', true), d.id);
        else submitAward(rt.deps, who('vp', true), { dispute: String(d.id), party: d.parties[rand(d.parties.length)]!, rationale: 'Decided by the VP after review.' });
      }
    } else if (step < 8) {
      const live = rt.store.claims.all().filter((c) => c.status === 'protected');
      const c = live[rand(Math.max(live.length, 1))];
      if (c) logClaimActivity(rt.deps, who(`${c.claimant}-user`, c.claimant === 'direct'), c.id);
    } else {
      clock.advance(rand(6) * 3_600_000);
      tick(rt.db, rt.deps, clock.now(), rt.logger);
    }
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'DomainError') throw e;
  }
}
