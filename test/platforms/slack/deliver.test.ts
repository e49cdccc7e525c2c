import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyTextWith } from '../../support/builders.js';
import { webApi } from '@slack/bolt';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { classifySlackError, createSlackDeliverer, DELIVERY_CLIENT_OPTIONS } from '../../../handlers/platforms/slack/deliver.js';
import { reply, text, TONE_MARK } from '../../../handlers/replies/model.js';
import { approve, submitAward } from '../../../handlers/rule.js';
import { openArbitratedCase } from '../../support/cases.js';
import { DeliveryError } from '../../../src/core/errors.js';
import { drainOutbox, LEASE_MS } from '../../../src/app/outbox-worker.js';
import type { DisputesRepo, OutboxMessage } from '../../../src/core/ports.js';
import { BOT_TOKEN, type Harness, SHARED_CHANNEL, sharedChannelDispute, startSlack, USERS, visible } from '../../support/slack-harness.js';
import { slackCaseCards } from '../../../src/app/slack.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

interface Row {
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}
const rows = () => h.rt.db.sqlite.prepare('select status, attempts, next_attempt_at, last_error from outbox order by id').all() as Row[];
let seq = 0;
const enqueue = (target: OutboxMessage['target'], body = reply('Hello <!here>', [text('Ping <!here> & <@U0SAM>')])) =>
  h.rt.store.outbox.enqueue({ platform: 'slack', target, body, dedupeKey: `test:${++seq}` }, h.rt.clock.now());

const PRIVATE = 'G0PRIVATE';

/** Northwind and Contoso claim Soylent in a private channel the bot is not in: Contoso's claim opens a case. */
async function caseRaisedWhereTheBotMayNotPost() {
  h.fake.notIn.add(PRIVATE);
  for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
    const view = await h.openForm(user, '/claim', '', PRIVATE);
    await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
  }
  return h.rt.store.disputes.all().at(-1)!;
}

