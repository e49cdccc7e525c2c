/**
 * Only Microsoft Teams vouches for an activity's user and tenant. Bot Framework signs activities
 * of its other channels as well (Web Chat and Direct Line are on for every Azure Bot), whose
 * clients set `from` and `channelData` themselves: such an activity is refused, token or not.
 * Here the tokens are real RS256 channel tokens, checked by botbuilder's own validation; only
 * Bot Framework's key lookup and the bot's outbound token stand in for Microsoft's services.
 */
import { createRequire } from 'node:module';
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { BOT, CHANNEL, invokeActivity, messageActivity, startTeams, TENANTS, USERS, type TeamsHarness } from '../../support/teams-harness.js';

const require = createRequire(import.meta.url);
const { OpenIdMetadata } = require('botframework-connector/lib/auth/openIdMetadata') as { OpenIdMetadata: { prototype: { getKey(kid: string): Promise<unknown> } } };
const { AppCredentials } = require('botframework-connector/lib/auth/appCredentials') as { AppCredentials: { prototype: { getToken(): Promise<string> } } };
const APP_ID = '00000000-1111-4222-8333-444444444444';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A channel token as Bot Framework issues it for an activity relayed from `serviceUrl`. */
function bearer(serviceUrl: string): string {
  const now = Math.floor(Date.now() / 1000);
  const signed = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'bf' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 })}`;
  return `Bearer ${signed}.${sign('RSA-SHA256', Buffer.from(signed), privateKey).toString('base64url')}`;
}

/** What a Direct Line or Web Chat client sends: a `from` and `channelData` of its choosing, relayed by Bot Framework. */
function fromDirectLine(activity: Record<string, unknown>, from: { id: string; name: string }, tenant: string): Record<string, unknown> {
  return { ...activity, channelId: 'directline', from, conversation: { id: 'DL-conversation-1' }, channelData: { tenant: { id: tenant } } };
}

describe('with MICROSOFT_APP_ID set, only Teams activities are taken', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    // Bot Framework's signing key, endorsed for the channels it signs for.
    OpenIdMetadata.prototype.getKey = async (kid: string) => (kid === 'bf' ? { key: pem, endorsements: ['msteams', 'webchat', 'directline', 'emulator'] } : null);
    AppCredentials.prototype.getToken = async () => 'outbound-token';
    h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x-secret-x' } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('a Teams activity with its token is answered', async () => {
    const r = await h.post(messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url), { authorization: bearer(h.connector.url) });
    expect(r.status).toBe(200);
    expect(readCard(cardOf(h.connector.calls.at(-1)))).toContain('Acme Corporation');
  });

  it("a Direct Line client naming a partner's tenant files nothing as that partner", async () => {
    const before = h.rt.store.claims.all().length;
    const ledger = [...h.rt.store.ledger.entries()].length;
    const submit = invokeActivity(USERS.northwind, TEAMS_IDS.submits[FORMS.claim], { state: {}, account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Impostor deal', stage: 'proposal', evidence: '' }, { kind: 'personal' }, h.connector.url);
    const r = await h.post(fromDirectLine(submit, { id: 'dl_anyone', name: 'Anyone' }, TENANTS.northwind), { authorization: bearer(h.connector.url) });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'activity channelId: roe-bot answers Microsoft Teams only ("msteams"), not "directline"' });
    expect(h.rt.store.claims.all()).toHaveLength(before);
    expect([...h.rt.store.ledger.entries()]).toHaveLength(ledger);
  });

  it("a Direct Line client using the arbitrator's Teams id cannot rule", async () => {
    const d = openArbitratedCase(h.rt, 'wayne');
    // Pat used the bot in Teams a moment ago: the roster's answer for 29:pat is fresh.
    expect((await h.post(messageActivity(USERS.pat, 'roe help', { kind: 'personal' }, h.connector.url), { authorization: bearer(h.connector.url) })).status).toBe(200);
    const approve = invokeActivity(USERS.pat, TEAMS_IDS.actions[ACTIONS.approve], { value: `${d.id}:${d.recommendation}` }, { kind: 'personal' }, h.connector.url);
    const r = await h.post(fromDirectLine(approve, { id: USERS.pat.id, name: 'Pat Okafor' }, TENANTS.home), { authorization: bearer(h.connector.url) });
    expect(r.status).toBe(403);
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', ruledBy: null });
  });

  it('the Bot Framework Emulator is not taken either, nor an activity without a channel', async () => {
    const a = messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url);
    expect((await h.post({ ...a, channelId: 'emulator' }, { authorization: bearer(h.connector.url) })).status).toBe(403);
    // Without a channel, botbuilder itself refuses the token (its key is endorsed for named channels).
    const { channelId: _, ...none } = a;
    expect((await h.post(none, { authorization: bearer(h.connector.url) })).status).toBe(401);
  });
});

describe('unauthenticated, trying the bot locally', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('the Agents Playground (as Teams) and the Bot Framework Emulator are answered; Web Chat is not', async () => {
    const a = messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url);
    expect((await h.post(a)).status).toBe(200);
    expect((await h.post({ ...a, channelId: 'emulator' })).status).toBe(200);
    const r = await h.post({ ...a, channelId: 'webchat' });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'activity channelId: roe-bot answers Microsoft Teams only ("msteams" or "emulator"), not "webchat"' });
  });

  it.each([
    ['a mention that names nobody', (a: Record<string, unknown>) => void (a.entities = [{ type: 'mention', text: `<at>${BOT.name}</at>` }]), 'activity entities.0.mentioned: Invalid input: expected object, received undefined'],
    ['a mention without its text', (a: Record<string, unknown>) => void (a.entities = [{ type: 'mention', mentioned: BOT }]), 'activity entities.0.text: Invalid input: expected string, received undefined'],
    ['a message with a mention and no text', (a: Record<string, unknown>) => void delete a.text, 'activity text: a message with a mention has no text'],
  ])('%s gets a 400 naming the field, and nothing is posted in the channel', async (_, spoil, error) => {
    const a = messageActivity(USERS.sam, 'who-owns acme', { kind: 'channel', root: '1700000000999' }, h.connector.url);
    spoil(a);
    const r = await h.post(a);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error });
    expect(h.connector.messages(`${CHANNEL};messageid=1700000000999`)).toEqual([]);
  });

  it("a stranger who names someone's id in a private answer's refresh is not told their name", async () => {
    await h.say(USERS.pat, 'roe help');
    for (const id of [USERS.pat.id, USERS.pat.aadObjectId]) {
      const card = readCard(await h.click(USERS.stranger, TEAMS_IDS.refresh.privateAnswer, { for: id, command: 'who-owns acme' }));
      expect(card).toContain('Someone asked');
      expect(card).not.toContain('Pat Okafor');
    }
  });

  it("no one who names someone's id in a private answer's refresh is told the name the bot knows them by; the card's own button still says who asked", async () => {
    await h.say(USERS.pat, 'roe help');
    // A partner's user and a colleague, with a card of their own making: its id is all it says of the asker.
    for (const u of [USERS.contoso, USERS.sam]) {
      for (const id of [USERS.pat.id, USERS.pat.aadObjectId]) {
        const card = readCard(await h.click(u, TEAMS_IDS.refresh.privateAnswer, { for: id, command: 'who-owns acme' }));
        expect(card).toContain('Someone asked: who-owns acme');
        expect(card).not.toContain('Pat Okafor');
      }
    }
    // The card Pat's question put in the channel: whoever clicks it sees who asked, as everyone in the channel does.
    const scope = { kind: 'channel', root: '1700000000555' } as const;
    const stub = await h.say(USERS.pat, 'who-owns acme', scope);
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    for (const u of [USERS.contoso, USERS.sam]) {
      const theirs = readCard(await h.click(u, refresh.action.verb, refresh.action.data, scope));
      expect(theirs).toContain('Pat Okafor asked: who-owns acme');
      expect(theirs).not.toContain('Northwind');
    }
  });
});
