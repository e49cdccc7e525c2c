import type { webApi } from '@slack/bolt';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import { within } from './context.js';

/** The workspace (and Enterprise Grid org) the bot is installed in: its users are internal. */
export interface Workspace {
  /** The workspace; null for an app installed across an Enterprise Grid org (an org-wide install), which is of no one workspace. */
  teamId: string | null;
  enterpriseId: string | null;
  botUserId: string | undefined;
  botId: string | undefined;
}

/** What a payload tells about the user who acted. */
export interface SlackUserRef {
  id: string;
  name?: string | undefined;
  /**
   * The user's own team, when the payload carries it (`user.team_id` of interactive payloads):
   * a workspace's `T…` id, or in an Enterprise Grid org the org's `E…` id.
   */
  teamId?: string | undefined;
}

interface UserFacts {
  teamId: string | null;
  /**
   * Every workspace users.info names for the user: its `team_id` and, in an Enterprise Grid
   * org, `enterprise_user.teams` (an org's user may belong to several, and Slack may give no
   * `team_id` at all for one).
   */
  teams: string[];
  enterpriseId: string | null;
  name: string;
  /** A single- or multi-channel guest (`is_ultra_restricted`, `is_restricted`). */
  guest: boolean;
  at: number;
}

/**
 * The workspace an `auth.test` answer names, or null for an org-wide install: its token is the
 * Enterprise Grid org's (`is_enterprise_install`), and Slack gives the org's `E…` id as its team,
 * or none. Taken for a workspace, that id would make anyone Slack names by their org (as it does
 * an org's users) a member of "the bot's workspace", a partner's workspace of the org too.
 */
function workspaceOf(r: { team_id?: string | undefined; enterprise_id?: string | undefined; is_enterprise_install?: boolean | undefined }): string | null {
  if (r.is_enterprise_install === true || !r.team_id || r.team_id === r.enterprise_id) return null;
  return r.team_id;
}

const USER_TTL_MS = 10 * 60_000;
const MAX_CACHED_USERS = 5_000;

/**
 * Maps Slack users to principals. A user is internal ("home") when they belong to the bot's
 * workspace or to one of the company's others (SLACK_INTERNAL_TEAM_IDS), or to another
 * workspace of its Enterprise Grid org while none of their workspaces is listed as a partner's,
 * and they are no guest (an org-wide install is of no one workspace: the org's rule alone
 * holds); anyone else is mapped by their workspace (or org) to a partner (Slack Connect) or is
 * an unknown external. A payload settles the user only
 * when its `user.team_id` is a partner's and the bot is in no Enterprise Grid org: anything else
 * is asked of `users.info` (which also says a guest), since a payload's team is the user's org
 * (an `E…` id) in Enterprise Grid, and a slash command's or an event's says nothing of the user. Answers are cached for minutes;
 * which partner a team is, is read afresh each time.
 */