describe('the Slack outbox deliverer', () => {
  it('DMs a user through conversations.open, with the text escaped', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    expect(await h.drain()).toBe(1);
    expect(h.fake.callsTo('conversations.open')[0]!.args.users).toBe(USERS.sam.id);
    const post = h.fake.callsTo('chat.postMessage')[0]!;
    expect(post.args.channel).toBe(`D${USERS.sam.id}`);
    expect(post.args.text).toBe('Hello &lt;!here&gt;');
    // A line of text is plain text: shown as written, nothing in it read as a mention.
    expect(JSON.stringify(post.args.blocks)).toContain('{"type":"plain_text","text":"Ping <!here> & <@U0SAM>","emoji":false}');
    expect(rows()[0]!.status).toBe('delivered');
  });

  it('posts to a channel, in its thread when given', async () => {
    enqueue({ kind: 'channel', channel: 'C0ESCAL', thread: '1764000000.000100' });
    await h.drain();
    expect(h.fake.callsTo('chat.postMessage')[0]!.args).toMatchObject({ channel: 'C0ESCAL', thread_ts: '1764000000.000100' });
  });

  it('a dispute thread starts with the first message in the dispute’s channel; later ones reply in it', async () => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
      const view = await h.openForm(user, '/claim', '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.origin).toEqual({ platform: 'slack', channel: SHARED_CHANNEL, thread: null });
    await h.drain();
    const inChannel = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(inChannel[0]!.args.thread_ts).toBeUndefined();
    expect(h.rt.store.disputes.get(d.id)!.origin!.thread).toBe(inChannel[0]!.result.ts);
    enqueue({ kind: 'dispute-thread', disputeId: d.id });
    await h.drain();
    expect(h.fake.callsTo('chat.postMessage').at(-1)!.args).toMatchObject({ channel: SHARED_CHANNEL, thread_ts: inChannel[0]!.result.ts });
  });

  it('a dispute’s update the bot may not post where it was raised goes to the raiser’s DM, which says why; once invited, updates go to the channel', async () => {
    const d = await caseRaisedWhereTheBotMayNotPost();
    expect(d.origin).toMatchObject({ channel: PRIVATE });
    await h.drain();
    const dm = `D${USERS.contoso.id}`;
    const moved = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === dm && visible(c.args).includes('invite me there'));
    expect(moved.length, 'DMs to the raiser').toBeGreaterThan(0);
    expect(visible(moved[0]!.args)).toContain(`I could not post this update on dispute #${d.id} in <#${PRIVATE}>, where it was raised`);
    expect(h.rt.store.disputes.get(d.id)!.origin).toMatchObject({ channel: PRIVATE });
    expect(rows().every((r) => r.status === 'delivered')).toBe(true);
    // invited: the next update goes to the channel, starting its thread
    h.fake.notIn.delete(PRIVATE);
    enqueue({ kind: 'dispute-thread', disputeId: d.id });
    await h.drain();
    const last = h.fake.callsTo('chat.postMessage').at(-1)!;
    expect(last.args.channel).toBe(PRIVATE);
    expect(h.rt.store.disputes.get(d.id)!.origin).toEqual({ platform: 'slack', channel: PRIVATE, thread: last.result.ts });
  });

  it('the raiser’s copy of an update the bot may not post is made for the raiser, and none is sent when a DM of their own already says it', async () => {
    const d = await caseRaisedWhereTheBotMayNotPost();
    await h.drain();
    const toContoso = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.contoso.id}`).map((c) => visible(c.args));
    // The announcement, as Contoso (who raised it) sees the case: its own name, the other party unnamed.
    const announced = toContoso().find((t) => t.includes('invite me there') && t.includes('Parties'))!;
    expect(announced).toMatch(/Contoso Consulting vs another party|another party vs Contoso Consulting/);
    expect(announced).not.toContain('Northwind');
    // Pat rules for Northwind: Contoso's own ruling DM says so; no channel copy says otherwise.
    const pat = h.rt.resolve({ platform: 'slack', userId: USERS.pat.id, displayName: 'pat', orgId: USERS.pat.team, home: true });
    const before = toContoso().length;
    approve(h.rt.deps, pat, `${d.id}:northwind`);
    await h.drain();
    const after = toContoso().slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]).toContain('another party owns it');
    expect(after[0]).not.toContain('invite me there');
    expect(rows().every((r) => r.status === 'delivered')).toBe(true);
  });

  it('the note before the raiser’s copy names a claim waiting for approval as the copy does, to the claim’s own party', async () => {
    const d = await caseRaisedWhereTheBotMayNotPost();
    await h.drain();
    const pat = h.rt.resolve({ platform: 'slack', userId: USERS.pat.id, displayName: 'pat', orgId: USERS.pat.team, home: true });
    submitAward(h.rt.deps, pat, { dispute: String(d.id), party: 'none', rationale: 'Neither party showed real engagement.' });
    await h.drain();
    // The ruling went against Contoso: its next claim there, colliding with nothing, waits for approval.
    h.rt.clock.advance(3_600_000);
    const view = await h.openForm(USERS.contoso, '/claim', '', PRIVATE);
    await h.submit(USERS.contoso, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'commit' });
    const approval = h.rt.store.disputes.all().at(-1)!;
    expect(approval).toMatchObject({ parties: ['contoso'], origin: { channel: PRIVATE } });
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.drain();
    const notes = h.fake.callsTo('chat.postMessage').slice(before).filter((c) => c.args.channel === `D${USERS.contoso.id}` && visible(c.args).includes('invite me there')).map((c) => visible(c.args));
    expect(notes.length, 'updates moved to the raiser’s DM').toBeGreaterThan(0);
    const name = `approval of claim #${approval.claimIds[0]} (case #${approval.id})`;
    for (const note of notes) {
      expect(note).toContain(`I could not post this update on ${name} in <#${PRIVATE}>, where it was raised`);
      // The copy it introduces (the case card, who has it) names it so too.
      expect(note).toContain(`Approval of claim #${approval.claimIds[0]} (case #${approval.id})`);
      expect(note).not.toContain(`ispute #${approval.id}`);
    }
  });

  it('a channel message the bot may not post (never invited) goes by DM to the person it names as fallback, told why; with none it is parked, naming the error', async () => {
    h.fake.notIn.add('C0ESCAL');
    enqueue({ kind: 'channel', channel: 'C0ESCAL', fallbackUser: USERS.pat.id });
    enqueue({ kind: 'channel', channel: 'C0ESCAL' });
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    expect(visible(dm.args)).toContain('I could not post this in <#C0ESCAL>: invite me to that channel');
    expect(JSON.stringify(dm.args.blocks)).toContain('"type":"plain_text","text":"Ping <!here>');
    expect(rows().map((r) => r.status)).toEqual(['delivered', 'parked']);
    expect(rows()[1]!.last_error).toContain('not_in_channel');
  });

  it('the note saying why a message came by DM starts with the warning mark, as the same note in Teams does (the reason is no colour on either)', async () => {
    h.fake.notIn.add('C0ESCAL');
    enqueue({ kind: 'channel', channel: 'C0ESCAL', fallbackUser: USERS.pat.id });
    const d = await caseRaisedWhereTheBotMayNotPost();
    await h.drain();
    const escalation = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const moved = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.contoso.id}` && visible(c.args).includes('I could not post this update'))!;
    const first = (args: Record<string, unknown>) => (args.blocks as { text: { text: string } }[])[0]!.text.text;
    expect(first(escalation.args)).toBe(`${TONE_MARK.warning}I could not post this in <#C0ESCAL>: invite me to that channel (\`/invite @roe-bot\`). Here it is:`);
    expect(first(moved.args)).toMatch(new RegExp(`^${TONE_MARK.warning}I could not post this update on dispute #${d.id} in <#${PRIVATE}>`));
  });

  it('a long message sent by DM instead keeps, after the note put first, its last block saying what was left out', async () => {
    h.fake.notIn.add('C0ESCAL');
    const blocks = [text('Dispute #9 was not ruled by anyone in its escalation chain.', 'attention'), ...Array.from({ length: 60 }, (_, i) => text(`Line ${i} of the case`))];
    h.rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'channel', channel: 'C0ESCAL', fallbackUser: USERS.pat.id }, body: reply('Dispute #9 is past its whole escalation chain', blocks, { visibility: 'public' }), dedupeKey: 'long:1' }, h.rt.clock.now());
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const sent = dm.args.blocks as unknown[];
    expect(sent).toHaveLength(50);
    expect(JSON.stringify(sent[0])).toContain('I could not post this in <#C0ESCAL>');
    expect(JSON.stringify(sent.at(-1))).toContain('more not shown');
  });

  it('429 with Retry-After: retried no sooner than Slack asked, then delivered', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    h.fake.failNext(1, { status: 429, retryAfter: 30 }, 'chat.postMessage');
    const t0 = h.rt.clock.now().getTime();
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: t0 + 30_000, last_error: 'rate limited by Slack, retry after 30 s' });
    h.rt.clock.advance(29_000);
    expect(await h.drain()).toBe(0);
    h.rt.clock.advance(1_000);
    expect(await h.drain()).toBe(1);
    expect(rows()[0]!.status).toBe('delivered');
  });

  it.each([
    ['no Retry-After at all', null],
    ['a Retry-After that is not a number', 'soon'],
  ])('429 with %s: throttled, the queue held for the backoff, and delivered after', async (_, retryAfter) => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    enqueue({ kind: 'user', user: USERS.pat.id });
    h.fake.failNext(1, { status: 429, retryAfter }, 'chat.postMessage');
    const t0 = h.rt.clock.now().getTime();
    expect(await h.drain()).toBe(0);
    // The platform's queue waits: the second message is not sent into the throttle in the same drain.
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(rows().map((r) => ({ status: r.status, next: r.next_attempt_at }))).toEqual([
      { status: 'pending', next: t0 + 2_000 },
      { status: 'pending', next: t0 + 2_000 },
    ]);
    expect(rows()[0]!.last_error).toBe('rate limited by Slack (no Retry-After)');
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(2);
  });

  it('a message queued while Slack holds the queue (a 429) waits the hold out too, instead of going out into the throttle', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    h.fake.failNext(1, { status: 429, retryAfter: 30 }, 'chat.postMessage');
    expect(await h.drain()).toBe(0);
    enqueue({ kind: 'user', user: USERS.pat.id });
    h.rt.clock.advance(10_000);
    expect(await h.drain()).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    h.rt.clock.advance(20_000);
    expect(await h.drain()).toBe(2);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(3);
  });

  it('a 500 is retried with backoff', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    h.fake.failNext(1, { status: 500 }, 'conversations.open');
    const t0 = h.rt.clock.now().getTime();
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: t0 + 2_000, last_error: 'Slack answered HTTP 500' });
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(1);
  });

  it.each(['channel_not_found', 'not_in_channel'])('%s is permanent: the message is parked, not retried', async (error) => {
    enqueue({ kind: 'channel', channel: 'C0GONE' });
    h.fake.failNext(1, { error }, 'chat.postMessage');
    expect(await h.drain()).toBe(0);
    expect(rows()[0]).toMatchObject({ status: 'parked', attempts: 1, last_error: `Slack error: ${error}` });
    h.rt.clock.advance(3_600_000);
    expect(await h.drain()).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a DM to someone who left (deactivated: user_disabled or user_not_found; their DM opened before, archived: is_archived) is parked, its error naming the user and what to do', async () => {
    enqueue({ kind: 'user', user: USERS.rep.id });
    await h.drain();
    h.fake.deactivated.add(USERS.rep.id);
    h.fake.deactivated.add(USERS.sam.id);
    enqueue({ kind: 'user', user: USERS.rep.id });
    enqueue({ kind: 'user', user: USERS.sam.id });
    await h.drain();
    enqueue({ kind: 'user', user: USERS.dana.id });
    h.fake.failNext(1, { error: 'user_not_found' }, 'conversations.open');
    await h.drain();
    expect(rows().map((r) => r.status)).toEqual(['delivered', 'parked', 'parked', 'parked']);
    const gone = (user: string, error: string) => `Slack error: ${error}: the Slack user ${user} is deactivated or no longer in the workspace; if they left, see “When someone leaves” in the README (roe outbox retry reaches them only once their user is reactivated)`;
    expect(rows()[1]!.last_error).toBe(gone(USERS.rep.id, 'is_archived'));
    expect(rows()[2]!.last_error).toBe(gone(USERS.sam.id, 'user_disabled'));
    expect(rows()[3]!.last_error).toBe(gone(USERS.dana.id, 'user_not_found'));
  });

  it('a case card to an arbitrator whose Slack user was deactivated is parked, its error naming them as the policy does and how their cases move on', async () => {
    h.fake.deactivated.add(USERS.pat.id);
    const d = await sharedChannelDispute(h);
    await h.drain();
    const parked = h.rt.db.sqlite.prepare("select last_error from outbox where status = 'parked' and target like ?").all(`%${USERS.pat.id}%`) as { last_error: string }[];
    expect(parked).toHaveLength(1);
    expect(parked[0]!.last_error).toBe(`Slack error: user_disabled: the Slack user ${USERS.pat.id} is deactivated or no longer in the workspace; they are "pat" of the policy, who has dispute #${d.id}: it moves on to the next of its escalation chain (or, past its end, to the escalation channel) unless they can be reached on another platform, where their card goes instead; if they left, remove them from the policy's people in a new version and all their open cases move on (roe outbox retry reaches them only once their user is reactivated)`);
  });

  it('a card of a claim waiting for approval, to an arbitrator whose Slack user was deactivated, names the case as the approval of its claim', async () => {
    await h.close();
    const policy = join(mkdtempSync(join(tmpdir(), 'roe-approval-gone-')), 'policy.yaml');
    writeFileSync(policy, policyTextWith([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
    h = await startSlack({ policyPath: policy });
    h.fake.deactivated.add(USERS.pat.id);
    const nw = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, nw, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' });
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ arbitrator: 'pat', claimIds: [expect.any(Number)] });
    await h.drain();
    const parked = h.rt.db.sqlite.prepare("select last_error from outbox where status = 'parked' and target like ?").all(`%${USERS.pat.id}%`) as { last_error: string }[];
    expect(parked).toHaveLength(1);
    expect(parked[0]!.last_error).toContain(`they are "pat" of the policy, who has approval of claim #${d.claimIds[0]} (case #${d.id}): it moves on to the next of its escalation chain`);
  });

  it('a dispute thread of a dispute raised elsewhere is refused for good', async () => {
    enqueue({ kind: 'dispute-thread', disputeId: 999 });
    await h.drain();
    expect(rows()[0]).toMatchObject({ status: 'parked', last_error: 'no dispute #999' });
  });
});

