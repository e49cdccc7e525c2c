/**
 * Who a Teams user is, as Teams' roster (GET /v3/conversations/{id}/members/{userId}, through
 * botbuilder's TeamsInfo.getMember) says: only a full member (`userRole` user or owner) of the company's
 * tenant is a colleague, and only one of a partner's tenant that partner's. Someone who joined a
 * meeting anonymously is given the organiser's tenant by the roster (`userRole: anonymous`), and is
 * neither. Which partner a tenant is, is read afresh at every message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { FORMS } from '../../../handlers/replies/model.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { readCard } from '../../support/fake-connector.js';
import { MEETING_CHAT, startTeams, TENANTS, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

const meeting: Scope = { kind: 'meeting' };
const claim = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage: 'qualified', amount: '25000', evidence: '' };

/** Someone who joined the meeting by its link without signing in: Teams sends no Entra object id, and the activity names the organiser's tenant. */
function anonymousIn(organiser: string, n = 1): TeamsUser {
  const anon = { id: `29:anon-${n}`, name: `Anon${n} (Guest)`, tenant: organiser };
  h.connector.anonymous.add(anon.id);
  h.connector.memberTenants.set(anon.id, organiser);
  return anon;
}

/** What `u` asked by @mentioning the bot in the meeting chat, as the card's refresh shows it to them alone. */
async function askedInMeeting(u: TeamsUser, typed: string): Promise<string> {
  const stub = await h.say(u, typed, meeting);
  const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> }; userIds: string[] };
  expect(refresh.userIds).toEqual([u.id]);
  return readCard(await h.click(u, refresh.action.verb, refresh.action.data, meeting));
}

describe('an anonymous meeting participant (joined by the link, not signed in)', () => {
  it('in a meeting the company organises is no colleague: reads no partner’s deal and files nothing', async () => {
    const anon = anonymousIn(TENANTS.home);
    const claims = h.rt.store.claims.all().length;
    const answer = await askedInMeeting(anon, 'who-owns acme');
    // Northwind's claim on Acme: its name, its opportunity and its size.
    expect(answer).not.toContain('Northwind');
    expect(answer).not.toContain('Acme analytics rollout');
    expect(answer).not.toContain('48,000');
    expect(answer).toMatch(/Guest accounts cannot use roe-bot/);
    expect(await askedInMeeting(anon, 'roe queue')).not.toMatch(/Dispute #\d+/);
    // A claim form's submit (a click in the meeting chat) files nothing.
    expect(readCard(await h.click(anon, TEAMS_IDS.submits[FORMS.claim], { ...claim, claimant: 'Northwind Partners' }, meeting))).toContain('Nothing was changed.');
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    // The roster was asked about them, in the meeting's chat.
    expect(h.connector.calls.some((c) => c.kind === 'member' && c.conversationId === MEETING_CHAT && c.activityId === anon.id)).toBe(true);
    // A colleague in the same meeting is a colleague.
    expect(await askedInMeeting(USERS.rep, 'who-owns acme')).toContain('Northwind Partners (First registration)');
  });

  it('in a meeting a partner organises does not act for that partner', async () => {
    const anon = anonymousIn(TENANTS.northwind, 2);
    const claims = h.rt.store.claims.all().length;
    // Filed as Northwind's, the claim would be filed.
    expect(readCard(await h.click(anon, TEAMS_IDS.submits[FORMS.claim], claim, meeting))).toContain('Nothing was changed.');
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    const answer = await askedInMeeting(anon, 'who-owns acme');
    expect(answer).not.toContain('48,000');
    expect(answer).toMatch(/Guest accounts cannot use roe-bot/);
    // Northwind's own rep, in the same meeting, is Northwind's.
    expect(await askedInMeeting(USERS.northwind, 'who-owns acme')).toContain('48,000');
  });
});

describe('a group chat the company hosts with people of other organisations (Teams external access)', () => {
  it('each is known by the tenant the roster gives, not the host’s the activity names', async () => {
    const chat: Scope = { kind: 'groupChat' };
    const inChat = async (u: TeamsUser, typed: string) => {
      const stub = await h.say(u, typed, chat);
      const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
      return readCard(await h.click(u, refresh.action.verb, refresh.action.data, chat));
    };
    // Every activity of the chat names the company's tenant, the host's.
    const carl = { ...USERS.contoso, tenant: TENANTS.home };
    const xavier = { ...USERS.stranger, tenant: TENANTS.home };
    const carlReads = await inChat(carl, 'who-owns acme');
    expect(carlReads).toContain('another party');
    expect(carlReads).not.toContain('Northwind');
    expect(carlReads).not.toContain('48,000');
    const xavierReads = await inChat(xavier, 'who-owns acme');
    expect(xavierReads).toContain('not linked to a partner of ours');
    expect(xavierReads).not.toContain('Northwind');
    expect(await inChat(USERS.rep, 'who-owns acme')).toContain('Northwind Partners (First registration)');
  });
});

it('a team’s owner (roster role owner) is a colleague; a role the bot does not know is taken for a guest’s, and the log says so', async () => {
  h.connector.roles.set(USERS.rep.id, 'owner');
  expect(readCard(await h.say(USERS.rep, 'who-owns acme'))).toContain('Northwind Partners (First registration)');
  const odd = { id: '29:odd', name: 'Odd Role', aadObjectId: 'e0000000-0000-4000-8000-0000000000cc', tenant: TENANTS.home };
  h.connector.memberTenants.set(odd.id, TENANTS.home);
  h.connector.roles.set(odd.id, 'visitor');
  const answer = readCard(await h.say(odd, 'who-owns acme'));
  expect(answer).not.toContain('Northwind');
  expect(answer).toMatch(/Guest accounts cannot use roe-bot/);
  expect(h.rt.logs.lines.filter((l) => l.includes('the roster gives a user a role roe-bot does not know') && l.includes('"userRole":"visitor"'))).toHaveLength(1);
});

describe('a partner’s teams_tenant_id re-imported', () => {
  it('takes effect at the next message, though Teams’ roster answer about the person is still remembered', async () => {
    expect(readCard(await h.say(USERS.contoso, 'who-owns acme'))).toContain('another party');
    const asked = () => h.connector.calls.filter((c) => c.kind === 'member' && c.activityId === USERS.contoso.id).length;
    const roster = asked();
    // Contoso's tenant cleared: Carl is no partner's any more.
    importCsv(h.rt.ctx, 'partners', 'p.csv', 'id,name,tier,slack_team_id,teams_tenant_id\ncontoso,Contoso Consulting,silver,T0CONTOSO,\n');
    expect(readCard(await h.say(USERS.contoso, 'claim acme'))).toContain('not linked to a partner of ours');
    // Given Xavier's tenant instead: Xavier is Contoso's at once, Carl still nobody's.
    importCsv(h.rt.ctx, 'partners', 'p.csv', `id,name,tier,slack_team_id,teams_tenant_id\ncontoso,Contoso Consulting,silver,T0CONTOSO,${TENANTS.stranger}\n`);
    const xavier = readCard(await h.say(USERS.stranger, 'who-owns acme'));
    expect(xavier).toContain('another party');
    expect(xavier).not.toContain('not linked to a partner');
    expect(readCard(await h.say(USERS.contoso, 'claim acme'))).toContain('not linked to a partner of ours');
    // Within the ten minutes a roster answer is kept, Teams was not asked about Carl again.
    expect(asked()).toBe(roster);
  });
});
