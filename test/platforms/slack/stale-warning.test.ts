import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

describe('Slack: what a restart after days offline sends', () => {
  it('a dormancy warning queued just before the bot went down is not sent once the claim has gone dormant (its Log activity button can no longer help)', async () => {
    h.rt.clock.set('2026-12-07T15:00:00Z');
    const view = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' });
    const c = h.rt.store.claims.all().at(-1)!;
    expect(c.status).toBe('protected');
    await h.drain();
    // The warning falls due (7 days before dormancy) and is queued; the bot dies before Slack gets it.
    h.rt.clock.set('2027-01-01T15:00:00Z');
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    // Back ten days later: the first tick marks the claim dormant, then the outbox is delivered.
    h.rt.clock.set('2027-01-11T15:00:00Z');
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    expect(h.rt.store.claims.get(c.id)!.status).toBe('dormant');
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.drain();
    const sent = h.fake.callsTo('chat.postMessage').slice(before).map((p) => String(p.args.text));
    // The partner reads, on Jan 11: "goes dormant on Jan 6 unless you log activity", then "is dormant".
    expect(sent.filter((t) => t.includes('goes dormant'))).toEqual([]);
    // What did happen is told; the warning is done with, not left to be tried again.
    expect(sent.filter((t) => t.includes('is dormant'))).toHaveLength(1);
    expect(h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status != 'delivered'").get()).toEqual({ n: 0 });
  });
});

describe('Slack: a warning overtaken before it went out', () => {
  it('a dormancy warning still queued when the partner logs activity is not sent: the date it names no longer holds (their other claim’s warning goes out)', async () => {
    h.rt.clock.set('2026-12-07T15:00:00Z');
    const file = async (account: string) => {
      const view = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
      await h.submit(USERS.northwind, view, { account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal' });
      return h.rt.store.claims.all().at(-1)!;
    };
    const renewed = await file('soylent');
    const other = await file('acme-analytics');
    expect([renewed.status, other.status]).toEqual(['protected', 'protected']);
    await h.drain();
    // Both warnings fall due (7 days before dormancy on Jan 6) and are queued; Slack does not take them yet.
    h.rt.clock.set('2027-01-01T15:00:00Z');
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    // Meanwhile the partner logs activity on the first claim from App Home: it now goes dormant on Jan 31.
    h.rt.clock.set('2027-01-01T16:00:00Z');
    await h.click(USERS.northwind, SLACK_IDS.actions.log_activity, String(renewed.id), { inHome: true });
    const home = await h.fake.waitFor(() => h.fake.callsTo('views.publish')[0], 'the republished home');
    expect(visible(home.args.view)).toContain(`Activity logged on claim #${renewed.id}`);
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.drain();
    const sent = h.fake.callsTo('chat.postMessage').slice(before).map((p) => String(p.args.text));
    // The partner would read "goes dormant on Jan 6 unless you log activity" just after logging it.
    expect(sent.filter((t) => t.includes(`Claim #${renewed.id} `))).toEqual([]);
    expect(sent.filter((t) => t.includes(`Claim #${other.id} on Acme Analytics`) && t.includes('goes dormant'))).toHaveLength(1);
    // Nothing is left to be tried again, after a restart neither.
    expect(h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending', 'parked')").get()).toEqual({ n: 0 });
  });
});

describe('Slack: a warning of a claim that closed before it went out', () => {
  /**
   * Northwind's claim on Soylent (Dec 7: dormancy on Jan 6), and Contoso's, further along, filed
   * over it on Dec 21: a case for the arbitrator. Northwind's warning falls due on Jan 1 and is
   * queued (delivered too with `deliverWarning`); on Jan 4 the arbitrator rules for Contoso.
   */
  const ruledLost = async (o: { deliverWarning: boolean }) => {
    const file = async (user: typeof USERS.northwind, stage: string) => {
      const view = await h.openForm(user, '/claim', '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage });
      return h.rt.store.claims.all().at(-1)!;
    };
    h.rt.clock.set('2026-12-07T15:00:00Z');
    const lost = await file(USERS.northwind, 'proposal');
    h.rt.clock.set('2026-12-21T15:00:00Z');
    const won = await file(USERS.contoso, 'negotiation');
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect([lost.status, won.status, dispute.status]).toEqual(['protected', 'pending', 'open']);
    await h.drain();
    h.rt.clock.set('2027-01-01T15:00:00Z');
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    const queued = h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending' AND dedupe_key LIKE ?").get(`claim.dormancy_warning:${lost.id}:%`);
    expect(queued).toEqual({ n: 1 });
    const before = h.fake.callsTo('chat.postMessage').length;
    if (o.deliverWarning) await h.drain();
    h.rt.clock.set('2027-01-04T15:00:00Z');
    // The case went up the chain meanwhile: whoever has it now rules.
    await h.click(USERS.vp, SLACK_IDS.actions.rule_approve, `${dispute.id}:contoso`);
    await h.fake.waitFor(() => (h.rt.store.disputes.get(dispute.id)!.status === 'ruled' ? true : undefined), 'the ruling');
    expect(h.rt.store.claims.get(lost.id)!.status).toBe('rejected');
    return { lost, dispute, before };
  };

  it('a dormancy warning still queued when the arbitrator rules the claim lost is not sent: the partner hears the ruling, not "log activity" on a claim that takes none', async () => {
    const { lost, dispute, before } = await ruledLost({ deliverWarning: false });
    await h.drain();
    const toNorthwind = h.fake.callsTo('chat.postMessage').slice(before).filter((p) => p.args.channel === `D${USERS.northwind.id}`).map((p) => String(p.args.text));
    // Northwind would read "Claim #N goes dormant on Jan 6 unless you log activity", its button refused.
    expect(toNorthwind.filter((t) => t.includes(`Claim #${lost.id} `))).toEqual([]);
    expect(toNorthwind).toEqual([`Ruling on dispute #${dispute.id}: Soylent Corp (Analytics)`]);
    // Withdrawn, not left to be tried again, after a restart neither.
    expect(h.rt.db.sqlite.prepare("SELECT status FROM outbox WHERE dedupe_key LIKE ?").all(`claim.dormancy_warning:${lost.id}:%`)).toEqual([{ status: 'withdrawn' }]);
    expect(h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending', 'parked')").get()).toEqual({ n: 0 });
  });

  it('the Log activity button of a warning delivered before the ruling says the claim was ruled lost, naming the case', async () => {
    const { lost, dispute, before } = await ruledLost({ deliverWarning: true });
    const warning = h.fake.callsTo('chat.postMessage').slice(before).find((p) => String(p.args.text).startsWith(`Claim #${lost.id} on Soylent Corp goes dormant`))!;
    expect(warning.args.channel).toBe(`D${USERS.northwind.id}`);
    const { responseUrl } = await h.click(USERS.northwind, SLACK_IDS.actions.log_activity, String(lost.id), { channel: String(warning.args.channel), messageTs: String(warning.result.ts) });
    expect(visible(await h.answer(responseUrl))).toContain(`Claim #${lost.id} was ruled lost in dispute #${dispute.id}; there is nothing to log activity on.`);
    expect(h.rt.store.claims.get(lost.id)!.status).toBe('rejected');
  });
});