describe('Slack errors that are not the message’s fault, and places that cannot take a post', () => {
  it.each(['rate_limited', 'message_limit_exceeded'])('%s (the bot, or the workspace, posts too much) is throttling: the queue waits, nothing is parked, and it goes out after', async (error) => {
    enqueue({ kind: 'user', user: USERS.sam.id });
    enqueue({ kind: 'user', user: USERS.pat.id });
    h.fake.failNext(1, { error }, 'chat.postMessage');
    const t0 = h.rt.clock.now().getTime();
    expect(await h.drain()).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(rows().map((r) => ({ status: r.status, next: r.next_attempt_at }))).toEqual([
      { status: 'pending', next: t0 + 2_000 },
      { status: 'pending', next: t0 + 2_000 },
    ]);
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(2);
  });

  it.each(['invalid_auth', 'token_revoked', 'account_inactive'])('%s (the bot\'s token refused) holds the whole queue in order, saying what to check; nothing is parked, and it all goes out once the token works', async (error) => {
    enqueue({ kind: 'user', user: USERS.sam.id }, reply('First', [text('one')]));
    enqueue({ kind: 'user', user: USERS.pat.id }, reply('Second', [text('two')]));
    h.fake.failNext(1, { error }, 'chat.postMessage');
    const t0 = h.rt.clock.now().getTime();
    expect(await h.drain()).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(rows().map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(rows()[0]!.last_error).toContain('check SLACK_BOT_TOKEN');
    expect(rows()[1]!.next_attempt_at).toBe(t0 + 2_000);
    // A message queued while the token is refused waits too, rather than going out first.
    enqueue({ kind: 'user', user: USERS.dana.id }, reply('Third', [text('three')]));
    expect(await h.drain()).toBe(0);
    h.rt.clock.advance(2_000);
    expect(await h.drain()).toBe(3);
    expect(h.fake.callsTo('chat.postMessage').slice(1).map((c) => c.args.text)).toEqual(['First', 'Second', 'Third']);
  });

  it('missing_scope (the app installed without a permission it needs) holds the whole queue in order, naming the scope; once reinstalled, it all goes out', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id }, reply('First', [text('one')]));
    enqueue({ kind: 'user', user: USERS.pat.id }, reply('Second', [text('two')]));
    h.fake.failNext(40, { error: 'missing_scope', more: { needed: 'im:write', provided: 'commands,chat:write' } }, 'chat.postMessage');
    for (let i = 0; i < 40; i++) {
      await h.drain();
      h.rt.clock.advance(600_000);
    }
    expect(rows().map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(rows()[0]!.last_error).toBe('Slack error: missing_scope: the app lacks the scope im:write (it has commands,chat:write); add it from manifests/slack/manifest.yaml and reinstall the app (notifications wait until it is granted)');
    // Only the first was tried each time: the second waited behind it.
    expect(rows()[1]!.attempts).toBe(0);
    expect(await h.drain()).toBe(2);
    expect(h.fake.callsTo('chat.postMessage').slice(-2).map((c) => c.args.text)).toEqual(['First', 'Second']);
  });

  it('a message Slack refuses as invalid_blocks is parked with what Slack said of it, for the log and roe outbox', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id }, reply('First', [text('one')]));
    h.fake.failNext(1, { error: 'invalid_blocks', more: { response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/2/text/text]'] } } }, 'chat.postMessage');
    await h.drain();
    expect(rows().map((r) => ({ status: r.status, error: r.last_error }))).toEqual([
      { status: 'parked', error: 'Slack error: invalid_blocks ([ERROR] must be less than 3001 characters [json-pointer:/blocks/2/text/text])' },
    ]);
  });

  it('a token refused for longer than a rate limit would be waited out still parks nothing: once it works, everything goes out', async () => {
    enqueue({ kind: 'user', user: USERS.sam.id }, reply('First', [text('one')]));
    h.fake.failNext(40, { error: 'invalid_auth' }, 'chat.postMessage');
    for (let i = 0; i < 40; i++) {
      await h.drain();
      h.rt.clock.advance(600_000);
    }
    expect(h.fake.callsTo('chat.postMessage').length).toBeGreaterThan(30);
    expect(rows().map((r) => r.status)).toEqual(['pending']);
    expect(await h.drain()).toBe(1);
  });

  it.each([
    ['restricted_action', 'a setting of that channel or workspace does not let me post there'],
    ['restricted_action_read_only_channel', 'a setting of that channel or workspace does not let me post there'],
    ['restricted_action_thread_only_channel', 'a setting of that channel or workspace does not let me post there'],
  ])('a channel message refused with %s goes by DM to its fallback person, told why', async (error, why) => {
    enqueue({ kind: 'channel', channel: 'C0ESCAL', fallbackUser: USERS.pat.id });
    h.fake.failNext(1, { error }, 'chat.postMessage');
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    expect(visible(dm.args)).toContain(`I could not post this in <#C0ESCAL>: ${why}, so it comes here instead`);
    expect(rows().map((r) => r.status)).toEqual(['delivered']);
  });

  it('a dispute’s update its channel will not take (restricted_action_thread_locked: an admin locked the thread) goes to the raiser’s DM, saying why, instead of being parked', async () => {
    const d = await sharedChannelDispute(h);
    const before = h.fake.callsTo('chat.postMessage').length;
    h.fake.failNext(1, { error: 'restricted_action_thread_locked' }, 'chat.postMessage');
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').slice(before).find((c) => c.args.channel === `D${USERS.contoso.id}` && visible(c.args).includes('I could not post this update'))!;
    expect(visible(dm.args)).toContain(`I could not post this update on dispute #${d.id} in <#${SHARED_CHANNEL}>: its thread is locked, so the updates come here instead`);
    expect(rows().filter((r) => r.status !== 'delivered')).toEqual([]);
  });
});

