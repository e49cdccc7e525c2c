import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { undelivered } from '../../../db/repos/outbox.repo.js';
import { type Harness, sharedChannelDispute, startSlack } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

describe('Slack: a dispute raised in a channel that is archived meanwhile', () => {
  it('the raiser still hears how their case goes (by DM, as for a channel the bot may not post in)', async () => {
    const d = await sharedChannelDispute(h);
    const first = undelivered(h.rt.db.db)[0]!;
    expect(first.target).toEqual({ kind: 'dispute-thread', disputeId: d.id });
    // The shared channel was archived: Slack refuses posts there for good.
    h.fake.failNext(1, { error: 'is_archived' }, 'chat.postMessage');
    await h.drain();
    const parked = undelivered(h.rt.db.db).filter((r) => r.status === 'parked');
    // What the admin sees: the announcement parked with "Slack error: is_archived"; the raiser (Contoso) never hears of it.
    expect(parked.map((r) => `${r.id} ${r.lastError}`)).toEqual([]);
  });
});
