/**
 * Teams refuses a post in a channel the bot was removed from (403: out of its team) or that was
 * deleted (404), and in a group chat it was taken out of. What should have been read there goes
 * to the 1:1 chat of the person it is for, saying why, as Slack's DM does: a dispute's update to
 * the person who raised it, an escalation post to the last person of the chain.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS as V } from '../../../handlers/platforms/teams/ids.js';
import { FORMS, TONE_MARK } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { policyTextWith } from '../../support/builders.js';
import { cardOf, executeOf, readCard, type ConnectorCall } from '../../support/fake-connector.js';
import { CHANNEL, GROUP_CHAT, installActivity, personalChat, startTeams, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const ESCALATIONS = '19:escalations@thread.tacv2';
let h: TeamsHarness;
let dir: string;
beforeEach(async () => {
  // First registration only recommends (a dispute over a held line waits for the arbitrator),
  // and Teams has an escalation channel.
  dir = mkdtempSync(join(tmpdir(), 'roe-teams-removed-'));
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(policyPath, policyTextWith([
    ['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }'],
    ['escalation_channel: { slack: C0ESCAL }', `escalation_channel: { slack: C0ESCAL, teams: "${ESCALATIONS}" }`],
  ]));
  h = await startTeams({ policyPath });
});
afterEach(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Types `command` where `scope` says, then submits its form (the asker's refresh of the card everyone sees) with `values`. */
async function throughForm(u: TeamsUser, command: string, verb: string, values: Record<string, string>, scope: Scope): Promise<string> {
  const stub = await h.say(u, command, scope);
  const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
  const form = await h.click(u, refresh.action.verb, refresh.action.data, scope);
  const submit = executeOf(form, verb);
  return readCard(await h.click(u, submit.verb, { ...submit.data, ...values }, scope));
}

/** Contoso raises a dispute over Acme where `scope` says: it waits for Pat. */
async function raise(scope: Scope) {
  await throughForm(USERS.contoso, 'dispute acme', V.submits[FORMS.dispute], { account: 'Acme Corporation', product: 'Analytics', against: '', reason: 'We met the CIO first.', evidence: '' }, scope);
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', raisedBy: `teams:${USERS.contoso.id}` });
  return d;
}

const posted = (calls: ConnectorCall[]) => calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && c.status === 200);
interface Row { target: string; status: string; attempts: number; last_error: string | null; delivered_at: number | null }
const threadRows = (disputeId: number) =>
  (h.rt.db.sqlite.prepare("select target, status, attempts, last_error, delivered_at from outbox where json_extract(target, '$.kind') = 'dispute-thread' and json_extract(target, '$.disputeId') = ? order by id").all(disputeId) as Row[]);

