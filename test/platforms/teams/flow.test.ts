import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCsv } from '../../../src/core/import/import.service.js';
import { ALL_VERBS, TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { policyTextWith } from '../../support/builders.js';
import { cardOf, markdownOf, readCard } from '../../support/fake-connector.js';
import { CHANNEL, installActivity, invokeActivity, personalChat, startTeams, submitActivity, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

const ledgerCount = () => [...h.rt.store.ledger.entries()].length;

/** The inputs of a card, by id. */
function inputs(card: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string') out.set(o.id, o);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.body);
  return out;
}

/** The Action.Execute buttons of a card. */
function buttons(card: Record<string, unknown>): { title: string; verb: string; data: Record<string, unknown> }[] {
  const out: { title: string; verb: string; data: Record<string, unknown> }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push({ title: o.title as string, verb: o.verb as string, data: o.data as Record<string, unknown> });
      for (const [k, child] of Object.entries(o)) if (k !== 'refresh' && k !== 'fallback') walk(child);
    }
  };
  walk(card.body);
  return out;
}

const claimInputs = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage: 'qualified', amount: '25000', evidence: '', ...over });

/** Opens the claim form by typing `claim` and submits it through its button, as Teams would merge the inputs. */
async function claimThroughCard(u: TeamsUser, values: Record<string, string>, scope: Scope = { kind: 'personal' }): Promise<Record<string, unknown>> {
  let form: Record<string, unknown>;
  if (scope.kind === 'personal') form = await h.say(u, 'claim');
  else {
    const stub = await h.say(u, 'claim', scope);
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    form = await h.click(u, refresh.action.verb, refresh.action.data, scope);
  }
  const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim]);
  if (!submit) throw new Error(`no submit button on ${readCard(form)}`);
  return h.click(u, submit.verb, { ...submit.data, ...values }, scope);
}

describe('a form asked for in a channel', () => {
  it('keeps what it filed: when Teams refreshes the asker’s card again (back in the channel, another device), it shows the claim, not a blank form, even after a correction', async () => {
    const scope: Scope = { kind: 'channel', root: '1700000000999' };
    const stub = await h.say(USERS.northwind, 'claim', scope);
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    const form = await h.click(USERS.northwind, refresh.action.verb, refresh.action.data, scope);
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    // A mistake first: the form comes back with the error, the same card.
    const corrected = await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs({ opportunity: '' }) }, scope);
    const again = buttons(corrected).find((b) => b.verb === V.submits[FORMS.claim])!;
    expect(readCard(await h.click(USERS.northwind, again.verb, { ...again.data, ...claimInputs() }, scope))).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\)/);
    const claim = h.rt.store.claims.all().at(-1)!;
    // Teams runs the stored card's refresh again: the claim as it stands, no form to send twice.
    const later = await h.click(USERS.northwind, refresh.action.verb, refresh.action.data, scope);
    expect(readCard(later)).toContain(`Claim #${claim.id} on Soylent Corp (Analytics), filed from this form on`);
    expect(buttons(later).some((b) => b.verb === V.submits[FORMS.claim])).toBe(false);
    expect(later.refresh).toBeDefined();
    // A new `claim` message of the same person is a new form (the card of another message).
    const next = await h.say(USERS.northwind, 'claim', scope);
    const res = await h.post(invokeActivity(USERS.northwind, (next.refresh as typeof refresh).action.verb, (next.refresh as typeof refresh).action.data, scope, h.connector.url, 'activity-2'));
    const nextForm = (res.body as { value: Record<string, unknown> }).value;
    expect(buttons(nextForm).some((b) => b.verb === V.submits[FORMS.claim])).toBe(true);
    // Someone else asking in the channel gets a form of their own.
    const other = await h.say(USERS.contoso, 'claim', scope);
    const theirs = await h.click(USERS.contoso, (other.refresh as typeof refresh).action.verb, (other.refresh as typeof refresh).action.data, scope);
    expect(buttons(theirs).some((b) => b.verb === V.submits[FORMS.claim])).toBe(true);
  });
});

