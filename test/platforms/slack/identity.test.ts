import type { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackIdentities } from '../../../handlers/platforms/slack/identity.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

/** A Web API client that knows one workspace and answers users.info from a table, or fails. */
function client(users: Record<string, { team_id: string; is_restricted?: boolean; enterprise_user?: { enterprise_id: string } }>, state: { down: boolean; calls: number }, enterpriseId?: string) {
  return {
    auth: { test: async () => ({ ok: true, team_id: 'T0HOME', user_id: 'U0BOT', bot_id: 'B0BOT', ...(enterpriseId ? { enterprise_id: enterpriseId } : {}) }) },
    users: {
      info: async ({ user }: { user: string }) => {
        state.calls++;
        if (state.down) throw new Error('socket hang up');
        const u = users[user];
        if (!u) throw new Error('user_not_found');
        return { ok: true, user: { id: user, name: user, ...u } };
      },
    },
  } as unknown as webApi.WebClient;
}
const resolve = (who: ChatIdentity): Principal =>
  who.guest ? { kind: 'unknown', userKey: who.userId, displayName: who.displayName, guest: true } : who.home ? { kind: 'internal', userKey: who.userId, personKey: null, displayName: who.displayName } : { kind: 'unknown', userKey: who.userId, displayName: who.displayName };

describe('SlackIdentities and users.info', () => {
  it('a colleague looked up before stays a colleague while Slack does not answer; a guest stays a guest; someone never looked up is not let in', async () => {
    const state = { down: false, calls: 0 };
    let now = 0;
    const ids = new SlackIdentities(client({ U0SAM: { team_id: 'T0HOME' }, U0GST: { team_id: 'T0HOME', is_restricted: true } }, state), resolve, () => now);
    expect((await ids.principal({ id: 'U0SAM', teamId: 'T0HOME' })).kind).toBe('internal');
    expect(await ids.principal({ id: 'U0GST', teamId: 'T0HOME' })).toMatchObject({ kind: 'unknown', guest: true });
    now += 11 * 60_000; // past the cache
    state.down = true;
    expect((await ids.principal({ id: 'U0SAM', teamId: 'T0HOME' })).kind).toBe('internal');
    expect(await ids.principal({ id: 'U0GST', teamId: 'T0HOME' })).toMatchObject({ kind: 'unknown', guest: true });
    await expect(ids.principal({ id: 'U0NEW', teamId: 'T0HOME' })).rejects.toThrow('socket hang up');
    // Slack back: asked again, answers kept for ten minutes.
    state.down = false;
    const before = state.calls;
    expect((await ids.principal({ id: 'U0SAM', teamId: 'T0HOME' })).kind).toBe('internal');
    expect((await ids.principal({ id: 'U0SAM', teamId: 'T0HOME' })).kind).toBe('internal');
    expect(state.calls - before).toBe(1);
  });

  it('a user of a partner\'s team is settled from the payload, without asking Slack', async () => {
    const state = { down: true, calls: 0 };
    const ids = new SlackIdentities(client({}, state), resolve, () => 0, (team) => team === 'T0NORTHWIND');
    expect((await ids.identity({ id: 'U0NW1', teamId: 'T0NORTHWIND' })).home).toBe(false);
    expect(state.calls).toBe(0);
  });

  it('a user of a team that is neither ours nor a partner\'s is asked of Slack; while Slack does not answer, they get help only', async () => {
    const state = { down: true, calls: 0 };
    const ids = new SlackIdentities(client({}, state), resolve, () => 0, (team) => team === 'T0NORTHWIND');
    expect(await ids.identity({ id: 'U0XX1', teamId: 'T0STRANGER' })).toMatchObject({ home: false, orgId: 'T0STRANGER' });
    expect(state.calls).toBe(1);
  });

  it('in an Enterprise Grid org, a colleague of another workspace of the org is home; a user of a workspace of the org listed as a partner\'s is not', async () => {
    const state = { down: false, calls: 0 };
    const org = { enterprise_id: 'E0ORG' };
    const users = { U0OPS: { team_id: 'T0OPS', enterprise_user: org }, U0NW1: { team_id: 'T0NORTHWIND', enterprise_user: org } };
    const ids = new SlackIdentities(client(users, state, 'E0ORG'), resolve, () => 0, (team) => team === 'T0NORTHWIND');
    expect(await ids.identity({ id: 'U0OPS', teamId: 'T0OPS' })).toMatchObject({ home: true });
    // From the payload's team alone, and from users.info (a slash command carries no user team).
    expect(await ids.identity({ id: 'U0NW1', teamId: 'T0NORTHWIND' })).toMatchObject({ home: false, orgId: 'T0NORTHWIND' });
    expect(await ids.identity({ id: 'U0NW1' })).toMatchObject({ home: false, orgId: 'T0NORTHWIND' });
  });
});

