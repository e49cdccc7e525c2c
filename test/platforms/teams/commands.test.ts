import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { policyTextWith } from '../../support/builders.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { getPerson } from '../../../db/repos/people.repo.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { openArbitratedCase } from '../../support/cases.js';
import { cardOf, findIn, markdownOf, readCard } from '../../support/fake-connector.js';
import { CHANNEL, GROUP_CHAT, installActivity, messageActivity, personalChat, startTeams, TENANTS, USERS, type Scope, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

describe('commands typed to the bot in a 1:1 chat', () => {
  it('roe activity N (or activity N) logs activity on a claim of the partner', async () => {
    // Contoso's claim on Initech (CRM-1002, #2).
    expect(readCard(await h.say(USERS.contoso, 'roe activity 2'))).toContain('Activity logged on claim #2 (Nov 30, 2026).');
    expect(readCard(await h.say(USERS.contoso, 'activity 2'))).toContain('Activity logged on claim #2 (Nov 30, 2026).');
    expect(readCard(await h.say(USERS.contoso, 'help'))).toContain('roe activity <number>');
  });

  it('who-owns acme answers with the engagement model, the owner and why, the live claim and the arbitrator', async () => {
    const card = await h.say(USERS.sam, 'who-owns acme');
    const text = readCard(card);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(text).toContain('Acme Corporation');
    expect(text).toContain('Partner-led (coverage "Default")');
    expect(text).toContain('Northwind Partners (First registration)');
    expect(text).toContain('Pat Okafor');
    expect(text).toMatch(/#1 Northwind Partners: Analytics, protected until \w{3} \d+, \d{4}/);
    expect(text).toContain('48,000');
    expect(text).toContain('[Claim]');
    // the answer is a reply to the message in the same 1:1 chat
    const posted = h.connector.messages(personalChat(USERS.sam));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.kind).toBe('reply');
  });

  it.each(['hello there', 'what can you do?', ''])('anything else (%j) gets the help card', async (typed) => {
    const text = readCard(await h.say(USERS.sam, typed));
    // Commands as they are typed in Teams: no slash, an @mention in channels; nothing Slack-only.
    expect(text).toContain('who-owns <name, alias or domain>');
    expect(text).toContain('claim [account]');
    expect(text).toContain('roe stats');
    expect(text).toContain('Mention me first: @roe-bot who-owns acme');
    expect(text).not.toMatch(/\/(who-owns|claim|dispute|roe)\b/);
    expect(text).not.toContain('shortcut');
  });

  it.each(['who owns acme corp', 'Who owns Acme Corp?', 'who-owns acme corp?'])('%j is asked as people write it', async (typed) => {
    const text = readCard(await h.say(USERS.sam, typed));
    expect(text).toContain('Acme Corporation');
    expect(text).not.toContain('Unknown command');
  });

  it('more accounts match than the answer offers: it does not claim that the ones offered are all (the one sought may be among the rest)', async () => {
    // Fewer than the answer offers: all of them, counted.
    expect(readCard(await h.say(USERS.contoso, 'who-owns acm'))).toMatch(/^2 accounts match "acm"\. Which one\?$/m);
    for (const name of ['Acme Bakery', 'Acme Freight', 'Acme Tools', 'Acme Labs', 'Acme Media', 'Acme Foods', 'Acme Steel']) {
      h.rt.store.accounts.upsert({ id: name.toLowerCase().replace(' ', '-'), name, aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    }
    h.rt.reindex();
    const many = readCard(await h.say(USERS.contoso, 'who-owns acm'));
    expect(many).not.toMatch(/^5 accounts match/m);
    expect(many).toContain('The 5 accounts closest to "acm"');
    expect(many).toContain('type more of the name, or the web domain');
    expect(many.match(/^\[Acme /gm)).toHaveLength(5);
  });

  it('a guest of the company’s tenant (perhaps a partner’s person) is no colleague: no account is answered, help says why', async () => {
    const guest = { id: '29:gina', name: 'Gina Guest', aadObjectId: 'e0000000-0000-4000-8000-000000000001', tenant: TENANTS.home };
    h.connector.guests.add(guest.id);
    const answer = readCard(await h.say(guest, 'who-owns acme corp'));
    expect(answer).toMatch(/Guest accounts cannot use roe-bot, since it cannot tell whom a guest works for, so you cannot look up accounts/);
    expect(answer).not.toContain('Northwind');
    expect(readCard(await h.say(guest, 'help'))).toContain('Ask for a full account, or use roe-bot from your own organisation’s Slack or Teams.');
  });

  it('someone the roster places in another tenant is no colleague, though the activity names the company’s tenant', async () => {
    const visitor = { id: '29:vic', name: 'Vic Visitor', aadObjectId: 'e0000000-0000-4000-8000-000000000002', tenant: TENANTS.home };
    h.connector.memberTenants.set(visitor.id, TENANTS.northwind);
    const answer = readCard(await h.say(visitor, 'who-owns acme corp'));
    expect(answer).toMatch(/Guest accounts cannot use roe-bot/);
    expect(answer).not.toContain('Northwind');
    // The roster placing a colleague in the company's own tenant changes nothing for them.
    h.connector.memberTenants.set(USERS.rep.id, TENANTS.home);
    expect(readCard(await h.say(USERS.rep, 'who-owns acme corp'))).toContain('Northwind Partners');
  });

  it('a member of the company’s tenant is a colleague, as the roster says (asked once, then remembered)', async () => {
    expect(readCard(await h.say(USERS.rep, 'who-owns acme corp'))).toContain('Northwind Partners');
    await h.say(USERS.rep, 'who-owns acme corp');
    expect(h.connector.calls.filter((c) => c.kind === 'member' && c.activityId === USERS.rep.id)).toHaveLength(1);
    // Partners' people are asked about too (a guest account of a partner's tenant acts for nobody): once, then remembered.
    expect(readCard(await h.say(USERS.northwind, 'who-owns acme corp'))).toContain('48,000');
    await h.say(USERS.northwind, 'who-owns acme corp');
    expect(h.connector.calls.filter((c) => c.kind === 'member' && c.activityId === USERS.northwind.id)).toHaveLength(1);
  });

  it('while Teams’ roster does not answer, its last answer stands: a guest stays a guest, a member a colleague', async () => {
    const guest = { id: '29:gina', name: 'Gina Guest', aadObjectId: 'e0000000-0000-4000-8000-000000000001', tenant: TENANTS.home };
    h.connector.guests.add(guest.id);
    await h.say(guest, 'help');
    await h.say(USERS.rep, 'help');
    h.rt.clock.advance(11 * 60_000); // past the ten minutes an answer is kept
    h.connector.rosterDown = true;
    expect(readCard(await h.say(guest, 'who-owns acme corp'))).toMatch(/Guest accounts cannot use roe-bot/);
    expect(readCard(await h.say(USERS.rep, 'who-owns acme corp'))).toContain('Northwind Partners');
    // Teams was asked again for both, and answered neither time.
    const asked = h.connector.calls.filter((c) => c.kind === 'member' && (c.activityId === guest.id || c.activityId === USERS.rep.id));
    expect(asked.filter((c) => c.status === 503).length).toBeGreaterThanOrEqual(2);
    expect(asked.slice(2).every((c) => c.status === 503)).toBe(true);
  });

  it('while Teams’ roster does not answer and never has for someone of the company’s tenant, nothing they ask is done: they are told to try again in a minute', async () => {
    const newcomer = { id: '29:nell', name: 'Nell Newcomer', aadObjectId: 'a0000000-0000-4000-8000-000000000099', tenant: TENANTS.home };
    const claims = h.rt.store.claims.all().length;
    const ledger = [...h.rt.store.ledger.entries()].length;
    h.connector.rosterDown = true;
    const refusal = readCard(await h.say(newcomer, 'who-owns acme corp'));
    expect(refusal).toContain('I could not confirm with Teams which organisation you belong to');
    expect(refusal).toContain('Please try again in a minute.');
    expect(refusal).toContain('Nothing was changed.');
    expect(refusal).not.toContain('Northwind');
    expect(refusal).not.toContain('Acme Corporation');
    expect(refusal).not.toMatch(/\/(who-owns|claim|dispute|roe)\b/);
    // A claim sent from a card (a click) is not filed: the refusal replaces the card.
    const claim = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage: 'qualified', amount: '25000', evidence: '' };
    expect(readCard(await h.click(newcomer, TEAMS_IDS.submits.claim, claim))).toContain('I could not confirm with Teams');
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    expect([...h.rt.store.ledger.entries()]).toHaveLength(ledger);
    // …nor is the person remembered as a colleague.
    expect(getPerson(h.rt.db.db, `teams:${newcomer.id}`)).toBeUndefined();
    // Teams was asked each time, and did not answer; the log says so, without what was typed.
    const asked = h.connector.calls.filter((c) => c.kind === 'member' && c.activityId === newcomer.id);
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(asked.every((c) => c.status === 503)).toBe(true);
    const log = h.rt.logs.lines.join('\n');
    expect(log).toContain('Teams never answered for them');
    expect(log).not.toContain('Soylent rollout');

    // Teams answers again: the same person is a colleague, and the same claim is filed.
    h.connector.rosterDown = false;
    expect(readCard(await h.say(newcomer, 'who-owns acme corp'))).toContain('Northwind Partners');
    expect(readCard(await h.click(newcomer, TEAMS_IDS.submits.claim, claim))).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\)/);
    expect(h.rt.store.claims.all()).toHaveLength(claims + 1);
    expect(getPerson(h.rt.db.db, `teams:${newcomer.id}`)).toBeDefined();
  });

  it('a new 1:1 chat or a channel message of someone Teams never answered for gets the same refusal (in a channel, to them alone), and installs nothing', async () => {
    h.connector.rosterDown = true;
    const before = h.connector.calls.length;
    expect((await h.post(installActivity(USERS.rep, { kind: 'personal' }, h.connector.url))).status).toBe(200);
    const welcome = h.connector.messages(personalChat(USERS.rep));
    expect(welcome).toHaveLength(1);
    expect(readCard(cardOf(welcome[0]!))).toContain('I could not confirm with Teams which organisation you belong to');
    expect(getPerson(h.rt.db.db, `teams:${USERS.rep.id}`)).toBeUndefined();
    // In a channel the refusal reaches the asker alone, in the refresh of the card everyone sees.
    const channel: Scope = { kind: 'channel', root: '1700000000555' };
    const stub = await h.say(USERS.rep, 'claim acme', channel);
    expect(readCard(stub)).toContain(`${USERS.rep.name} asked: claim acme`);
    expect(readCard(stub)).not.toContain('Please try again');
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    expect(readCard(await h.click(USERS.rep, refresh.action.verb, refresh.action.data, channel))).toContain('Please try again in a minute.');
    expect(h.connector.calls.slice(before).filter((c) => c.kind === 'member').every((c) => c.status === 503)).toBe(true);
  });

  it('usage and refusals name commands as Teams users type them', async () => {
    expect(readCard(await h.say(USERS.sam, 'who-owns'))).toContain('e.g. who-owns acme');
    const usage = readCard(await h.say(USERS.sam, 'who-owns help'));
    expect(usage).toContain('who-owns acme.com');
    expect(usage).toContain('roe help lists every command');
    expect(usage).not.toMatch(/\/(who-owns|roe)\b/);
  });

  it('a lone "?" after who-owns (as Slack\'s /who-owns ?) shows how to use it, not "Type an account name…"', async () => {
    const usage = 'Type an account name, alias or web domain: who-owns acme, who-owns Acme Corporation, who-owns acme.com. Part of a name, a typo, a missing accent or a letter written out (Mueller for Müller) still finds it.\nThe answer says who owns the account and why, by product line, with its live claims. Only you see it. roe help lists every command.';
    for (const typed of ['who-owns ?', 'who owns ?', 'who-owns help']) expect(readCard(await h.say(USERS.sam, typed))).toBe(usage);
    // A "?" ending the question is still no part of the account's name; "roe ?" is the help card, as before.
    expect(readCard(await h.say(USERS.sam, 'who owns acme?'))).toContain('Acme Corporation');
    expect(readCard(await h.say(USERS.sam, 'roe ?'))).toBe(readCard(await h.say(USERS.sam, 'roe help')));
  });

  it('roe policy and roe stats answer from the handlers', async () => {
    expect(readCard(await h.say(USERS.sam, 'roe policy'))).toContain('Ownership criteria (in order)');
    expect(readCard(await h.say(USERS.sam, 'ROE stats'))).toContain('Settled automatically');
  });

  it('a partner user (by tenant) never sees another partner’s name, deal size or evidence', async () => {
    const contoso = readCard(await h.say(USERS.contoso, 'who-owns acme'));
    expect(contoso).toContain('Acme Corporation');
    expect(contoso).toMatch(/Analytics: protected by another party until/);
    expect(contoso).not.toContain('Northwind');
    expect(contoso).not.toContain('48,000');
    expect(contoso).not.toContain('Discovery call');
    // Northwind's own user sees their claim
    const northwind = readCard(await h.say(USERS.northwind, 'who-owns acme'));
    expect(northwind).toContain('Northwind Partners');
    expect(northwind).toContain('48,000');
  });

  it('a user of a tenant that is no partner’s is refused politely, and nothing is filed', async () => {
    const claims = h.rt.store.claims.all().length;
    const text = readCard(await h.say(USERS.stranger, 'claim acme'));
    expect(text).toContain('not linked to a partner of ours');
    expect(text).toContain('Nothing was changed.');
    expect(h.rt.store.claims.all()).toHaveLength(claims);
  });

  it('user text with mentions, markdown, links and Slack-style broadcasts is shown as the text it is', async () => {
    const typed = '<at>x</at> **bold** [link](http://x) <!channel> _it_';
    const card = await h.say(USERS.sam, `who-owns ${typed}`);
    const raw = markdownOf(card).join('\n');
    // nothing Teams would read as markup survives in the card
    expect(raw).not.toContain('<at>');
    expect(raw).not.toContain('<!channel>');
    expect(raw).not.toMatch(/(^|[^\\])\*\*/);
    expect(raw).not.toMatch(/(^|[^\\])\[link/);
    expect(raw).not.toMatch(/(^|[^\\])_it/);
    // …and the person reads what they typed (a mention left out: an account is looked up without who is mentioned)
    expect(readCard(card)).toContain(`No account matches "${typed.replace('<at>x</at> ', '')}"`);
  });
});

describe('in a group chat or a channel', () => {
  const scopes: [string, Scope, string][] = [
    ['group chat', { kind: 'groupChat' }, GROUP_CHAT],
    ['channel', { kind: 'channel', root: '1700000000777' }, `${CHANNEL};messageid=1700000000777`],
  ];

  it.each(scopes)('in a %s the @mention is stripped, and the answer is shown only to the asker', async (_name, scope, conversationId) => {
    const stub = await h.say(USERS.sam, 'who-owns acme', scope);
    // everyone sees who asked what, not the answer
    expect(h.connector.messages(conversationId)).toHaveLength(1);
    const seen = readCard(stub);
    expect(seen).toContain('Sam Patel asked: who-owns acme');
    expect(seen).not.toContain('Northwind');
    // the card refreshes for the asker only
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> }; userIds: string[] };
    expect(refresh.userIds).toEqual([USERS.sam.id]);
    expect(refresh.action.verb).toBe(TEAMS_IDS.refresh.privateAnswer);
    const mine = readCard(await h.click(USERS.sam, refresh.action.verb, refresh.action.data, scope));
    expect(mine).toContain('Northwind Partners (First registration)');
    // someone else refreshing (or clicking "Show my answer") sees what everyone sees
    const theirs = readCard(await h.click(USERS.contoso, refresh.action.verb, refresh.action.data, scope));
    expect(theirs).toContain('Sam Patel asked: who-owns acme');
    expect(theirs).not.toContain('Northwind');
  });

  it.each([
    ...scopes.map(([name, scope, id]): [string, string, Scope, string, string, string] => [name, 'a stranger’s claim', scope, id, 'claim', 'not linked to a partner of ours']),
    ...scopes.map(([name, scope, id]): [string, string, Scope, string, string, string] => [name, 'an empty who-owns', scope, id, 'who-owns', 'Type an account']),
  ])('in a %s, the refusal of %s is shown only to the asker', async (_name, _what, scope, conversationId, typed, refusal) => {
    const asker = typed === 'claim' ? USERS.stranger : USERS.sam;
    const stub = await h.say(asker, typed, scope);
    // everyone sees who asked, not the refusal
    expect(h.connector.messages(conversationId)).toHaveLength(1);
    const seen = readCard(stub);
    expect(seen).toContain(`${asker.name} asked: ${typed}`);
    expect(seen).not.toContain(refusal);
    expect(seen).not.toContain('Nothing was changed.');
    // the asker's refresh shows it
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> }; userIds: string[] };
    expect(refresh.userIds).toEqual([asker.id]);
    const mine = readCard(await h.click(asker, refresh.action.verb, refresh.action.data, scope));
    expect(mine).toContain(refusal);
    expect(mine).toContain('Nothing was changed.');
  });

  it.each(scopes)('in a %s, a colleague who clicks "Show my answer" on someone else’s question is told how to get their own, not given the same card and button back', async (_name, scope) => {
    const stub = await h.say(USERS.sam, 'who-owns acme', scope);
    const button = findIn(stub, (o) => o.type === 'Action.Execute' && o.title === 'Show my answer')[0] as { verb: string; data: Record<string, unknown> };
    const theirs = await h.click(USERS.rep, button.verb, button.data, scope);
    expect(readCard(theirs)).toContain('Sam Patel asked: who-owns acme');
    expect(readCard(theirs)).toContain('For your own, mention me with the command: @roe-bot who-owns acme');
    expect(readCard(theirs)).not.toContain('Northwind');
    expect(findIn(theirs, (o) => o.type === 'Action.Execute')).toEqual([]);
  });
});

