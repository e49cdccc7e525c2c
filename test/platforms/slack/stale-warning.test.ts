import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tick } from '../../../src/app/scheduler.js';
import { SHARED_CHANNEL, startSlack, USERS, type Harness } from '../../support/slack-harness.js';

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
