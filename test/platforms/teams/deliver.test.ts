import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { undelivered } from '../../../db/repos/outbox.repo.js';
import { getPerson } from '../../../db/repos/people.repo.js';
import { forgetUser } from '../../../db/repos/privacy.repo.js';
import { reply, text } from '../../../handlers/replies/model.js';
import type { OutboxMessage } from '../../../src/core/ports.js';
import { MAX_ATTEMPTS, MAX_THROTTLED_ATTEMPTS } from '../../../src/app/outbox-worker.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { installActivity, personalChat, startTeams, TENANTS, USERS, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
  // Sam installed the bot: the service URL (the fake connector) is known from him.
  await h.post(installActivity(USERS.sam, { kind: 'personal' }, h.connector.url));
  h.connector.calls.length = 0;
});
afterEach(async () => {
  await h.stop();
});

let n = 0;
function enqueue(target: OutboxMessage['target'], line: string): void {
  h.rt.store.outbox.enqueue({ platform: 'teams', target, body: reply(line, [text(line)]), dedupeKey: `test:${++n}` }, h.rt.clock.now());
}

const rows = () => undelivered(h.rt.db.db);

describe('the Teams deliverer', () => {
  it('DMs someone it has met in their stored 1:1 chat', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Your claim is protected');
    expect(await h.drain()).toBe(1);
    const [call] = h.connector.calls;
    expect(call).toMatchObject({ kind: 'send', conversationId: personalChat(USERS.sam) });
    expect(readCard(cardOf(call))).toContain('Your claim is protected');
    expect(call!.body.summary).toBe('Your claim is protected');
  });

  it('opens a new 1:1 through the connector for a person it has never met, then reuses it', async () => {
    enqueue({ kind: 'user', user: '29:vp' }, 'Dispute #7 escalated to you');
    expect(await h.drain()).toBe(1);
    const [create, send] = h.connector.calls;
    expect(create).toMatchObject({ kind: 'create', method: 'POST', path: '/v3/conversations' });
    expect(create!.body).toMatchObject({ isGroup: false, members: [{ id: '29:vp' }], tenantId: TENANTS.home, channelData: { tenant: { id: TENANTS.home } } });
    expect(send).toMatchObject({ kind: 'send', conversationId: 'a:created-1' });
    expect(readCard(cardOf(send))).toContain('Dispute #7 escalated to you');

    enqueue({ kind: 'user', user: '29:vp' }, 'A reminder');
    await h.drain();
    expect(h.connector.calls.filter((c) => c.kind === 'create')).toHaveLength(1);
    expect(h.connector.calls.at(-1)).toMatchObject({ kind: 'send', conversationId: 'a:created-1' });
  });

  it('posts to a channel thread with the thread in the conversation id', async () => {
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', thread: '1700000000999' }, 'Breached');
    await h.drain();
    expect(h.connector.calls[0]).toMatchObject({ kind: 'send', conversationId: '19:escalations@thread.tacv2;messageid=1700000000999' });
  });

  it('a channel message Teams refuses for good (the bot is not in that team) goes to the 1:1 of the person it names as fallback, told why', async () => {
    h.connector.failNext(403);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, 'Dispute #9 is past its whole escalation chain');
    await h.drain();
    const sent = h.connector.calls.filter((c) => c.status === 200);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'send', conversationId: personalChat(USERS.sam) });
    expect(readCard(cardOf(sent[0]))).toContain('I could not post this in the channel it is for: I am not in its team (or may not post there), so it comes here instead (add me to that team). Here it is:');
    expect(readCard(cardOf(sent[0]))).toContain('Dispute #9 is past its whole escalation chain');
    expect(rows()).toHaveLength(0);
  });

  it('a channel message with a copy made for its fallback person sends them that copy, not the post about them', async () => {
    h.connector.failNext(403);
    const post = reply('Dispute #9 is past its whole escalation chain', [text('Dispute #9 was not ruled by anyone in its escalation chain (last: Sam).')], { visibility: 'public' });
    const fallbackCopy = reply('Dispute #9 is past its whole escalation chain', [text('Dispute #9 is still yours to rule.')]);
    h.rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, body: { ...post, fallbackCopy }, dedupeKey: `test:${++n}` }, h.rt.clock.now());
    await h.drain();
    const sent = h.connector.calls.filter((c) => c.status === 200);
    expect(sent).toHaveLength(1);
    const shown = readCard(cardOf(sent[0]));
    expect(shown).toContain('I could not post this in the channel it is for: I am not in its team (or may not post there), so it comes here instead (add me to that team). Here it is:');
    expect(shown).toContain('Dispute #9 is still yours to rule.');
    expect(shown).not.toContain('last: Sam');
  });

  it('a channel message whose channel is gone (404) goes to its fallback person once, naming the channel as the post does and saying it no longer exists', async () => {
    h.connector.refused.set('19:escalations@thread.tacv2', 404);
    const post = reply('Dispute #9 is past its whole escalation chain', [text('Dispute #9 was not ruled by anyone in its escalation chain.')], { visibility: 'public' });
    h.rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, body: { ...post, place: 'the escalation channel' }, dedupeKey: `test:${++n}` }, h.rt.clock.now());
    expect(await h.drain()).toBe(1);
    expect(h.connector.calls.map((c) => [c.conversationId, c.status])).toEqual([['19:escalations@thread.tacv2', 404], [personalChat(USERS.sam), 200]]);
    const shown = readCard(cardOf(h.connector.calls[1]));
    expect(shown.split('\n')[0]).toBe('\u26A0\uFE0F I could not post this in the escalation channel: that channel no longer exists, so it comes here instead. Here it is:');
    expect(shown).toContain('Dispute #9 was not ruled by anyone in its escalation chain.');
    expect(rows()).toHaveLength(0);
  });

  it('a channel message Teams refuses for good with no fallback is parked; a passing failure is retried, never sent as a DM', async () => {
    h.connector.failNext(403);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2' }, 'No one to tell');
    h.connector.failNext(503);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, 'Later');
    await h.drain();
    expect(h.connector.calls.filter((c) => c.status === 200)).toHaveLength(0);
    expect(rows().map((r) => r.status).sort()).toEqual(['parked', 'pending']);
  });

  it.each([413])('a channel message refused with %i is parked, not sent to its person with "add me to that team" (that would fail, or say the wrong thing)', async (status) => {
    h.connector.failNext(status);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, 'Too big');
    await h.drain();
    expect(h.connector.calls).toHaveLength(1);
    expect(rows()[0]).toMatchObject({ status: 'parked', lastError: `Teams answered HTTP ${status}` });
  });

  it('401 (the bot\'s credentials refused) holds the whole queue in order, saying what to check, and sends nothing to a channel message\'s person; it all goes out once they work', async () => {
    h.connector.failNext(401);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, 'First');
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Second');
    expect(await h.drain()).toBe(0);
    expect(h.connector.calls).toHaveLength(1);
    expect(rows().map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(rows()[0]!.lastError).toContain('check MICROSOFT_APP_ID');
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(2);
    expect(rows()).toHaveLength(0);
  });

  it.each([408, 412])('%i (a timeout, or another operation on the conversation under way) is retried with backoff, not parked', async (status) => {
    h.connector.failNext(status);
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Try again');
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: `Teams answered HTTP ${status}` });
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(1);
    expect(rows()).toHaveLength(0);
  });

  it('429 is retried later, after the connector’s Retry-After, without retrying inside the SDK', async () => {
    h.connector.failNext(429, { retryAfter: '30' });
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Slow down');
    expect(await h.drain()).toBe(0);
    expect(h.connector.calls).toHaveLength(1);
    const [row] = rows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('HTTP 429');
    expect(row!.nextAttemptAt.getTime() - h.rt.clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    // the next drain after that time delivers it
    h.rt.clock.advance(31_000);
    expect(await h.drain()).toBe(1);
  });

  it('429 without Retry-After (or with 0) holds the whole queue, in order, backing off, instead of sending on into the throttle', async () => {
    h.connector.failNext(429, { times: 3 });
    enqueue({ kind: 'user', user: USERS.sam.id }, 'one');
    enqueue({ kind: 'user', user: USERS.pat.id }, 'two');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await h.drain()).toBe(0);
      const next = Math.min(...rows().map((r) => r.nextAttemptAt.getTime()));
      waits.push(next - h.rt.clock.now().getTime());
      h.rt.clock.set(new Date(next).toISOString());
    }
    expect(h.connector.calls).toHaveLength(3); // one call a drain: the queue waits
    expect(waits).toEqual([2_000, 4_000, 8_000]);
    expect(await h.drain()).toBe(2);
    h.connector.failNext(429, { retryAfter: '0' });
    enqueue({ kind: 'user', user: USERS.sam.id }, 'three');
    expect(await h.drain()).toBe(0);
    expect(rows().at(-1)!.nextAttemptAt.getTime() - h.rt.clock.now().getTime()).toBeGreaterThanOrEqual(2_000);
  });

  it('a message throttled again and again is parked only after many tries (hours with the backoff)', async () => {
    enqueue({ kind: 'user', user: USERS.pat.id }, 'Dispute #9 is with you');
    for (let i = 0; i < MAX_THROTTLED_ATTEMPTS - 1; i++) {
      h.connector.failNext(429, { retryAfter: '5' });
      expect(await h.drain()).toBe(0);
      h.rt.clock.set(rows()[0]!.nextAttemptAt.toISOString());
    }
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: MAX_THROTTLED_ATTEMPTS - 1 });
    h.connector.failNext(429, { retryAfter: '5' });
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'parked', attempts: MAX_THROTTLED_ATTEMPTS });
  });

  it('5xx is retried later', async () => {
    h.connector.failNext(502);
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Flaky');
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(h.connector.calls).toHaveLength(1);
  });

  // A 404 for a stored 1:1 chat opens it again first (test/platforms/teams/chat-gone.test.ts): a 404 then too is permanent.
  it.each([403, 404])('%i is permanent: the message is parked, not retried', async (status) => {
    h.connector.failNext(status, { times: status === 404 ? 2 : 1 });
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Blocked');
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'parked', attempts: 1 });
    expect(rows()[0]!.lastError).toContain(`HTTP ${status}`);
  });

  it('a message for a dispute that was not raised in Teams is parked with the reason', async () => {
    enqueue({ kind: 'dispute-thread', disputeId: 4242 }, 'Nobody home');
    await h.drain();
    expect(rows()[0]).toMatchObject({ status: 'parked' });
    expect(rows()[0]!.lastError).toContain('no dispute #4242');
  });
});

