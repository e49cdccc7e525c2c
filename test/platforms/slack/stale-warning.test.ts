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
