import type { webApi } from '@slack/bolt';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import { within } from './context.js';

/** The workspace (and Enterprise Grid org) the bot is installed in: its users are internal. */
export interface Workspace {
  teamId: string | null;
  enterpriseId: string | null;
  botUserId: string | undefined;
  botId: string | undefined;
}

/** What a payload tells about the user who acted. */
export interface SlackUserRef {
  id: string;
  name?: string | undefined;
  /** The user's own team, when the payload carries it (`user.team_id` of interactive payloads). */
  teamId?: string | undefined;
}

interface UserFacts {
  teamId: string | null;
  enterpriseId: string | null;
  name: string;
  /** A single- or multi-channel guest (`is_ultra_restricted`, `is_restricted`). */
  guest: boolean;
  at: number;
}

const USER_TTL_MS = 10 * 60_000;
const MAX_CACHED_USERS = 5_000;

/**
 * Maps Slack users to principals. A user is internal ("home") when their own team is the
 * workspace's (or their Enterprise Grid org is the bot's, in a workspace no partner is listed
 * with) and they are no guest; anyone else is
 * mapped by their team id to a partner (Slack Connect) or is an unknown external. `users.info`
 * says a home user's guest status (and the team where a payload does not carry it: slash
 * commands, events); answers are cached for minutes.
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
     * Whether a Slack team is a partner's (`slack_team_id` in the partners CSV): in an Enterprise
     * Grid org, a workspace of the org that is a partner's is that partner's, not the company's.
     */
    private readonly partnerTeam: (teamId: string) => boolean = () => false,
  ) {}

  /** `auth.test` of the bot token, once; retried on the next call when it failed. */
  workspace(): Promise<Workspace> {
    this.workspacePromise ??= this.client.auth.test().then(
      (r) => (this.known = { teamId: r.team_id ?? null, enterpriseId: r.enterprise_id || null, botUserId: r.user_id, botId: r.bot_id }),
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
    const facts: UserFacts = {
      teamId: u?.team_id ?? null,
      enterpriseId: u?.enterprise_user?.enterprise_id ?? null,
      name: u?.profile?.display_name || u?.real_name || u?.name || user.name || user.id,
      guest: u?.is_restricted === true || u?.is_ultra_restricted === true,
      at: this.nowMs(),
    };
    this.users.delete(user.id);
    this.users.set(user.id, facts);
    if (this.users.size > MAX_CACHED_USERS) this.users.delete(this.users.keys().next().value!);
    return facts;
  }

  /**
   * The identity from the payload alone, or null when users.info must say (see {@link identity}):
   * a user of another team (Slack Connect) is settled by the payload's user.team_id, except in
   * an Enterprise Grid org, where a colleague from another workspace of the same org is still
   * home. A user of the workspace's own team always needs users.info: a guest has that team too.
   */
  private fromPayload(ws: Workspace, user: SlackUserRef): ChatIdentity | null {
    if (user.teamId && user.teamId !== ws.teamId && (ws.enterpriseId === null || this.partnerTeam(user.teamId))) {
      return { platform: 'slack', userId: user.id, displayName: user.name ?? user.id, orgId: user.teamId, home: false };
    }
    return null;
  }

  private fromFacts(ws: Workspace, user: SlackUserRef, f: UserFacts): ChatIdentity {
    // Another workspace of the bot's Grid org is the company's, unless it is listed as a partner's.
    const home = (f.teamId !== null && f.teamId === ws.teamId) || (ws.enterpriseId !== null && f.enterpriseId === ws.enterpriseId && !(f.teamId !== null && this.partnerTeam(f.teamId)));
    // A guest of the workspace is no colleague: it may be a partner's person let into a channel.
    if (home && f.guest) return { platform: 'slack', userId: user.id, displayName: user.name ?? f.name, orgId: f.teamId, home: false, guest: true };
    return { platform: 'slack', userId: user.id, displayName: user.name ?? f.name, orgId: f.teamId, home };
  }

  /** The chat identity of a Slack user, home or external. */
  async identity(user: SlackUserRef): Promise<ChatIdentity> {
    const ws = await this.workspace();
    return this.fromPayload(ws, user) ?? this.fromFacts(ws, user, await this.lookup(user));
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