describe('a shared channel holds people of several organisations: each is known by their own tenant, as the roster says, not by the host’s', () => {
  const scope: Scope = { kind: 'channel', root: '1700000000999' };
  /** The private answer of `user` to `typed` in the channel. */
  const privately = async (user: (typeof USERS)[keyof typeof USERS], typed: string) => {
    const stub = await h.say(user, typed, scope);
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    return readCard(await h.click(user, refresh.action.verb, refresh.action.data, scope));
  };

  it('in a channel Northwind hosts, a Contoso user reads no Northwind deal, and acts as Contoso; a colleague there is a colleague', async () => {
    // Every activity names the host's tenant, Northwind's.
    const carl = { ...USERS.contoso, tenant: TENANTS.northwind };
    h.connector.memberTenants.set(carl.id, TENANTS.contoso);
    const mine = await privately(carl, 'roe mine');
    const who = await privately(carl, 'who-owns acme');
    // Northwind's claim on Acme (CRM-1001): "Acme analytics rollout", 48,000.
    for (const seen of [mine, who]) {
      expect(seen).not.toContain('Northwind');
      expect(seen).not.toContain('Acme analytics rollout');
      expect(seen).not.toContain('48,000');
    }
    expect(who).toContain('another party');
    expect(mine).not.toContain('Claims of Northwind');
    // Remembered as Contoso's, in Contoso's tenant (where a 1:1 chat with them is opened).
    expect(getPerson(h.rt.db.db, `teams:${carl.id}`)).toMatchObject({ partnerId: 'contoso', conversationRef: { tenantId: TENANTS.contoso } });
    const riley = { ...USERS.rep, tenant: TENANTS.northwind };
    h.connector.memberTenants.set(riley.id, TENANTS.home);
    expect(await privately(riley, 'who-owns acme')).toContain('Northwind Partners (First registration)');
  });

  it('in a channel the company hosts, a Northwind user is Northwind’s (not a guest), and reads its own deal', async () => {
    const nora = { ...USERS.northwind, tenant: TENANTS.home };
    h.connector.memberTenants.set(nora.id, TENANTS.northwind);
    const who = await privately(nora, 'who-owns acme');
    expect(who).toContain('Northwind Partners');
    expect(who).toContain('48,000');
    expect(who).not.toMatch(/Guest accounts/);
  });

  it('a roster answer that names no tenant: in a channel a partner hosts the sender is nobody known; in one the company hosts, a member is a colleague', async () => {
    const carl = { ...USERS.contoso, tenant: TENANTS.northwind };
    h.connector.memberTenants.delete(carl.id);
    const who = await privately(carl, 'who-owns acme');
    expect(who).not.toContain('48,000');
    expect(who).not.toContain('Northwind');
    h.connector.memberTenants.delete(USERS.rep.id);
    expect(await privately(USERS.rep, 'who-owns acme')).toContain('Northwind Partners (First registration)');
  });

  it('in a 1:1 chat, someone the roster places in another tenant than the chat names acts for neither', async () => {
    const nils = { id: '29:nils', name: 'Nils', aadObjectId: 'e0000000-0000-4000-8000-0000000000ab', tenant: TENANTS.northwind };
    h.connector.memberTenants.set(nils.id, TENANTS.home);
    const answer = readCard(await h.say(nils, 'who-owns acme'));
    expect(answer).toMatch(/Guest accounts cannot use roe-bot/);
    expect(answer).not.toContain('48,000');
    h.connector.memberTenants.set(nils.id, TENANTS.contoso);
    h.rt.clock.advance(11 * 60_000);
    expect(readCard(await h.say(nils, 'who-owns acme'))).toMatch(/Guest accounts cannot use roe-bot/);
  });

  it('a guest account of a partner’s tenant (perhaps another partner’s person) acts for nobody, in a channel or in a 1:1 chat', async () => {
    const gus = { id: '29:gus', name: 'Gus Guest', aadObjectId: 'e0000000-0000-4000-8000-0000000000aa', tenant: TENANTS.northwind };
    h.connector.guests.add(gus.id);
    h.connector.memberTenants.set(gus.id, TENANTS.northwind);
    const inChannel = await privately(gus, 'who-owns acme');
    expect(inChannel).toMatch(/Guest accounts cannot use roe-bot/);
    expect(inChannel).not.toContain('48,000');
    const alone = readCard(await h.say(gus, 'who-owns acme'));
    expect(alone).toMatch(/Guest accounts cannot use roe-bot/);
    expect(alone).not.toContain('48,000');
  });

  it('while the roster does not answer for someone it never answered for, nothing they ask in a channel is done', async () => {
    h.connector.rosterDown = true;
    const carl = { ...USERS.contoso, tenant: TENANTS.northwind };
    const before = h.rt.store.claims.all().length;
    const stub = await h.say(carl, 'claim acme', scope);
    // Everyone sees who asked what; the refusal reaches the asker alone, in the card's refresh.
    expect(readCard(stub)).toContain('Carl Contoso asked: claim acme');
    expect(readCard(stub)).not.toContain('could not confirm');
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> }; userIds: string[] };
    expect(refresh.userIds).toEqual([carl.id]);
    expect(readCard(await h.click(carl, refresh.action.verb, refresh.action.data, scope))).toBe('⚠️ I could not confirm with Teams which organisation you belong to: Teams is not answering just now. Please try again in a minute.\nNothing was changed.');
    expect(h.rt.store.claims.all()).toHaveLength(before);
    // Nor in their 1:1 chat; once Teams answers, they are Contoso's there and in the channel.
    expect(readCard(await h.say(USERS.contoso, 'who-owns acme'))).toMatch(/^⚠️ I could not confirm with Teams which organisation you belong to/);
    h.connector.rosterDown = false;
    expect(readCard(await h.say(USERS.contoso, 'who-owns acme'))).toContain('another party');
  });
});