describe('a claim through the card', () => {
  it('opens the form, shows the server’s errors on the card with what was typed, then files it', async () => {
    const form = await h.say(USERS.northwind, 'claim');
    expect(readCard(form)).toContain('Register a deal');
    // a partner claims for their own organisation: no "claim for" choice
    expect([...inputs(form).keys()]).toEqual(['account', 'route', 'product', 'opportunity', 'stage', 'amount', 'evidence']);
    expect(inputs(form).get('opportunity')).toMatchObject({ type: 'Input.Text', isRequired: true, errorMessage: 'Opportunity name is required.' });

    const before = h.rt.store.claims.all().length;
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const missing = await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs({ opportunity: '' }) });
    // One line above, the problem under its field (the summary named fields by their ids).
    expect(readCard(missing)).toContain('Please fix what is marked below (one field).');
    expect(readCard(missing)).not.toContain('opportunity: Required');
    expect(inputs(missing).get('route')?.value).toBe('resell');
    expect(inputs(missing).get('account')?.value).toBe('soylent');
    const unknown = await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs({ account: 'zzqx industries' }) });
    expect(readCard(unknown)).toContain('No account matches "zzqx industries"');
    expect(inputs(unknown).get('account')?.value).toBe('zzqx industries');
    expect(inputs(unknown).get('opportunity')?.value).toBe('Soylent rollout');
    expect(h.rt.store.claims.all()).toHaveLength(before);

    const done = readCard(await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs() }));
    expect(done).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) is protected until/);
    const claim = h.rt.store.claims.all().at(-1)!;
    expect(claim).toMatchObject({ accountId: 'soylent', claimant: 'northwind', createdBy: `teams:${USERS.northwind.id}` });
  });

  it('the same submit delivered twice files the claim once', async () => {
    const activity = invokeActivity(USERS.northwind, V.submits[FORMS.claim], { state: {}, ...claimInputs() }, { kind: 'personal' }, h.connector.url);
    const before = h.rt.store.claims.all().length;
    expect((await h.post(activity)).status).toBe(200);
    expect((await h.post(activity)).status).toBe(200);
    expect(h.rt.store.claims.all()).toHaveLength(before + 1);
  });

  it('a double click on the form’s button (two activities) files one claim, also on an account another partner holds', async () => {
    await claimThroughCard(USERS.northwind, claimInputs({ stage: 'proposal' }));
    const form = await h.say(USERS.contoso, 'claim');
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const before = h.rt.store.claims.all().length;
    const first = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs() }));
    const second = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs() }));
    const filed = h.rt.store.claims.all().slice(before);
    expect(filed).toHaveLength(1);
    expect(second).toContain(`Claim #${filed[0]!.id}`);
    expect(first).toContain(`Claim #${filed[0]!.id}`);
  });

  it('the second click of a double click (the answer Teams shows last) tells the claim as it stands: its dispute, not "pending approval" nor "dispute #null", on the account it was filed on', async () => {
    await claimThroughCard(USERS.northwind, claimInputs({ stage: 'proposal' }));
    const form = await h.say(USERS.contoso, 'claim');
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const first = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs() }));
    const second = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs() }));
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(first).toContain(`Dispute #${d.id} is with the arbitrator`);
    expect(second).not.toContain('pending approval');
    expect(second).toContain(`Dispute #${d.id} is with Pat Okafor`);
    // The same card sent again with other values files nothing more, and names the account filed on.
    const changed = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs({ account: 'initech' }) }));
    expect(changed).toContain('on Soylent Corp (Analytics)');
    expect(changed).not.toContain('Initech');
    // A claim the criteria rejected (Stark is Northwind's named account), clicked twice.
    const stark = await h.say(USERS.contoso, 'claim');
    const again = buttons(stark).find((b) => b.verb === V.submits[FORMS.claim])!;
    const rejected = readCard(await h.click(USERS.contoso, again.verb, { ...again.data, ...claimInputs({ account: 'stark' }) }));
    const settled = h.rt.store.disputes.all().at(-1)!;
    expect(rejected).toContain(`was not accepted: the criteria settled dispute #${settled.id} for another party`);
    const twice = readCard(await h.click(USERS.contoso, again.verb, { ...again.data, ...claimInputs({ account: 'stark' }) }));
    expect(twice).not.toContain('#null');
    expect(twice).toContain(`Dispute #${settled.id}: Settled automatically by the criteria: another party owns it`);
    expect(twice).not.toContain('Northwind');
  });

  it('the same form card submitted by two people files a claim for each (the second never gets the first one’s answer)', async () => {
    const form = await h.say(USERS.northwind, 'claim');
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const before = h.rt.store.claims.all().length;
    await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs() });
    const other = readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs({ account: 'initech' }) }));
    expect(h.rt.store.claims.all().slice(before).map((c) => [c.claimant, c.accountId])).toEqual([
      ['northwind', 'soylent'],
      ['contoso', 'initech'],
    ]);
    expect(other).not.toContain('Soylent');
  });

  it('with more partners than a card can list, a colleague types whom the claim is for, by name', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => `p${i},Partner Number ${i} Consulting,silver,,`);
    importCsv(h.rt.ctx, 'partners', 'partners.csv', ['id,name,tier,slack_team_id,teams_tenant_id', ...rows].join('\n'));
    const form = await h.say(USERS.sam, 'claim');
    expect(JSON.stringify(form).length).toBeLessThan(40_000);
    expect(inputs(form).get('claimant')).toMatchObject({ type: 'Input.Text', value: 'Direct sales' });
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const unknown = await h.click(USERS.sam, submit.verb, { ...submit.data, ...claimInputs({ claimant: 'Partner Number 1000 Consulting' }) });
    expect(readCard(unknown)).toContain('No partner named "Partner Number 1000 Consulting"');
    expect(inputs(unknown).get('claimant')?.value).toBe('Partner Number 1000 Consulting');
    const done = readCard(await h.click(USERS.sam, submit.verb, { ...submit.data, ...claimInputs({ claimant: ' partner number 998 consulting ' }) }));
    // Whose the claim is, as /roe mine names it.
    expect(done).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) for Partner Number 998 Consulting is protected/);
    expect(h.rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'p998', accountId: 'soylent' });
  });

  it('with Action.Submit (clients without Universal Actions) the card is replaced in place', async () => {
    const res = await h.post(submitActivity(USERS.northwind, { verb: V.submits[FORMS.claim], state: {}, ...claimInputs() }, { kind: 'personal' }, h.connector.url, 'activity-42'));
    expect(res.status).toBe(200);
    const update = h.connector.calls.find((c) => c.kind === 'update');
    expect(update).toMatchObject({ method: 'PUT', conversationId: personalChat(USERS.northwind), activityId: 'activity-42' });
    expect(readCard(cardOf(update))).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) is protected/);
  });
});