/**
 * Over HTTP, with payloads as Slack sends them: in an Enterprise Grid org an interactive
 * payload's `user.team_id` is the org's id (`E…`), not the workspace's, and users.info may name
 * no `team_id` for an org's user, only `enterprise_user.teams`
 * (https://docs.slack.dev/reference/interaction-payloads/block_suggestion-payload).
 */
describe('who a Slack user is, over HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const whoOwns = async (user: SlackUser, text: string) => {
    const { res, responseUrl } = await h.command(user, SLACK_IDS.commands.whoOwns, text, { channel: SHARED_CHANNEL });
    expect(res.status).toBe(200);
    return res.text ? (res.json() as Record<string, unknown>) : h.answer(responseUrl);
  };
  const claim = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' };

  it("in an Enterprise Grid org, a user of the org's workspace listed as Contoso's acts for Contoso, never as a colleague; colleagues of the org's other workspaces are colleagues", async () => {
    h = await startSlack({ enterprise: 'E0ORG' });
    // Slack names the org's workspaces of each, and no team_id.
    const cora = { id: 'W0CO2', name: 'cora.contoso', team: 'E0ORG' };
    h.fake.addUser({ id: cora.id, name: cora.name, enterprise: { id: 'E0ORG', teams: ['T0CONTOSO'] } });
    const ops = { id: 'W0OPS', name: 'olga.ops', team: 'E0ORG' };
    h.fake.addUser({ id: ops.id, name: ops.name, enterprise: { id: 'E0ORG', teams: ['T0OPS'] } });
    // One of the company's people who is also in Contoso's workspace: a member of the bot's own workspace is a colleague.
    const both = { id: 'W0BTH', name: 'bea.both', team: 'E0ORG' };
    h.fake.addUser({ id: both.id, name: both.name, enterprise: { id: 'E0ORG', teams: ['T0HOME', 'T0CONTOSO'] } });

    const seen = visible(await whoOwns(cora, 'acme corp'));
    expect(seen).toContain('protected by another party until');
    expect(seen).not.toContain('Northwind');
    expect(seen).not.toContain('48,000');
    // The same from a form: the claim is Contoso's (the payload's team is the org's).
    const view = await h.openForm(cora, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    expect((await h.submit(cora, view, claim)).status).toBe(200);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent').map((c) => c.claimant)).toEqual(['contoso']);

    expect(visible(await whoOwns(ops, 'acme corp'))).toContain('Northwind Partners');
    expect(visible(await whoOwns(both, 'acme corp'))).toContain('Northwind Partners');
    // Slack may name in a form's payload any one of the user's workspaces, here Contoso's: still a colleague, filing for the direct team.
    const direct = await h.openForm(both, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    const res = await h.submit({ ...both, team: 'T0CONTOSO' }, direct, { account: 'acme', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Acme services', stage: 'qualified' });
    expect(res.json()).toMatchObject({ response_action: 'update' });
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'acme' && c.productLine === 'Services').map((c) => c.claimant)).toEqual(['direct']);
  });

  it("a partner's user whose own Slack is an Enterprise Grid org (the payload names the org, users.info the workspace) files a claim from a form for their partner", async () => {
    h = await startSlack();
    const nell = { id: 'W0NW2', name: 'nell.northwind', team: 'E0NWORG' };
    h.fake.addUser({ id: nell.id, name: nell.name, team_id: 'T0NORTHWIND', enterprise: { id: 'E0NWORG', teams: ['T0NORTHWIND'] } });
    const view = await h.openForm(nell, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    const res = await h.submit(nell, view, claim);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ response_action: 'update' });
    expect(visible(res.json())).not.toMatch(/not linked to a partner/);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent').map((c) => c.claimant)).toEqual(['northwind']);
  });

  it("a partner's slack_team_id changed by an import is followed at once, even for a user Slack was asked about moments ago", async () => {
    h = await startSlack();
    expect(visible(await whoOwns(USERS.northwind, 'acme corp'))).toContain('48,000');
    const northwind = h.rt.store.partners.get('northwind')!;
    h.rt.store.partners.upsert({ ...northwind, slackTeamId: 'T0NWNEW' });
    expect(visible(await whoOwns(USERS.northwind, 'acme corp'))).toMatch(/not linked to a partner of ours yet/);
    h.rt.store.partners.upsert({ ...h.rt.store.partners.get('contoso')!, slackTeamId: 'T0NORTHWIND' });
    const seen = visible(await whoOwns(USERS.northwind, 'acme corp'));
    expect(seen).toContain('protected by another party until');
    expect(seen).not.toContain('48,000');
  });
});