describe('a person forgotten (roe forget) while a message to them is sent', () => {
  /** `roe forget` of `user` as Teams is asked to open a 1:1 chat with them: after the chat is created, before it is saved. */
  const forgetOnCreate = (user: string) => {
    h.connector.onCall = (call) => {
      if (call.kind === 'create') forgetUser(h.rt.db, `teams:${user}`);
    };
  };
  const stored = () => JSON.stringify(h.rt.db.sqlite.prepare('SELECT * FROM people').all());

  it('a 1:1 chat opened again for them (the stored one gone) is not saved: their contact stays forgotten', async () => {
    expect(getPerson(h.rt.db.db, `teams:${USERS.sam.id}`)?.conversationRef).toBeTruthy();
    h.connector.failNext(404); // the stored 1:1 chat is gone: a new one is opened
    forgetOnCreate(USERS.sam.id);
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Dispute #7 is with you');
    await h.drain();
    expect(h.connector.calls.map((c) => [c.kind, c.status])).toEqual([['send', 404], ['create', 200], ['send', 200]]);
    expect(getPerson(h.rt.db.db, `teams:${USERS.sam.id}`)).toBeUndefined();
    expect(stored()).not.toContain(USERS.sam.id);
    expect(rows()).toHaveLength(0);
  });

  it('a 1:1 chat opened for them as the fallback of a channel post the bot may not make is not saved either', async () => {
    h.connector.failNext(403);
    forgetOnCreate('29:vp');
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: '29:vp' }, 'Dispute #9 is past its whole escalation chain');
    await h.drain();
    expect(h.connector.calls.map((c) => [c.kind, c.status])).toEqual([['send', 403], ['create', 200], ['send', 200]]);
    expect(getPerson(h.rt.db.db, 'teams:29:vp')).toBeUndefined();
    expect(stored()).not.toContain('29:vp');
  });

  it('one not forgotten meanwhile has the chat opened for them saved, and the next message goes there', async () => {
    h.connector.failNext(403);
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: '29:vp' }, 'Dispute #9 is past its whole escalation chain');
    await h.drain();
    expect(getPerson(h.rt.db.db, 'teams:29:vp')?.conversationRef).toMatchObject({ personal: { conversation: { id: 'a:created-1' } } });
    enqueue({ kind: 'user', user: '29:vp' }, 'A reminder');
    await h.drain();
    expect(h.connector.calls.filter((c) => c.kind === 'create')).toHaveLength(1);
    expect(h.connector.calls.at(-1)).toMatchObject({ kind: 'send', conversationId: 'a:created-1', status: 200 });
  });
});