describe('a dispute through the card, for a partner', () => {
  const disputeInputs = (over: Record<string, string> = {}) => ({ account: 'acme', product: 'Analytics', against: '', reason: 'They ran the workshops with the CIO', evidence: '', ...over });

  it("a colleague's card asks whom the dispute is for, Direct sales first and chosen; raised for a partner, it names the partner; a partner's user's card has no such input", async () => {
    const form = await h.say(USERS.sam, 'dispute acme');
    const choice = inputs(form).get('claimant') as { type: string; label: string; value: string; choices: { title: string; value: string }[] };
    expect(choice).toMatchObject({ type: 'Input.ChoiceSet', label: 'Dispute for', value: 'direct' });
    expect(choice.choices.map((c) => [c.value, c.title])).toEqual([['direct', 'Direct sales'], ['contoso', 'Contoso Consulting'], ['fabrikam', 'Fabrikam Systems'], ['northwind', 'Northwind Partners']]);
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.dispute])!;
    const done = readCard(await h.click(USERS.sam, submit.verb, { ...submit.data, ...disputeInputs({ claimant: 'contoso' }) }));
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ raisedBy: `teams:${USERS.sam.id}`, raisedAs: 'contoso', parties: ['contoso', 'northwind'] });
    expect(done).toContain(`Dispute #${d.id} on Acme Corporation (Analytics) for Contoso Consulting was settled at once by the criteria: Northwind Partners owns it.`);
    expect([...inputs(await h.say(USERS.contoso, 'dispute acme')).keys()]).not.toContain('claimant');
  });

  it('with more partners than a card can list, a colleague types whom the dispute is for, by name', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => `p${i},Partner Number ${i} Consulting,silver,,`);
    importCsv(h.rt.ctx, 'partners', 'partners.csv', ['id,name,tier,slack_team_id,teams_tenant_id', ...rows].join('\n'));
    const form = await h.say(USERS.sam, 'dispute acme');
    expect(inputs(form).get('claimant')).toMatchObject({ type: 'Input.Text', value: 'Direct sales' });
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.dispute])!;
    const unknown = await h.click(USERS.sam, submit.verb, { ...submit.data, ...disputeInputs({ claimant: 'Partner Number 1000 Consulting' }) });
    expect(readCard(unknown)).toContain('No partner named "Partner Number 1000 Consulting"');
    expect(inputs(unknown).get('claimant')?.value).toBe('Partner Number 1000 Consulting');
    expect(h.rt.store.disputes.all()).toEqual([]);
    const done = readCard(await h.click(USERS.sam, submit.verb, { ...submit.data, ...disputeInputs({ claimant: ' partner number 998 consulting ' }) }));
    expect(done).toMatch(/Dispute #\d+ on Acme Corporation \(Analytics\) for Partner Number 998 Consulting was settled at once by the criteria/);
    expect(h.rt.store.disputes.all().at(-1)).toMatchObject({ raisedAs: 'p998', accountId: 'acme' });
  });
});