describe('text as Teams sends it', () => {
  const heading = (card: Record<string, unknown>) => readCard(card).split('\n')[0];

  it.each([
    ['a bot mention the entities do not name', '<at>roe-bot</at> who-owns acme'],
    ['a bot mention by another name', '<at>roe</at>&nbsp;who-owns acme'],
    ['rich text in paragraphs', '<p>who-owns <strong>acme</strong></p>'],
    ['a pasted link', 'who-owns <a href="https://www.acme.com/about">https://www.acme.com/about</a>'],
    ['a pasted e-mail address', 'who-owns <a href="mailto:jo@acme.com">jo@acme.com</a>'],
    ['escaped characters', 'who-owns Acme&#160;Corporation'],
  ])('1:1 chat, %s: %s is read as the command it says', async (_, typed) => {
    expect(heading(await h.say(USERS.sam, typed))).toBe('Acme Corporation');
  });

  it('a message of unclosed tags as long as Teams can send is answered at once (read in one pass), and its text kept', async () => {
    // 300,000 characters of "<a" and "<at" with no ">": each used to be searched to the end of the text.
    for (const junk of ['<a'.repeat(150_000), `<at>${'<at '.repeat(75_000)}`]) {
      const card = await h.say(USERS.sam, `who-owns ${junk}`);
      expect(readCard(card)).toContain('Keep the search under 200 characters');
    }
  });

  it('entities in a name are read as the characters they stand for', async () => {
    importCsv(h.rt.ctx, 'accounts', 'a.csv', 'id,name\natt,AT&T Inc.\n');
    h.rt.reindex();
    expect(heading(await h.say(USERS.sam, 'who-owns AT&amp;T'))).toBe('AT&T Inc.');
  });

  it('in a channel, a mention of the bot by another name is not part of the command', async () => {
    const scope: Scope = { kind: 'channel', root: '1700000000888' };
    const activity = messageActivity(USERS.sam, 'who-owns acme', scope, h.connector.url);
    activity.text = '<at>roe</at> who-owns acme';
    const res = await h.post(activity);
    expect(res.status).toBe(200);
    const stub = cardOf(h.connector.messages(`${CHANNEL};messageid=1700000000888`).at(-1)!);
    expect(readCard(stub)).toContain('Sam Patel asked: who-owns acme');
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    expect(heading(await h.click(USERS.sam, refresh.action.verb, refresh.action.data, scope))).toBe('Acme Corporation');
  });
});