/** botframework-connector as botbuilder loads it, and the MSAL it asks Microsoft Entra ID for the bot's token with. */
const connectorRequire = createRequire(createRequire(createRequire(import.meta.url).resolve('botbuilder')).resolve('botframework-connector'));
const { MicrosoftAppCredentials } = connectorRequire('botframework-connector') as { MicrosoftAppCredentials: { prototype: { signRequest(resource: unknown): Promise<unknown> } } };
const { ServerError } = connectorRequire('@azure/msal-node') as { ServerError: new (errorCode: string, errorMessage: string, subError: string, errorNo: string, status: number) => Error };

describe('the bot\'s credentials refused by Microsoft Entra ID (a client secret expired or wrong, an app or tenant unknown)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('holds the whole queue in order, saying what to check, and parks nothing however long it lasts; it all goes out once they work', async () => {
    // As botbuilder signs each connector request: MSAL's answer from the token service, before any call reaches Teams.
    const refused = new ServerError('invalid_client', "7000222 - [2026-11-30 15:00:00Z]: AADSTS7000222: The provided client secret keys for app '00000000-0000-4000-8000-00000000a11d' are expired. Visit the Azure portal to create new keys for your app. Trace ID: 1 Correlation ID: 2 Timestamp: 2026-11-30 15:00:00Z", '', '7000222', 401);
    const sign = vi.spyOn(MicrosoftAppCredentials.prototype, 'signRequest').mockRejectedValue(refused);
    enqueue({ kind: 'user', user: USERS.sam.id }, 'First');
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: USERS.sam.id }, 'Second');
    for (let i = 0; i < MAX_ATTEMPTS + 5; i++) {
      expect(await h.drain()).toBe(0);
      h.rt.clock.set(new Date(Math.min(...rows().map((r) => r.nextAttemptAt.getTime()))).toISOString());
    }
    // One try a drain (the queue waits, in order), never parked, and the error names what to check.
    expect(sign).toHaveBeenCalledTimes(MAX_ATTEMPTS + 5);
    expect(rows().map((r) => [r.summary, r.status])).toEqual([['First', 'pending'], ['Second', 'pending']]);
    expect(rows()[0]!.lastError).toContain('AADSTS7000222: The provided client secret keys for app');
    expect(rows()[0]!.lastError).toContain('check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID');
    expect(rows()[0]!.lastError).not.toContain('could not reach Teams');
    sign.mockRestore();
    expect(await h.drain()).toBe(2);
    expect(rows()).toHaveLength(0);
    expect(h.connector.calls.map((c) => c.conversationId)).toEqual([personalChat(USERS.sam), '19:escalations@thread.tacv2']);
  });

  it('Entra ID not answering (a network failure, its 5xx) is retried as any outage is, not taken for refused credentials', async () => {
    const sign = vi.spyOn(MicrosoftAppCredentials.prototype, 'signRequest').mockRejectedValue(new ServerError('temporarily_unavailable', 'AADSTS50196: The server is temporarily unavailable.', '', '50196', 503));
    enqueue({ kind: 'user', user: USERS.sam.id }, 'Later');
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(rows()[0]!.lastError).not.toContain('MICROSOFT_APP_PASSWORD');
    sign.mockRestore();
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(1);
  });
});

