import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SlackIdentities } from '../../../handlers/platforms/slack/identity.js';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';

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

  it('a user of another team is settled from the payload, without asking Slack', async () => {
    const state = { down: true, calls: 0 };
    const ids = new SlackIdentities(client({}, state), resolve, () => 0);
    expect((await ids.identity({ id: 'U0NW1', teamId: 'T0NORTHWIND' })).home).toBe(false);
    expect(state.calls).toBe(0);
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