describe('a long answer', () => {
  it('300 claims in `roe mine` fit in a card Teams accepts: the live and newest ones, then how many more', async () => {
    const accounts = Array.from({ length: 300 }, (_, i) => `big-${i},Bigcorp Holdings International ${i},big${i}.example`).join('\n');
    importCsv(h.rt.ctx, 'accounts', 'accounts.csv', `id,name,domains\n${accounts}\n`);
    const claims = Array.from(
      { length: 300 },
      (_, i) => `CRM-9${String(i).padStart(3, '0')},big-${i},northwind,resell,Analytics,Bigcorp ${i} company-wide analytics rollout across all regional subsidiaries and business units,negotiation,125000,won,2026-06-01T15:00:00Z`,
    ).join('\n');
    importCsv(h.rt.ctx, 'claims', 'claims.csv', `id,account_id,claimant,route,product_line,opportunity,stage,amount,status,registered_at\n${claims}\n`);
    const card = await h.say(USERS.northwind, 'roe mine');
    const text = readCard(card);
    expect(text).toContain('Claims of Northwind Partners');
    expect(text).toMatch(/…and 27\d more claims not listed \(0 live, 27\d closed\)\./);
    expect(text).not.toMatch(/something went wrong/i);
    const [posted] = h.connector.messages(personalChat(USERS.northwind));
    expect(posted?.status).toBe(200);
    // well under Teams' limit on an activity (about 100 KB counted as UTF-16; 40 KB in older docs)
    expect(JSON.stringify(posted!.body).length * 2).toBeLessThan(40_000);
  });

  it('300 claims: roe mine 2, 3… page through them all, 25 a card in the order of the first, each card saying which they are and what to type next', async () => {
    const accounts = Array.from({ length: 300 }, (_, i) => `big-${i},Bigcorp Holdings International ${i},big${i}.example`).join('\n');
    importCsv(h.rt.ctx, 'accounts', 'accounts.csv', `id,name,domains\n${accounts}\n`);
    const claims = Array.from(
      { length: 300 },
      (_, i) => `CRM-9${String(i).padStart(3, '0')},big-${i},northwind,resell,Analytics,Bigcorp ${i} company-wide analytics rollout across all regional subsidiaries and business units,negotiation,125000,won,2026-06-01T15:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}Z`,
    ).join('\n');
    importCsv(h.rt.ctx, 'claims', 'claims.csv', `id,account_id,claimant,route,product_line,opportunity,stage,amount,status,registered_at\n${claims}\n`);
    const total = h.rt.store.claims.forClaimant('northwind').length; // the demo's live claim too
    const pages = Math.ceil(total / 25);
    expect(pages).toBe(13);
    const seen: number[] = [];
    for (let page = 1; page <= pages; page++) {
      const text = readCard(await h.say(USERS.northwind, page === 1 ? 'roe mine' : `roe mine ${page}`));
      const numbers = [...text.matchAll(/^• #(\d+) /gm)].map((m) => Number(m[1]));
      expect(numbers).toHaveLength(page < pages ? 25 : total - 25 * (pages - 1));
      seen.push(...numbers);
      if (page === 1) expect(text).toContain(`…and ${total - 25} more claims not listed (0 live, ${total - 25} closed). roe mine 2 shows the next 25.`);
      else if (page < pages) expect(text).toContain(`Claims ${(page - 1) * 25 + 1}–${page * 25} of ${total}. roe mine ${page + 1} shows the next ${page + 1 < pages ? 25 : 'one'}.`);
      else expect(text).toContain(`Claim ${total} of ${total}: the last page.`);
      expect(text).not.toContain('more not shown');
    }
    // Every claim once, in the order the first page lists them: the live one, then the newest first.
    expect(new Set(seen).size).toBe(total);
    const registered = (id: number) => h.rt.store.claims.get(id)!.registeredAt.getTime();
    expect(seen.slice(1).map(registered)).toEqual(seen.slice(1).map(registered).sort((a, b) => b - a));
    for (const posted of h.connector.messages(personalChat(USERS.northwind))) expect(JSON.stringify(posted.body).length * 2).toBeLessThan(40_000);
    expect(readCard(await h.say(USERS.northwind, `mine ${pages + 1}`))).toContain(`Northwind Partners has ${total} claims: page ${pages + 1} is empty; roe mine ${pages} shows the last ones.`);
  });

  it('a page of 25 claims whose account and opportunity names are 200 characters long shows all 25 in Teams, in a card Teams accepts: what is under each claim is shortened, no claim is left out', async () => {
    // Names at the import's limit on every claim, each claim live (its Log activity button names it too).
    const name = (kind: string, i: number) => `${kind} ${i} `.padEnd(200, 'Bigcorp Holdings International ');
    importCsv(h.rt.ctx, 'accounts', 'accounts.csv', stringify([['id', 'name'], ...Array.from({ length: 30 }, (_, i) => [`big-${i}`, name('Account', i)])]));
    const claims = Array.from({ length: 30 }, (_, i) => [`CRM-9${i}`, `big-${i}`, 'northwind', 'resell', 'Analytics', name('Opportunity', i), 'negotiation', '125000', 'protected', `2026-11-${String(i % 28 + 1).padStart(2, '0')}T15:00:00Z`]);
    importCsv(h.rt.ctx, 'claims', 'claims.csv', stringify([['id', 'account_id', 'claimant', 'route', 'product_line', 'opportunity', 'stage', 'amount', 'status', 'registered_at'], ...claims]));
    const total = h.rt.store.claims.forClaimant('northwind').length;
    expect(total).toBeGreaterThan(25);
    const seen: number[] = [];
    for (const page of [1, 2]) {
      const card = await h.say(USERS.northwind, page === 1 ? 'roe mine' : 'roe mine 2');
      const text = readCard(card);
      const numbers = [...text.matchAll(/^• #(\d+) /gm)].map((m) => Number(m[1]));
      expect(numbers).toHaveLength(page === 1 ? 25 : total - 25);
      seen.push(...numbers);
      expect(text).not.toContain('more not shown');
      expect(text).toContain(page === 1 ? 'roe mine 2 shows the next' : `Claims 26–${total} of ${total}: the last page.`);
      // Each claim's line starts with its account's name; on the full page, the opportunities under them are shortened to make the room.
      expect(text).toMatch(/^• #\d+ Account \d+ Bigcorp/m);
      if (page === 1) expect(text).toMatch(/^Opportunity \d+ Bigcorp[^\n]*…$/m);
    }
    // Every claim on one page or the other: none is left between them.
    expect(seen.sort((a, b) => a - b)).toEqual(h.rt.store.claims.forClaimant('northwind').map((c) => c.id).sort((a, b) => a - b));
    const posted = h.connector.messages(personalChat(USERS.northwind));
    expect(posted.map((p) => p.status)).toEqual([200, 200]);
    for (const p of posted) expect(JSON.stringify(p.body).length * 2).toBeLessThan(40_000);
  });

  it('the fake connector refuses an activity above 100 KB as Teams does (413)', async () => {
    const huge = { type: 'message', text: 'x'.repeat(60_000) };
    const res = await fetch(`${h.connector.url}v3/conversations/${encodeURIComponent(personalChat(USERS.sam))}/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(huge) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'MessageSizeTooBig' } });
    expect(h.connector.messages()).toEqual([]);
  });
});

describe('installs and first contact', () => {
  it('a conversationUpdate adding the bot stores the 1:1 conversation reference and says hello', async () => {
    const res = await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    expect(res.status).toBe(200);
    const row = getPerson(h.rt.db.db, `teams:${USERS.pat.id}`);
    expect(row?.displayName).toBe('Pat Okafor');
    expect(row?.personKey).toBe('pat');
    expect(row?.conversationRef).toMatchObject({
      serviceUrl: h.connector.url,
      tenantId: USERS.pat.tenant,
      user: { id: USERS.pat.id, aadObjectId: USERS.pat.aadObjectId },
      personal: { conversation: { id: personalChat(USERS.pat) } },
    });
    expect(readCard(cardOf(h.connector.messages(personalChat(USERS.pat))[0]))).toContain('roe-bot applies our partner rules of engagement');
  });

  it('a message in a channel remembers the sender and where to reach them, but not the channel as their 1:1', async () => {
    await h.say(USERS.northwind, 'roe help', { kind: 'channel' });
    const row = getPerson(h.rt.db.db, `teams:${USERS.northwind.id}`);
    expect(row?.partnerId).toBe('northwind');
    expect(row?.conversationRef).toMatchObject({ serviceUrl: h.connector.url, tenantId: USERS.northwind.tenant, personal: null });
  });

  it('case N, typed with or without roe, shows the dispute with an Open button for its arbitrator', async () => {
    const d = openArbitratedCase(h.rt);
    for (const typed of [`roe case ${d.id}`, `case ${d.id}`]) {
      const card = await h.say(USERS.pat, typed);
      expect(readCard(card)).toContain(`#${d.id}`);
      expect(JSON.stringify(card)).toContain(`Open #${d.id} to rule`);
    }
  });

  it('the queue says the cases assigned came to the chat with the bot, in Teams words', async () => {
    openArbitratedCase(h.rt);
    const said = readCard(await h.say(USERS.pat, 'roe queue'));
    expect(said).toContain('The cases assigned to you were sent to your chat with me, each with its ruling buttons');
    expect(said).not.toContain('direct messages');
  });

  it('a person the policy names by Entra object id is recognised by it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-teams-'));
    const policyPath = join(dir, 'policy.yaml');
    writeFileSync(policyPath, policyTextWith([['teams: "29:pat"', `teams: "${USERS.pat.aadObjectId}"`]]));
    const other = await startTeams({ policyPath });
    try {
      const card = await other.say(USERS.pat, 'roe queue');
      expect(readCard(card)).toContain('No cases are waiting for your ruling');
      expect(getPerson(other.rt.db.db, `teams:${USERS.pat.id}`)?.personKey).toBe('pat');
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Log activity from the list of roe mine', () => {
  const actions = (card: unknown) => findIn(card, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.actions.log_activity) as { verb: string; data: Record<string, unknown> }[];

  it('the list the answer replaces comes back under what was done, as it now stands, its buttons with it; a refusal the same way', async () => {
    const list = await h.say(USERS.northwind, 'roe mine');
    const [button] = actions(list);
    expect(button, 'a Log activity button on the list').toBeDefined();
    const done = await h.click(USERS.northwind, button!.verb, button!.data);
    const text = readCard(done);
    expect(text).toMatch(/^\u2705 Activity logged on claim #\d+ \(/m);
    expect(text).toContain('Claims of Northwind Partners');
    expect(actions(done).map((a) => a.data)).toEqual(actions(list).map((a) => a.data));
    // Expired since the list was drawn: refused on top of the list as it stands now.
    const id = Number(String(button!.data.value).split(':')[0]);
    h.rt.store.claims.update(id, { status: 'expired' });
    const refused = readCard(await h.click(USERS.northwind, button!.verb, button!.data));
    expect(refused).toContain('Nothing was changed.');
    expect(refused).toContain('Claims of Northwind Partners');
  });
});