describe('a claim on a prefilled account', () => {
  /** Two accounts whose names share a prefix, so that "Initech GmbH" typed would match several. */
  function importInitechs(): void {
    importCsv(h.rt.ctx, 'accounts', 'accounts.csv', 'id,name,domains\ninitech-de,Initech GmbH,initech.de\ninitech-us,Initech LLC,initech.us\n');
    h.rt.reindex();
  }

  /** who-owns, then its Claim button: the claim form with the account filled in. */
  async function formFromWhoOwns(u: TeamsUser, query: string): Promise<Record<string, unknown>> {
    const answer = await h.say(u, `who-owns ${query}`);
    const claim = buttons(answer).find((b) => b.verb === V.actions[ACTIONS.openClaim]);
    if (!claim) throw new Error(`no Claim button on ${readCard(answer)}`);
    return h.click(u, claim.verb, claim.data);
  }

  it('submitted unchanged, files the claim on the account shown (its id), even when its name matches several', async () => {
    importInitechs();
    const form = await formFromWhoOwns(USERS.northwind, 'initech.de');
    expect(inputs(form).get('account')?.value).toBe('Initech GmbH');
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const done = readCard(await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs({ account: 'Initech GmbH' }) }));
    expect(done).toMatch(/Claim #\d+ on Initech GmbH \(Analytics\) is protected until/);
    expect(h.rt.store.claims.all().at(-1)).toMatchObject({ accountId: 'initech-de', claimant: 'northwind' });
  });

  it('shown again with errors, it still shows the name and still stands for the id; text typed over it is resolved as typed', async () => {
    importInitechs();
    const form = await formFromWhoOwns(USERS.northwind, 'initech.de');
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.claim])!;
    const again = await h.click(USERS.northwind, submit.verb, { ...submit.data, ...claimInputs({ account: 'Initech GmbH', opportunity: '' }) });
    expect(readCard(again)).toContain('Please fix what is marked below (one field).');
    expect(inputs(again).get('account')?.value).toBe('Initech GmbH');
    const resubmit = buttons(again).find((b) => b.verb === V.submits[FORMS.claim])!;
    expect(readCard(await h.click(USERS.northwind, resubmit.verb, { ...resubmit.data, ...claimInputs({ account: 'Initech GmbH' }) }))).toMatch(/Claim #\d+ on Initech GmbH/);
    expect(h.rt.store.claims.all().at(-1)).toMatchObject({ accountId: 'initech-de' });
    // the person replaced the name (on a new form: that one filed its claim): what they typed is what counts
    const fresh = buttons(await formFromWhoOwns(USERS.northwind, 'initech.de')).find((b) => b.verb === V.submits[FORMS.claim])!;
    const typed = await h.click(USERS.northwind, fresh.verb, { ...fresh.data, ...claimInputs({ account: 'soylent' }) });
    expect(readCard(typed)).toMatch(/Claim #\d+ on Soylent Corp/);
    expect(h.rt.store.claims.all().at(-1)).toMatchObject({ accountId: 'soylent' });
  });
});