describe('a dispute thread that is gone', () => {
  const GONE = '1764000100.000200';
  /** A case announced under a message (the "Dispute ownership" shortcut), with two updates queued for its thread. */
  function caseUnder(thread: string) {
    const dispute = openArbitratedCase(h.rt);
    h.rt.store.transaction(() => h.rt.store.disputes.update(dispute.id, { origin: { platform: 'slack', channel: SHARED_CHANNEL, thread } }));
    h.rt.db.sqlite.prepare('DELETE FROM outbox').run();
    enqueue({ kind: 'dispute-thread', disputeId: dispute.id }, reply('Dispute opened', [text('Dispute opened')]));
    enqueue({ kind: 'dispute-thread', disputeId: dispute.id }, reply('Dispute assigned', [text('Dispute assigned')]));
    return dispute;
  }
  const inChannel = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SHARED_CHANNEL);

  it('its first message deleted before anything was posted in it: Slack posts in the channel instead, and that post becomes the thread the later updates join', async () => {
    h.fake.deleted.add(GONE);
    const d = caseUnder(GONE);
    expect(await h.drain()).toBe(2);
    const [first, second] = inChannel();
    expect(first!.args.thread_ts).toBe(GONE);
    expect((first!.result.message as { thread_ts?: string }).thread_ts).toBeUndefined();
    expect(h.rt.store.disputes.get(d.id)!.origin!.thread).toBe(first!.result.ts);
    expect(second!.args.thread_ts).toBe(first!.result.ts);
    expect((second!.result.message as { thread_ts?: string }).thread_ts).toBe(first!.result.ts);
  });

  it('a thread that is still there stays the thread', async () => {
    const d = caseUnder(GONE);
    await h.drain();
    expect(inChannel().map((c) => c.args.thread_ts)).toEqual([GONE, GONE]);
    expect(h.rt.store.disputes.get(d.id)!.origin!.thread).toBe(GONE);
  });

  it.each(['thread_not_found', 'cannot_reply_to_message'])('a thread Slack refuses (%s): the update is posted in the channel instead, becomes the thread, and nothing is parked', async (error) => {
    const d = caseUnder(GONE);
    h.fake.failNext(1, { error }, 'chat.postMessage');
    expect(await h.drain()).toBe(2);
    const [refused, posted, next] = inChannel();
    expect(refused!.result.ok).toBe(false);
    expect(posted!.args.thread_ts).toBeUndefined();
    expect(visible(posted!.args)).toContain('Dispute opened');
    expect(h.rt.store.disputes.get(d.id)!.origin!.thread).toBe(posted!.result.ts);
    expect(next!.args.thread_ts).toBe(posted!.result.ts);
    expect(rows().map((r) => r.status)).toEqual(['delivered', 'delivered']);
  });
});