describe('a dispute’s update Teams refuses where the dispute was raised', () => {
  it('removed from the channel’s team (403): the update goes once to the raiser’s 1:1 chat, made for them and saying why; back in the team, updates go to the thread again', async () => {
    await h.post(installActivity(USERS.contoso, { kind: 'personal' }, h.connector.url));
    const d = await raise({ kind: 'channel', root: '1700000000777' });
    expect(d.origin).toEqual({ platform: 'teams', channel: CHANNEL, thread: '1700000000777' });
    // The bot is taken out of the team before the announcement goes out.
    h.connector.refused.set(CHANNEL, 403);
    const before = h.connector.calls.length;
    await h.drain();
    const calls = h.connector.calls.slice(before);
    expect(posted(calls).filter((c) => c.conversationId?.startsWith(CHANNEL)), 'nothing reached the channel').toEqual([]);
    const rows = threadRows(d.id);
    expect(rows.length, 'updates for the thread').toBeGreaterThan(0);
    // Each update was tried in the channel once, then sent to Contoso once, and recorded delivered, no failure on its record.
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual(rows.map(() => ['delivered', 0, null]));
    expect(calls.filter((c) => c.conversationId === `${CHANNEL};messageid=1700000000777`).map((c) => c.status)).toEqual(rows.map(() => 403));
    const toContoso = posted(calls).filter((c) => c.conversationId === personalChat(USERS.contoso)).map((c) => readCard(cardOf(c)));
    const moved = toContoso.filter((t) => t.includes('I could not post this update'));
    expect(moved).toHaveLength(rows.length);
    // The line saying why comes first, above the update.
    for (const t of moved) {
      expect(t.split('\n')[0]).toBe(`${TONE_MARK.warning}I could not post this update on dispute #${d.id} in the channel where it was raised: I am no longer in its team (or may not post there), so the updates come here instead; add me to that team again and the next updates go to the channel. Here it is:`);
    }
    // As Contoso reads the case (its own name; the other party unnamed), not as the channel would.
    expect(moved.join('\n')).toContain(`Dispute #${d.id}: Acme Corporation`);
    expect(moved.join('\n')).toContain('Contoso Consulting vs another party');

    // Back in the team: the next update (Pat's question) goes to the thread, and to nobody's 1:1 in its stead.
    h.connector.refused.delete(CHANNEL);
    const form = await h.click(USERS.pat, V.actions.rule_ask, { value: String(d.id) });
    const submit = executeOf(form, V.submits[FORMS.ask]);
    await h.click(USERS.pat, submit.verb, { ...submit.data, question: 'Who met the CIO first?' });
    const after = h.connector.calls.length;
    await h.drain();
    const later = posted(h.connector.calls.slice(after));
    expect(later.filter((c) => c.conversationId === `${CHANNEL};messageid=1700000000777`).map((c) => readCard(cardOf(c))).join('\n')).toContain('Who met the CIO first?');
    expect(later.some((c) => readCard(cardOf(c)).includes('I could not post'))).toBe(false);
    expect(threadRows(d.id).every((r) => r.status === 'delivered')).toBe(true);
  });

  it.each([
    ['a channel deleted (404)', { kind: 'channel', root: '1700000000778' } as Scope, CHANNEL, 404 as const, 'in the channel where it was raised: that channel no longer exists, so the updates come here instead. Here it is:'],
    ['a group chat the bot was taken out of (403)', { kind: 'groupChat' } as Scope, GROUP_CHAT, 403 as const, 'in the chat where it was raised: I am no longer in that chat, so the updates come here instead; add me to that chat again and the next updates go there. Here it is:'],
  ])('%s: the raiser, never met in a 1:1, gets the updates in a 1:1 chat opened once for them, saying why', async (_, scope, conversation, status, why) => {
    const d = await raise(scope);
    h.connector.refused.set(conversation, status);
    const before = h.connector.calls.length;
    await h.drain();
    const calls = h.connector.calls.slice(before);
    const opened = calls.filter((c) => c.kind === 'create' && (c.body.members as { id: string }[])[0]!.id === USERS.contoso.id);
    expect(opened, 'one 1:1 chat opened for Contoso').toHaveLength(1);
    const moved = posted(calls).filter((c) => readCard(cardOf(c)).includes('I could not post this update'));
    const rows = threadRows(d.id);
    expect(moved).toHaveLength(rows.length);
    expect(new Set(moved.map((c) => c.conversationId)).size, 'all in the one chat opened').toBe(1);
    for (const c of moved) expect(readCard(cardOf(c))).toContain(`I could not post this update on dispute #${d.id} ${why}`);
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual(rows.map(() => ['delivered', 0, null]));
  });

  it('an update the raiser was already told of in a message of their own is not sent again in the thread’s stead', async () => {
    await h.post(installActivity(USERS.contoso, { kind: 'personal' }, h.connector.url));
    const d = await raise({ kind: 'channel', root: '1700000000779' });
    await h.drain();
    h.connector.refused.set(CHANNEL, 403);
    const pick = executeOf(await h.click(USERS.pat, V.actions.rule_award, { value: String(d.id) }), V.submits[FORMS.award]);
    await h.click(USERS.pat, pick.verb, { ...pick.data, party: 'contoso', rationale: 'Contoso met the CIO first.' });
    const before = h.connector.calls.length;
    await h.drain();
    const toContoso = posted(h.connector.calls.slice(before)).filter((c) => c.conversationId === personalChat(USERS.contoso)).map((c) => readCard(cardOf(c)));
    // Their own message of how it ended, once; not the thread's post besides.
    expect(toContoso).toHaveLength(1);
    expect(toContoso[0]).not.toContain('I could not post');
    expect(threadRows(d.id).every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a dispute raised in the raiser’s own 1:1 chat, refused there, is parked as before: there is no other chat to send it to', async () => {
    await h.post(installActivity(USERS.contoso, { kind: 'personal' }, h.connector.url));
    await throughPersonal();
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.origin).toMatchObject({ channel: personalChat(USERS.contoso) });
    h.connector.refused.set(personalChat(USERS.contoso), 403);
    const before = h.connector.calls.length;
    await h.drain();
    expect(posted(h.connector.calls.slice(before)).some((c) => readCard(cardOf(c)).includes('I could not post'))).toBe(false);
    const rows = threadRows(d.id);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'parked' && r.last_error?.startsWith('Teams answered HTTP 403'))).toBe(true);
  });
});

/** Contoso raises the dispute over Acme in its 1:1 chat with the bot. */
async function throughPersonal(): Promise<void> {
  const form = await h.say(USERS.contoso, 'dispute acme');
  const submit = executeOf(form, V.submits[FORMS.dispute]);
  await h.click(USERS.contoso, submit.verb, { ...submit.data, account: 'Acme Corporation', product: 'Analytics', against: '', reason: 'We met the CIO first.', evidence: '' });
}

describe('a case past its whole escalation chain, the escalation channel refused', () => {
  it('goes to the last person of the chain in a 1:1 chat, naming the escalation channel and why it is not there', async () => {
    const d = await raise({ kind: 'channel', root: '1700000000780' });
    h.connector.refused.set(ESCALATIONS, 403);
    const posts = () => h.rt.db.sqlite.prepare("select status, attempts, last_error from outbox where json_extract(target, '$.channel') = ?").all(ESCALATIONS);
    for (let i = 0; i < 120 && posts().length === 0; i++) {
      h.rt.clock.advance(3 * 3600_000);
      tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
      await h.drain();
    }
    await h.drain();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', status: 'open' });
    expect(posts()).toEqual([{ status: 'delivered', attempts: 0, last_error: null }]);
    const moved = posted(h.connector.calls).filter((c) => readCard(cardOf(c)).includes('I could not post this in'));
    expect(moved).toHaveLength(1);
    const shown = readCard(cardOf(moved[0]));
    expect(shown.split('\n')[0]).toBe(`${TONE_MARK.warning}I could not post this in the escalation channel: I am not in its team (or may not post there), so it comes here instead (add me to that team). Here it is:`);
    expect(shown).toContain('you are the last in it: it is still yours to rule');
    const opened = h.connector.calls.filter((c) => c.kind === 'create' && (c.body.members as { id: string }[])[0]!.id === '29:vp');
    expect(opened).toHaveLength(1);
  });
});