describe('an overlap, the arbitrator’s card and the ruling', () => {
  /** Northwind claims Soylent at proposal in a 1:1, Contoso at qualified in the shared channel: the arbitrator (Pat) gets the case. */
  async function openCase() {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    await claimThroughCard(USERS.northwind, claimInputs({ stage: 'proposal', evidence: 'Signed **NDA**, see [deck](http://x) <at>Pat</at>' }));
    const answer = readCard(await claimThroughCard(USERS.contoso, claimInputs(), { kind: 'channel', root: '1700000000555' }));
    expect(answer).toMatch(/overlaps another claim\. Dispute #\d+ is with the arbitrator/);
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', origin: { platform: 'teams', channel: CHANNEL, thread: '1700000000555' } });
    await h.drain();
    return d;
  }

  it('reaches the arbitrator’s 1:1 as a case card with ruling buttons that refreshes in place', async () => {
    const d = await openCase();
    const dms = h.connector.messages(personalChat(USERS.pat)).filter((c) => readCard(cardOf(c)).includes(`Dispute #${d.id}`));
    expect(dms).toHaveLength(1);
    expect(dms[0]!.kind).toBe('send');
    const card = cardOf(dms[0]);
    const text = readCard(card);
    expect(text).toContain('Soylent Corp (Analytics)');
    expect(text).toMatch(/Parties\n(Northwind Partners vs Contoso Consulting|Contoso Consulting vs Northwind Partners)/);
    expect(text).toContain('Recommendation');
    expect(text).toContain('[Approve: Northwind Partners]');
    expect(text).toContain('[Award to another party]');
    expect(text).toContain('[Ask for information]');
    // the claimant's evidence is there, as text
    expect(text).toContain('Signed **NDA**, see [deck](http://x) <at>Pat</at>');
    expect(markdownOf(card).join('\n')).not.toContain('<at>');
    expect(card.refresh).toMatchObject({ action: { type: 'Action.Execute', verb: V.refresh.disputeCase, data: { value: `${d.id}:${d.recommendation}` } } });
    // a 1:1 chat has fewer than 60 members: everyone in it refreshes, no user list needed
    expect(card.refresh).not.toHaveProperty('userIds');
  });

  it('an arbitrator the policy names by Entra object id gets a case card that refreshes for them (no raw policy id as a user id)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-teams-'));
    try {
      const policyPath = join(dir, 'policy.yaml');
      writeFileSync(policyPath, policyTextWith([['teams: "29:pat"', `teams: "${USERS.pat.aadObjectId}"`]]));
      await h.stop();
      h = await startTeams({ policyPath });
      const d = await openCase();
      const dms = h.connector.messages(personalChat(USERS.pat)).filter((c) => readCard(cardOf(c)).includes(`Dispute #${d.id}`));
      expect(dms).toHaveLength(1);
      const refresh = cardOf(dms[0]).refresh as { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] };
      expect(refresh.userIds ?? []).not.toContain(USERS.pat.aadObjectId);
      expect(refresh.userIds === undefined || (refresh.userIds.length === 1 && refresh.userIds[0] === USERS.pat.id)).toBe(true);
      // Pat's client refreshing it gets the ruling buttons
      expect(readCard(await h.click(USERS.pat, refresh.action.verb, refresh.action.data))).toContain('[Approve: Northwind Partners]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a refused click on the case card (a snooze past the breach) shows the case as it stands with the refusal above it, ruling buttons kept', async () => {
    const d = await openCase();
    // After the second reminder (0.8 of the SLA), a 4-hour snooze would pass the breach.
    h.rt.clock.set(new Date(d.createdAt.getTime() + 0.85 * (d.dueAt!.getTime() - d.createdAt.getTime())));
    const answer = await h.click(USERS.pat, V.actions[ACTIONS.snooze], { value: `${d.id}:4h` });
    const text = readCard(answer);
    expect(text).toMatch(/snooze past the SLA breach/);
    expect(text).toContain('Nothing was changed.');
    expect(text).toContain(`Dispute #${d.id}: Soylent Corp`);
    expect(text).toContain('[Approve: Northwind Partners]');
    expect(h.rt.store.disputes.get(d.id)!.status).toBe('open');
  });

  it('a dispute raised in the raiser’s own 1:1 chat is told there as the raiser sees it (their own name), not as to a shared channel', async () => {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    await claimThroughCard(USERS.northwind, claimInputs({ stage: 'proposal' }));
    await claimThroughCard(USERS.contoso, claimInputs());
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.origin).toMatchObject({ platform: 'teams', channel: personalChat(USERS.contoso) });
    await h.drain();
    const told = h.connector.messages(personalChat(USERS.contoso)).map((c) => readCard(cardOf(c))).filter((t) => t.includes(`Dispute #${d.id}`));
    expect(told.length).toBeGreaterThan(0);
    expect(told.join('\n')).toMatch(/Parties\n(Contoso Consulting vs another party|another party vs Contoso Consulting)/);
    expect(told.join('\n')).not.toContain('Northwind');
  });

  it('a dispute raised in the raiser’s 1:1 chat says its updates follow there (a 1:1 chat has no thread), and they do; raised in a channel, in the thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-teams-'));
    try {
      // First registration only recommends: a dispute over a held line waits for the arbitrator.
      const policyPath = join(dir, 'policy.yaml');
      writeFileSync(policyPath, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
      await h.stop();
      h = await startTeams({ policyPath });
      const raise = async (account: string, shown: string, scope: Scope) => {
        let form: Record<string, unknown>;
        if (scope.kind === 'personal') form = await h.say(USERS.contoso, `dispute ${account}`);
        else {
          const refresh = (await h.say(USERS.contoso, `dispute ${account}`, scope)).refresh as { action: { verb: string; data: Record<string, unknown> } };
          form = await h.click(USERS.contoso, refresh.action.verb, refresh.action.data, scope);
        }
        const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.dispute])!;
        return readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, account: shown, product: 'Analytics', against: '', reason: 'We met the CIO first.', evidence: '' }, scope));
      };
      const inChat = await raise('acme', 'Acme Corporation', { kind: 'personal' });
      const d = h.rt.store.disputes.all().at(-1)!;
      expect(inChat).toContain(`Dispute #${d.id} on Acme Corporation (Analytics) is with Pat Okafor`);
      expect(inChat).toContain('Updates will follow in your chat with me.');
      expect(inChat).not.toContain('thread');
      await h.drain();
      expect(h.connector.messages(personalChat(USERS.contoso)).map((c) => readCard(cardOf(c))).join('\n')).toContain(`Dispute #${d.id}`);
      // Raised in a channel: its thread.
      await claimThroughCard(USERS.northwind, claimInputs({ account: 'wayne' }));
      expect(await raise('wayne', 'Wayne Enterprises', { kind: 'channel', root: '1700000000321' })).toContain('Updates will follow in the thread where it was raised.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the dispute is announced in the channel thread where it was raised, as the partner who raised it may see it', async () => {
    const d = await openCase();
    const thread = h.connector.messages(`${CHANNEL};messageid=1700000000555`).map((c) => readCard(cardOf(c)));
    const announced = thread.filter((t) => t.includes(`Dispute #${d.id}`) || t.includes('Pat Okafor will rule'));
    expect(announced.length).toBeGreaterThanOrEqual(1);
    expect(announced.join('\n')).not.toContain('Northwind');
  });

  it('“Ask for information” clicked twice, or delivered twice, asks once', async () => {
    const d = await openCase();
    const thread = `${CHANNEL};messageid=1700000000555`;
    const asked = () => [...h.rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_requested').length;
    const posted = (q: string) => h.connector.messages(thread).filter((c) => readCard(cardOf(c)).includes(q)).length;
    // twice through the form's button (each click its own activity)
    const form = await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) });
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.ask])!;
    await h.click(USERS.pat, submit.verb, { ...submit.data, question: 'Who met the CIO first?' });
    await h.click(USERS.pat, submit.verb, { ...submit.data, question: 'Who met the CIO first?' });
    // one activity delivered twice (a moment later: each question's messages are told apart by their time)
    h.rt.clock.advance(1_000);
    const again = invokeActivity(USERS.pat, V.submits[FORMS.ask], { state: { dispute: String(d.id) }, question: 'Any signed NDA?' }, { kind: 'personal' }, h.connector.url);
    expect((await h.post(again)).status).toBe(200);
    expect((await h.post(again)).status).toBe(200);
    await h.drain();
    expect(asked()).toBe(2);
    expect(posted('Who met the CIO first?')).toBe(1);
    expect(posted('Any signed NDA?')).toBe(1);
    // a new form asks again
    h.rt.clock.advance(1_000);
    const next = buttons(await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) })).find((b) => b.verb === V.submits[FORMS.ask])!;
    await h.click(USERS.pat, next.verb, { ...next.data, question: 'Who met the CIO first?' });
    await h.drain();
    expect(posted('Who met the CIO first?')).toBe(2);
  });

  it('an Action.Execute ruling answers with the refreshed card showing the outcome', async () => {
    const d = await openCase();
    const before = ledgerCount();
    const card = await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: String(d.id) });
    const text = readCard(card);
    expect(text).toMatch(/Ruled by Pat Okafor on .*: Northwind Partners owns it\./);
    expect(text).not.toContain('[Approve');
    expect(card.refresh).toMatchObject({ action: { verb: V.refresh.disputeCase }, userIds: [USERS.pat.id] });
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind', ruledBy: 'pat' });
    expect(ledgerCount()).toBeGreaterThan(before);
    // the card, refreshed later, still shows the case as it stands
    expect(readCard(await h.click(USERS.pat, V.refresh.disputeCase, { value: String(d.id) }))).toContain('Northwind Partners owns it');
    // the parties hear the ruling in their 1:1s; Contoso, met only in the channel, through a new 1:1
    await h.drain();
    expect(h.connector.messages(personalChat(USERS.northwind)).map((c) => readCard(cardOf(c))).join('\n')).toContain('Northwind Partners owns it');
    const created = h.connector.calls.find((c) => c.kind === 'create');
    expect(created?.body).toMatchObject({ isGroup: false, members: [{ id: USERS.contoso.id }], tenantId: USERS.contoso.tenant });
    const toContoso = h.connector.messages(created?.conversationId ?? 'a:created-1').map((c) => readCard(cardOf(c))).join('\n');
    expect(toContoso).toContain('another party owns it');
    expect(toContoso).not.toContain('Northwind');
  });

  it('a ruling by someone who may not rule, or a second ruling, is refused on the card and changes nothing', async () => {
    const d = await openCase();
    const before = ledgerCount();
    for (const who of [USERS.sam, USERS.northwind, USERS.stranger]) {
      const refused = readCard(await h.click(who, V.actions[ACTIONS.approve], { value: String(d.id) }));
      expect(refused).toContain('Nothing was changed.');
    }
    expect(readCard(await h.click(USERS.sam, V.actions[ACTIONS.approve], { value: String(d.id) }))).toContain('Only Pat Okafor (the assigned arbitrator)');
    expect(ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(d.id)?.status).toBe('open');

    await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: String(d.id) });
    const afterRuling = ledgerCount();
    const second = readCard(await h.click(USERS.dana, V.actions[ACTIONS.approve], { value: String(d.id) }));
    expect(second).toMatch(/already ruled/i);
    expect(second).toContain('Nothing was changed.');
    expect(ledgerCount()).toBe(afterRuling);
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ ruledBy: 'pat', winner: 'northwind' });
  });

  it('award through the form: a short rationale is shown on the form, a good one rules', async () => {
    const d = await openCase();
    const form = await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) });
    expect(readCard(form)).toContain(`Rule on dispute #${d.id}`);
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.award])!;
    // The form carries the claims it was opened on (a ruling sent once another joined is refused).
    expect(submit.data).toEqual({ state: { dispute: String(d.id), claims: String(d.claimIds.length) }, instance: expect.any(String) });
    const short = await h.click(USERS.pat, submit.verb, { ...submit.data, party: 'contoso', rationale: 'meh' });
    expect(readCard(short)).toContain('Explain the ruling (at least 10 characters)');
    expect(h.rt.store.disputes.get(d.id)?.status).toBe('open');
    const ruled = readCard(await h.click(USERS.pat, submit.verb, { ...submit.data, party: 'contoso', rationale: 'Contoso brought the customer to us first.' }));
    expect(ruled).toContain('Contoso Consulting owns it');
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
  });

  it('award submitted twice (a double click) rules once; the second click shows the ruling, not a refusal', async () => {
    const d = await openCase();
    const form = await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) });
    const submit = buttons(form).find((b) => b.verb === V.submits[FORMS.award])!;
    const data = { ...submit.data, party: 'contoso', rationale: 'Contoso brought the customer to us first.' };
    expect(readCard(await h.click(USERS.pat, submit.verb, data))).toContain('Contoso Consulting owns it');
    const before = ledgerCount();
    const second = readCard(await h.click(USERS.pat, submit.verb, data));
    expect(second).toMatch(/Ruled by Pat Okafor on .*: Contoso Consulting owns it\.\nRationale\nContoso brought the customer to us first\./);
    expect(second).not.toMatch(/already ruled|Nothing was changed/);
    expect(ledgerCount()).toBe(before);
  });
});

describe('routing', () => {
  it.each(ALL_VERBS.map((v) => [v]))('verb %s has a route (bad data is refused, never “out of date”)', async (verb) => {
    const card = readCard(await h.click(USERS.sam, verb, { value: '999' }));
    expect(card).not.toContain('This card is out of date');
  });

  it('an unknown verb is answered with a card saying so', async () => {
    expect(readCard(await h.click(USERS.sam, 'roe.nothing', {}))).toContain('This card is out of date');
  });
});