describe('a case card gone before its update', () => {
  it.each(['message_not_found', 'cant_update_message', 'channel_not_found'])('(%s) is dropped, not parked nor posted anew, and the log says which card, once, without its text', async (error) => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
      const view = await h.openForm(user, '/claim', '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    const d = h.rt.store.disputes.all().at(-1)!;
    await h.drain(); // Pat's case card goes out, and where it landed is remembered
    const card = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const pat = h.rt.resolve({ platform: 'slack', userId: USERS.pat.id, displayName: 'pat', orgId: USERS.pat.team, home: true });
    const posted = h.fake.callsTo('chat.postMessage').length;
    h.fake.failNext(1, { error }, 'chat.update');
    approve(h.rt.deps, pat, `${d.id}:northwind`); // the ruling brings the card up to date
    await h.drain();
    expect(h.fake.callsTo('chat.update').map((u) => u.args.ts)).toEqual([card.result.ts]);
    expect(rows().every((r) => r.status === 'delivered')).toBe(true);
    expect(h.fake.callsTo('chat.postMessage').slice(posted).filter((c) => c.args.channel === `D${USERS.pat.id}`)).toEqual([]);
    const said = h.rt.logs.lines.filter((l) => l.includes('the case card to update is gone'));
    expect(said).toHaveLength(1);
    expect(JSON.parse(said[0]!)).toMatchObject({ level: 30, platform: 'slack', error, kind: 'message', disputeId: d.id, channel: `D${USERS.pat.id}`, ts: card.result.ts });
    expect(said[0]).not.toMatch(/Soylent|Northwind|Contoso|Pat Okafor/);
  });
});

