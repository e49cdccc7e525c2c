import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { announce } from '../../handlers/notify.js';
import { createSlackDeliverer } from '../../handlers/platforms/slack/deliver.js';
import { approve, submitAward } from '../../handlers/rule.js';
import { drainOutbox, nextAttemptDelay, type Deliverer } from '../../src/app/outbox-worker.js';
import { policyTextWith } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { slackCaseCards } from '../../src/app/slack.js';

let rt: TestRuntime;
afterEach(() => rt?.close());
const dir = mkdtempSync(join(tmpdir(), 'roe-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = () => ({ origin: { platform: 'console' as const, channel: 'general', thread: null }, requestKey: null });

it('a partner that raised a dispute by hand, holding no claim in it, is told the ruling with its rationale by DM', () => {
  // First registration only recommends here, so the case waits for the arbitrator.
  const policy = join(dir, 'manual.yaml');
  writeFileSync(policy, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
  rt = testRuntime({ policyPath: policy });
  submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, meta());
  submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', product: 'Analytics', reason: 'We met the CFO in October at the trade show' }, meta());
  const d = rt.store.disputes.all().at(-1)!;
  expect(d.status).toBe('open');
  expect(rt.store.claims.forAccount('soylent').filter((c) => c.claimant === 'contoso')).toHaveLength(0);
  submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso brought the customer to the last two QBRs.' });
  const toContoso = (rt.db.sqlite.prepare("select body from outbox where target like '%contoso-user%' order by id").all() as { body: string }[]).map((r) => r.body);
  expect(toContoso).toHaveLength(1);
  expect(toContoso[0]).toContain('Contoso Consulting owns it.');
  expect(toContoso[0]).toContain('{"type":"quote","label":"Rationale","text":"Contoso brought the customer to the last two QBRs."}');
});

it('how a case ended waits behind the case’s earlier thread posts: the announcement stays the thread’s first message', async () => {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
  const d = openArbitratedCase(rt);
  // As if raised in a Slack channel.
  rt.store.disputes.update(d.id, { origin: { platform: 'slack', channel: 'C1', thread: null } });
  rt.db.sqlite.exec("update outbox set platform = 'slack' where target like '%dispute-thread%'");
  const posts: { text: string; thread_ts?: string | undefined; ts: string }[] = [];
  let slackDown = true;
  const client = {
    chat: {
      postMessage: async (args: { thread_ts?: string; text: string }) => {
        if (slackDown) throw new Error('socket hang up');
        const ts = `1700000000.00000${posts.length + 1}`;
        posts.push({ text: args.text, thread_ts: args.thread_ts, ts });
        return { ok: true, ts };
      },
    },
    conversations: { open: async () => ({ channel: { id: 'D1' } }) },
  } as never;
  const slack = createSlackDeliverer({ client, disputes: rt.store.disputes, caseCards: slackCaseCards(rt), log: rt.logger });
  const onlyThreads: Deliverer = async (m) => (m.target.kind === 'dispute-thread' ? slack(m as never) : undefined);
  const drain = () => drainOutbox(rt.db.db, { slack: onlyThreads, console: async () => undefined }, () => rt.clock.now(), rt.logger);
  await drain(); // Slack is down: the announcement waits for its retry
  approve(rt.deps, as.person(rt, 'pat'), `${d.id}:${d.recommendation}`);
  slackDown = false;
  await drain();
  rt.clock.advance(nextAttemptDelay(0) + 1);
  await drain();
  await drain();
  expect(posts[0]!.text).toMatch(/^Dispute #\d+ on /);
  expect(posts[0]!.thread_ts).toBeUndefined();
  const ruled = posts.find((p) => p.text.includes('ruled'))!;
  expect(ruled.thread_ts).toBe(posts[0]!.ts);
});

it('a claim that needs approval reaches the arbitrator as one to approve, not as a case the criteria did not settle', () => {
  const policy = join(dir, 'approval.yaml');
  writeFileSync(policy, policyTextWith([['{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }', '{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
  rt = testRuntime({ policyPath: policy });
  submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, meta());
  const rows = (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[]).map((r) => ({ target: r.target, body: JSON.parse(r.body) as { summary: string } }));
  const toPat = rows.find((r) => r.target.includes('"user":"pat"'))!;
  expect(JSON.stringify(toPat.body)).toContain('A claim for you to approve or reject by');
  expect(JSON.stringify(toPat.body)).not.toContain('criteria did not settle');
  const thread = rows.filter((r) => r.target.includes('dispute-thread')).map((r) => JSON.stringify(r.body)).join('\n');
  // The thread, which other partners may read, is not told the claim needs approval (that may tell them its party is flagged): only who rules, and by when.
  expect(thread).toMatch(/"text":"Pat Okafor will rule by [^"]+\."/);
  expect(thread).not.toContain('needs an arbitrator’s approval');
});

it("a case's cards, one for each person told, read each of its claims and its account once", () => {
  rt = testRuntime();
  const d = openArbitratedCase(rt);
  submitClaim(rt.deps, as.partner(rt, 'fabrikam'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, meta());
  submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso brought the customer to the last two QBRs.' });
  const ruled = rt.store.disputes.get(d.id)!;
  expect(ruled.claimIds.length).toBe(3);
  const { claims, accounts } = rt.deps.ctx.store;
  const read = { claims: [] as number[], accounts: [] as string[] };
  const [claimOf, accountOf] = [claims.get, accounts.get];
  claims.get = (id) => (read.claims.push(id), claimOf(id));
  accounts.get = (id) => (read.accounts.push(id), accountOf(id));
  try {
    rt.store.transaction(() => announce(rt.deps, [{ type: 'dispute.ruled', dispute: ruled }], meta().origin));
  } finally {
    [claims.get, accounts.get] = [claimOf, accountOf];
  }
  // The thread's card and a card for each of the three parties: each claim read once, the account once.
  expect(read.claims.sort()).toEqual([...ruled.claimIds].sort());
  expect(read.accounts).toEqual(['soylent']);
});
