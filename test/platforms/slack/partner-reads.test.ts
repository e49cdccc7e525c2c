import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { roe } from '../../../handlers/roe.js';
import { submitAward } from '../../../handlers/rule.js';
import { tick } from '../../../src/app/scheduler.js';
import type { ApiCall } from '../../support/fake-slack.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

/**
 * What a partner's manager (Contoso, in a Slack Connect channel) reads of their own claims and
 * cases: each DM says first what happened, and a deadline they can act on says when it falls.
 */
let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const CO = USERS.contoso;
const DM = `D${CO.id}`;
const pat = () => h.rt.resolve({ platform: 'slack', userId: USERS.pat.id, displayName: 'pat', orgId: 'T0HOME', home: true });

async function fileClaim(user: SlackUser, values: Record<string, string>): Promise<void> {
  const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
  expect((await h.submit(user, view, values)).status).toBe(200);
  await h.drain();
}
const dmsToContoso = (from = 0) => h.fake.callsTo('chat.postMessage').slice(from).filter((c) => c.args.channel === DM);
/** The first line of a message under its title: what the reader takes in before the card. */
const firstLine = (call: ApiCall) => visible((call.args.blocks as { type: string }[]).find((b) => b.type !== 'header'));
async function days(n: number) {
  for (let i = 0; i < n; i++) {
    h.rt.clock.advance(86_400_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
  }
}

describe('Slack: what a partner reads of their claims and cases', () => {
  it('a dormancy warning says at what time, in the policy’s zone, the claim goes dormant: logging activity later that day is too late', async () => {
    // Monday Nov 30, 10:00 in New York.
    await fileClaim(CO, { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Wayne BI', stage: 'qualified' });
    const before = h.fake.callsTo('chat.postMessage').length;
    await days(23);
    const [warning] = dmsToContoso(before);
    expect(visible(warning!.args)).toContain('Claim #4 on Wayne Enterprises (Analytics) goes dormant on Dec 30, 2026, 10:00 AM EST unless you log activity before then.');
    expect(String(warning!.args.text)).toBe('Claim #4 on Wayne Enterprises goes dormant on Dec 30, 2026, 10:00 AM EST');
  });

  it('a claim going dormant at midnight is said to go dormant at the end of the day before', async () => {
    h.rt.clock.set('2026-11-30T05:00:00Z'); // midnight in New York
    await fileClaim(CO, { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Wayne BI', stage: 'qualified' });
    const before = h.fake.callsTo('chat.postMessage').length;
    await days(23);
    expect(visible(dmsToContoso(before)[0]!.args)).toContain('goes dormant at the end of Dec 29, 2026 EST unless you log activity before then.');
  });

  it('logging activity from the warning says until when the claim now holds, as /roe mine does', async () => {
    await fileClaim(CO, { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Wayne BI', stage: 'qualified' });
    const before = h.fake.callsTo('chat.postMessage').length;
    await days(23);
    const [warning] = dmsToContoso(before);
    const button = (warning!.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap((b) => b.elements ?? [])[0]!;
    const { responseUrl } = await h.click(CO, button.action_id, button.value, { channel: DM, messageTs: String(warning!.result.ts) });
    expect(visible(await h.answer(responseUrl))).toContain('Activity logged on claim #4 (Dec 23, 2026). It stays protected until Feb 28, 2027 (goes dormant on Jan 22, 2027 unless activity is logged).');
  });

  it('a ruling against the partner says first who owns the account now, before the card that recommended them', async () => {
    await fileClaim(USERS.northwind, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
    await fileClaim(CO, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent deal', stage: 'proposal' });
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.recommendation).toBe('contoso');
    const before = h.fake.callsTo('chat.postMessage').length;
    submitAward(h.rt.deps, pat(), { dispute: String(d.id), party: 'party:northwind', rationale: 'The other party met the customer first.' });
    await h.drain();
    const [ruled] = dmsToContoso(before);
    // What the ruling means for their next claim there too: the rule a claim filed then would meet.
    expect(firstLine(ruled!)).toBe(`Dispute #${d.id} over Soylent Corp (Analytics) is ruled: another party owns it. Until Feb 28, 2027, a new claim of yours on it needs an arbitrator's approval.`);
    expect(visible(ruled!.args)).not.toContain('Northwind');
    // /roe mine numbers the case that rejected the claim, as the DM and the thread did.
    const contoso = h.rt.resolve({ platform: 'slack', userId: CO.id, displayName: CO.name, orgId: CO.team, home: false });
    const lost = h.rt.store.claims.all().find((c) => c.claimant === 'contoso' && c.accountId === d.accountId)!;
    expect(visible(roe(h.rt.deps, contoso, 'mine'))).toContain(`#${lost.id} Soylent Corp (Analytics): rejected (ruled lost in dispute #${d.id})`);
    // The party it went for is told nothing of the kind, but until when its claim now holds (intentionally added).
    const toNorthwind = h.fake.callsTo('chat.postMessage').slice(before).filter((c) => c.args.channel === `D${USERS.northwind.id}`);
    const won = h.rt.store.claims.all().find((c) => c.claimant === 'northwind' && c.accountId === d.accountId)!;
    expect(toNorthwind.map((c) => firstLine(c))).toEqual([`Dispute #${d.id} over Soylent Corp (Analytics) is ruled: Northwind Partners owns it. Claim #${won.id} is protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).`]);
  });

  it('a case raised against the partner’s claim and settled at once reaches them saying what happened', async () => {
    await fileClaim(CO, { account: 'muller', route: 'resell', product: 'Services', opportunity: 'Müller services', stage: 'qualified' });
    const before = h.fake.callsTo('chat.postMessage').length;
    const view = await h.openForm(USERS.northwind, SLACK_IDS.commands.dispute, 'muller', SHARED_CHANNEL);
    await h.submit(USERS.northwind, view, { account: 'muller', product: 'Services', reason: 'We met them first.' });
    await h.drain();
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'settled', winner: 'contoso' });
    const [told] = dmsToContoso(before);
    // With until when their claim now holds (intentionally added: a partner's claim the criteria kept).
    expect(firstLine(told!)).toBe(`Dispute #${d.id} was raised over Müller Logistik AG (Services) and settled at once by the criteria: Contoso Consulting owns it. Claim #${d.claimIds[0]} is protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).`);
    expect(visible(told!.args)).not.toContain('Northwind');
  });
});