describe('a 1:1 chat opened for a message whose send then fails', () => {
  it('is remembered all the same: the retry sends to that chat instead of asking Teams to open another', async () => {
    // Teams opens the chat, then answers 503 to the message itself (a retryable failure).
    let failed = false;
    h.connector.onCall = (call) => {
      if (call.kind === 'send' && call.conversationId === 'a:created-1' && !failed) {
        failed = true;
        h.connector.failNext(503);
      }
    };
    enqueue({ kind: 'user', user: '29:vp' }, 'Dispute #7 escalated to you');
    expect(await h.drain()).toBe(0);
    h.connector.onCall = null;
    expect(h.connector.calls.map((c) => [c.kind, c.status])).toEqual([['create', 200], ['send', 503]]);
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(1);
    expect(h.connector.calls.filter((c) => c.kind === 'create')).toHaveLength(1);
    expect(h.connector.calls.at(-1)).toMatchObject({ kind: 'send', conversationId: 'a:created-1', status: 200 });
  });

  it('is not saved when its person is forgotten meanwhile, nor when the message was taken off them', async () => {
    h.connector.onCall = (call) => {
      if (call.kind === 'create') forgetUser(h.rt.db, 'teams:29:vp');
      if (call.kind === 'send' && call.conversationId === 'a:created-1') h.connector.failNext(503);
    };
    enqueue({ kind: 'channel', channel: '19:escalations@thread.tacv2', fallbackUser: '29:vp' }, 'Dispute #9 is past its whole escalation chain');
    h.connector.failNext(403);
    await h.drain();
    expect(h.connector.calls.map((c) => [c.kind, c.status])).toEqual([['send', 403], ['create', 200], ['send', 503]]);
    expect(getPerson(h.rt.db.db, 'teams:29:vp')).toBeUndefined();
  });
});

describe('a connector that never answers', () => {
  it('the delivery is given up after the timeout and retried later; the worker goes on to the next message', async () => {
    const t = await startTeams({ deliveryTimeoutMs: 300 });
    try {
      for (const u of [USERS.sam, USERS.pat]) await t.post(installActivity(u, { kind: 'personal' }, t.connector.url));
      t.connector.hangNext(1);
      const put = (user: string, line: string) => t.rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'user', user }, body: reply(line, [text(line)]), dedupeKey: `hang:${line}` }, t.rt.clock.now());
      put(USERS.sam.id, 'first');
      put(USERS.pat.id, 'second');
      const started = Date.now();
      expect(await t.drain()).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      const rows = undelivered(t.rt.db.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'pending', attempts: 1 });
      expect(rows[0]!.lastError).toContain('no answer from Teams within 0.3 s');
      t.rt.clock.advance(3_000);
      expect(await t.drain()).toBe(1);
    } finally {
      await t.stop();
    }
  });
});

