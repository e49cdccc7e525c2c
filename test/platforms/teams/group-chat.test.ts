import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS as V } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { policyTextWith } from '../../support/builders.js';
import { cardOf, findIn, readCard } from '../../support/fake-connector.js';
import { CHANNEL, GROUP_CHAT, startTeams, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

let h: TeamsHarness;
let dir: string;
beforeEach(async () => {
  // First registration only recommends: a dispute over a held line waits for the arbitrator.
  dir = mkdtempSync(join(tmpdir(), 'roe-teams-'));
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(policyPath, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
  h = await startTeams({ policyPath });
});
afterEach(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The submit button of a form card. */
function submitOf(card: Record<string, unknown>, verb: string): { verb: string; data: Record<string, unknown> } {
  const button = findIn(card.body, (o) => o.type === 'Action.Execute' && o.verb === verb)[0];
  if (!button) throw new Error(`no ${verb} button on ${readCard(card)}`);
  return { verb, data: button.data as Record<string, unknown> };
}

/** Types `command` where `scope` says (the answer of a group chat or channel: the asker's refresh of the card everyone sees), then submits its form with `values`. */
async function throughForm(u: TeamsUser, command: string, verb: string, values: Record<string, string>, scope: Scope): Promise<string> {
  const stub = await h.say(u, command, scope);
  const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
  const form = await h.click(u, refresh.action.verb, refresh.action.data, scope);
  const submit = submitOf(form, verb);
  return readCard(await h.click(u, submit.verb, { ...submit.data, ...values }, scope));
}

const raise = (u: TeamsUser, account: string, shown: string, scope: Scope) =>
  throughForm(u, `dispute ${account}`, V.submits[FORMS.dispute], { account: shown, product: 'Analytics', against: '', reason: 'We met the CIO first.', evidence: '' }, scope);

describe('a dispute raised in a group chat (which has no threads: its updates are posted in the chat itself)', () => {
  it('says its updates follow in the chat, and its question asks for answers in the chat, not in a thread', async () => {
    const scope: Scope = { kind: 'groupChat' };
    const raised = await raise(USERS.contoso, 'acme', 'Acme Corporation', scope);
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', origin: { platform: 'teams', channel: GROUP_CHAT, thread: null } });
    expect(raised).toContain('Updates will follow in the chat where it was raised.');
    expect(raised).not.toContain('thread');
    await h.drain();

    const form = await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) });
    expect(readCard(form)).toContain("The question goes as written to the dispute's chat, which people of several partners may read");
    expect(readCard(form)).not.toContain('thread');
    const submit = submitOf(form, V.submits[FORMS.ask]);
    const before = h.connector.calls.length;
    await h.click(USERS.pat, submit.verb, { ...submit.data, question: 'Who met the CIO first?' });
    await h.drain();
    const sent = h.connector.calls.slice(before).filter((c) => c.kind === 'send' || c.kind === 'reply');
    const inChat = sent.filter((c) => c.conversationId === GROUP_CHAT).map((c) => readCard(cardOf(c)));
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toContain('Who met the CIO first?');
    expect(inChat[0]).toContain('Each party was sent this question by direct message, with a button to answer Pat Okafor.');
    expect(inChat[0]).not.toContain('thread');
    // The parties, told by DM, answer Pat with its button.
    const toParties = sent.filter((c) => c.conversationId !== GROUP_CHAT).map((c) => readCard(cardOf(c)));
    expect(toParties.length).toBeGreaterThan(0);
    for (const t of toParties) {
      expect(t).toContain('Answer with the button below: your answer goes only to Pat Okafor, who rules on it; no other party sees it.');
      expect(t).not.toContain('thread');
    }
  });

  it('control: raised in a channel, its updates follow in the thread', async () => {
    const scope: Scope = { kind: 'channel', root: '1700000000777' };
    expect(await raise(USERS.contoso, 'acme', 'Acme Corporation', scope)).toContain('Updates will follow in the thread where it was raised.');
    const d = h.rt.store.disputes.all().at(-1)!;
    await h.drain();
    const form = await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) });
    expect(readCard(form)).toContain("The question goes as written to the dispute's thread");
    const submit = submitOf(form, V.submits[FORMS.ask]);
    await h.click(USERS.pat, submit.verb, { ...submit.data, question: 'Who met the CIO first?' });
    await h.drain();
    const thread = h.connector.messages(`${CHANNEL};messageid=1700000000777`).map((c) => readCard(cardOf(c)));
    expect(thread.filter((t) => t.includes('Who met the CIO first?'))).toEqual([expect.stringContaining('Each party was sent this question by direct message, with a button to answer Pat Okafor.')]);
  });
});