export class SlackIdentities {
  private workspacePromise: Promise<Workspace> | null = null;
  /** The workspace, once `auth.test` has answered. */
  private known: Workspace | null = null;
  private users = new Map<string, UserFacts>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly resolve: (identity: ChatIdentity) => Principal,
    private readonly nowMs: () => number = Date.now,
    /**
     * Whether a Slack team (a workspace, or an Enterprise Grid org) is a partner's (`slack_team_id`
     * in the partners CSV), as the partners stand now: in an Enterprise Grid org, a workspace of
     * the org that is a partner's is that partner's, not the company's.
     */
    private readonly partnerTeam: (teamId: string) => boolean = () => false,
    /**
     * The company's other workspaces and Enterprise Grid orgs (SLACK_INTERNAL_TEAM_IDS): their
     * members are internal, as the bot's own workspace's are, whichever partner lists them; a
     * listed org's member whose workspace a partner lists is that partner's, as in the bot's org.
     */
    private readonly internalTeams: ReadonlySet<string> = new Set(),
  ) {}

  /** `auth.test` of the bot token, once; retried on the next call when it failed. */
  workspace(): Promise<Workspace> {
    this.workspacePromise ??= this.client.auth.test().then(
      (r) => (this.known = { teamId: workspaceOf(r), enterpriseId: r.enterprise_id || null, botUserId: r.user_id, botId: r.bot_id }),
      (err: unknown) => {
        this.workspacePromise = null;
        throw err;
      },
    );
    return this.workspacePromise;
  }

  /** The cached `users.info` answer of a user, while fresh. */
  private cached(userId: string): UserFacts | null {
    const cached = this.users.get(userId);
    return cached && this.nowMs() - cached.at < USER_TTL_MS ? cached : null;
  }

  /** `users.info` of a user (cached): their own team and org. */
  private async lookup(user: SlackUserRef): Promise<UserFacts> {
    const cached = this.cached(user.id);
    if (cached) return cached;
    let r: Awaited<ReturnType<webApi.WebClient['users']['info']>>;
    try {
      r = await this.client.users.info({ user: user.id });
    } catch (e) {
      // Slack not answering: what it said last time (older than the cache keeps answers) still
      // stands, rather than refusing a colleague; someone never looked up is not let in.
      const stale = this.users.get(user.id);
      if (stale) return stale;
      throw e;
    }
    const u = r.user;
    const teams = [u?.team_id, ...(u?.enterprise_user?.teams ?? []), ...(u?.teams ?? [])].filter((t): t is string => typeof t === 'string' && t !== '');
    const facts: UserFacts = {
      teamId: u?.team_id || null,
      teams: [...new Set(teams)],
      enterpriseId: u?.enterprise_user?.enterprise_id || u?.enterprise_id || null,
      name: u?.profile?.display_name || u?.real_name || u?.name || user.name || user.id,
      guest: u?.is_restricted === true || u?.is_ultra_restricted === true,
      at: this.nowMs(),
    };
    this.users.delete(user.id);
    this.users.set(user.id, facts);
    if (this.users.size > MAX_CACHED_USERS) this.users.delete(this.users.keys().next().value!);
    return facts;
  }

  /** Whether a team or org id is the company's: the bot's workspace, its Enterprise Grid org, or one of SLACK_INTERNAL_TEAM_IDS. */
  private ours(ws: Workspace, id: string): boolean {
    return id === ws.teamId || id === ws.enterpriseId || this.internalTeams.has(id);
  }

  /**
   * The identity from the payload alone, or null when users.info must say (see {@link identity}):
   * outside Enterprise Grid, a user whose payload team (`user.team_id`) is listed as a partner's
   * is settled by it. Any other team may be a partner's org rather than its workspace (Enterprise
   * Grid reports the org's `E…` id there), or the workspace's own (a guest has it too). In the
   * bot's own Grid org the payload names the org, or one of the user's workspaces (not
   * necessarily the one they act from), so users.info says which they are in.
   */
  private fromPayload(ws: Workspace, user: SlackUserRef): ChatIdentity | null {
    if (ws.enterpriseId === null && user.teamId && !this.ours(ws, user.teamId) && this.partnerTeam(user.teamId)) {
      return { platform: 'slack', userId: user.id, displayName: user.name ?? user.id, orgId: user.teamId, home: false };
    }
    return null;
  }

  /**
   * Who users.info says the user is. A member of the bot's own workspace, or of one of the
   * company's other workspaces (SLACK_INTERNAL_TEAM_IDS), is home. Otherwise a user of a
   * workspace listed as a partner's (or of an org listed so) is that partner's, even one whose
   * other workspaces are the company's org (the bot's, or one of SLACK_INTERNAL_TEAM_IDS);
   * failing that, a user of the bot's Enterprise Grid org or of a listed one is home; anyone
   * else is external, by their workspace.
   */
  private fromFacts(ws: Workspace, user: SlackUserRef, f: UserFacts): ChatIdentity {
    const inOrg = ws.enterpriseId !== null && f.enterpriseId === ws.enterpriseId;
    // Their workspace is the bot's: users.info's team_id says so, or, for a user of the bot's own org, any of their workspaces.
    const inWorkspace = ws.teamId !== null && (f.teamId === ws.teamId || (inOrg && f.teams.includes(ws.teamId)));
    const partnerOrg = [...f.teams, ...(f.enterpriseId ? [f.enterpriseId] : [])].find((t) => !this.ours(ws, t) && this.partnerTeam(t));
    // Or one of the company's other workspaces is theirs (SLACK_INTERNAL_TEAM_IDS), or one of its
    // other orgs while none of their workspaces is a partner's: a partner's workspace inside a
    // listed org stays the partner's, as one inside the bot's own org does.
    const isOrg = (t: string) => t === f.enterpriseId || t.startsWith('E');
    const inCompanyWorkspace = f.teams.some((t) => !isOrg(t) && this.internalTeams.has(t));
    const inCompanyOrg = [...f.teams, ...(f.enterpriseId ? [f.enterpriseId] : [])].some((t) => isOrg(t) && this.internalTeams.has(t));
    const home = inWorkspace || inCompanyWorkspace || ((inOrg || inCompanyOrg) && partnerOrg === undefined);
    const orgId = partnerOrg ?? f.teamId ?? f.teams[0] ?? f.enterpriseId;
    // A guest of the workspace is no colleague: it may be a partner's person let into a channel.
    if (home && f.guest) return { platform: 'slack', userId: user.id, displayName: user.name ?? f.name, orgId, home: false, guest: true };
    return { platform: 'slack', userId: user.id, displayName: user.name ?? f.name, orgId, home };
  }

  /** The chat identity of a Slack user, home or external. */
  async identity(user: SlackUserRef): Promise<ChatIdentity> {
    const ws = await this.workspace();
    const settled = this.fromPayload(ws, user);
    if (settled) return settled;
    let facts: UserFacts;
    try {
      facts = await this.lookup(user);
    } catch (e) {
      // Slack not answering about a user whose payload names a team that is not ours: no
      // colleague, as far as can be told; by that team, a partner's user or one with help only.
      if (user.teamId && !this.ours(ws, user.teamId)) return { platform: 'slack', userId: user.id, displayName: user.name ?? user.id, orgId: user.teamId, home: false };
      throw e;
    }
    return this.fromFacts(ws, user, facts);
  }

  async principal(user: SlackUserRef): Promise<Principal> {
    return this.resolve(await this.identity(user));
  }

  /**
   * The principal without waiting on Slack more than `budgetMs` when an older users.info answer
   * of the user is at hand (a form left open past the cache's minutes, Slack slow or rate
   * limiting): that answer stands, and the fresh one, when it comes, is cached. Someone never
   * looked up is waited for, as {@link principal} does.
   */
  async principalSoon(user: SlackUserRef, budgetMs: number): Promise<Principal> {
    const now = this.principalNow(user);
    if (now) return now;
    const ws = await this.workspace();
    const fresh = this.principal(user);
    const stale = this.users.get(user.id);
    if (!stale) return fresh;
    // With an older answer at hand the lookup never fails (lookup falls back on it).
    return (await within(fresh, budgetMs))?.value ?? this.resolve(this.fromFacts(ws, user, stale));
  }

  /**
   * The principal at once, when nothing needs asking Slack: the workspace is known, and the
   * payload or a fresh users.info answer says the user's team. Null when Slack must be asked
   * ({@link principal} does).
   */
  principalNow(user: SlackUserRef): Principal | null {
    const ws = this.known;
    if (!ws) return null;
    const fromPayload = this.fromPayload(ws, user);
    if (fromPayload) return this.resolve(fromPayload);
    const facts = this.cached(user.id);
    return facts ? this.resolve(this.fromFacts(ws, user, facts)) : null;
  }
}