describe('classifySlackError', () => {
  it.each([
    ['rate limited', new webApi.WebAPIRateLimitedError(12), { retryAfterMs: 12_000, permanent: false }],
    ['HTTP 503', new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}), { retryAfterMs: undefined, permanent: false }],
    ['HTTP 429 with a Retry-After header', new webApi.WebAPIHTTPError(429, 'Too Many Requests', { 'retry-after': '5' }), { retryAfterMs: 5_000, permanent: false }],
    ['HTTP 404', new webApi.WebAPIHTTPError(404, 'Not Found', {}), { retryAfterMs: undefined, permanent: true }],
    ['invalid_auth (the token refused: the queue waits)', new webApi.WebAPIPlatformError({ ok: false, error: 'invalid_auth' }), { retryAfterMs: undefined, permanent: false }],
    ['missing_scope (the app lacks a permission: the queue waits)', new webApi.WebAPIPlatformError({ ok: false, error: 'missing_scope' }), { retryAfterMs: undefined, permanent: false }],
    ['HTTP 408 (a proxy timed out)', new webApi.WebAPIHTTPError(408, 'Request Timeout', {}), { retryAfterMs: undefined, permanent: false }],
    ['internal_error', new webApi.WebAPIPlatformError({ ok: false, error: 'internal_error' }), { retryAfterMs: undefined, permanent: false }],
    ['rate_limited (the app posted too many messages)', new webApi.WebAPIPlatformError({ ok: false, error: 'rate_limited' }), { retryAfterMs: undefined, permanent: false }],
    ['update_failed (an internal failure of chat.update)', new webApi.WebAPIPlatformError({ ok: false, error: 'update_failed' }), { retryAfterMs: undefined, permanent: false }],
    ['a network error', new webApi.WebAPIRequestError(new Error('ECONNRESET')), { retryAfterMs: undefined, permanent: false }],
  ])('%s', (_case, error, expected) => {
    const e = classifySlackError(error);
    expect(e).toBeInstanceOf(DeliveryError);
    expect({ retryAfterMs: (e as DeliveryError).retryAfterMs, permanent: (e as DeliveryError).permanent }).toEqual(expected);
  });
});

describe('a Slack call that hangs', () => {
  it('is given up well inside the outbox lease, so no other worker sends the message again meanwhile', () => {
    expect(DELIVERY_CLIENT_OPTIONS.timeout).toBeGreaterThan(0);
    expect(DELIVERY_CLIENT_OPTIONS.timeout * 2).toBeLessThanOrEqual(LEASE_MS);
  });

  it('fails the delivery as one to retry later', async () => {
    const sockets: Socket[] = [];
    const hung = createServer(() => undefined); // takes the request, never answers
    hung.on('connection', (s) => sockets.push(s));
    await new Promise<void>((ok) => hung.listen(0, '127.0.0.1', ok));
    const { port } = hung.address() as AddressInfo;
    try {
      const client = new webApi.WebClient('xoxb-test', { ...DELIVERY_CLIENT_OPTIONS, timeout: 200, slackApiUrl: `http://127.0.0.1:${port}/api/` });
      const error = await client.chat.postMessage({ channel: 'C1', text: 'hi' }).then(() => null, (e: unknown) => e);
      const e = classifySlackError(error);
      expect(e).toBeInstanceOf(DeliveryError);
      expect(e.permanent).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => hung.close(ok));
    }
  });
});

describe('a dispute thread’s first post when the database is busy', () => {
  it('the post went out: remembering its thread waits for the database instead of failing the delivery (which would post a second thread)', async () => {
    const dispute = openArbitratedCase(h.rt);
    h.rt.store.transaction(() => h.rt.store.disputes.update(dispute.id, { origin: { platform: 'slack', channel: SHARED_CHANNEL, thread: null } }));
    let refusals = 2;
    const busyOnce: Pick<DisputesRepo, 'get' | 'update'> = {
      get: (id) => h.rt.store.disputes.get(id),
      update: (id, patch) => {
        if (patch.origin && refusals-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        h.rt.store.disputes.update(id, patch);
      },
    };
    const deliver = createSlackDeliverer({ client: new webApi.WebClient(BOT_TOKEN, { ...DELIVERY_CLIENT_OPTIONS, slackApiUrl: h.fake.apiUrl }), disputes: busyOnce, caseCards: slackCaseCards(h.rt), log: h.rt.logger });
    h.rt.db.sqlite.prepare('DELETE FROM outbox').run(); // only the message of this test
    enqueue({ kind: 'dispute-thread', disputeId: dispute.id }, reply('Dispute opened', [text('Dispute opened')]));
    expect(await drainOutbox(h.rt.db.db, { slack: deliver }, () => h.rt.clock.now(), h.rt.logger)).toBe(1);
    const roots = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(roots).toHaveLength(1);
    expect(h.rt.store.disputes.get(dispute.id)!.origin!.thread).toBe(roots[0]!.result.ts);
  });
});
