import { formatsFor, startsLocalDay } from '../src/core/time-format.js';
import { moment } from './replies/moment.js';
import type { PolicyPeople, Principal } from '../src/core/authz.js';
import { canSeeDealDetails, canSeeParty, ownParty, unknownReason, userKey, userKeysOfPerson } from '../src/core/authz.js';
import { DomainError } from '../src/core/errors.js';
import { personName } from '../src/core/disputes/disputes.service.js';
import { calendarOf, type DomainContext } from '../src/core/context.js';
import type { AccountMatch, Ranking } from '../src/core/matching/matcher.js';
import type { ExplainOptions } from '../src/core/ownership/explain.js';
import type { PolicyVersion } from '../src/core/policy/versions.js';
import { DIRECT, DIRECT_NAME, type PartyId } from '../src/core/types.js';
import type { ChatPlatform } from '../src/core/events.js';

/** What every handler gets: the domain context and the account matcher. */
export interface HandlerDeps {
  ctx: DomainContext;
  /**
   * Where the company's people hear of a case no chat raised (one an import opened): the chat
   * platform this configuration serves, or the console with none. Slack when not said.
   */
  platform?: 'slack' | 'teams' | 'console';
  /**
   * The chat platforms this configuration serves (Slack, Teams or both): where a person whose
   * card bounced on one may still be reached. `platform`'s alone when not said.
   */
  platforms?: readonly ChatPlatform[];
  matcher: {
    search(query: string, limit?: number): AccountMatch[];
    /** The same results as `search`, each read only when asked for. */
    rank(query: string, limit?: number): Ranking;
    suggest(query: string, limit?: number): AccountMatch[];
  };
  /**
   * The Teams users the bot has met, by their Entra (Azure AD) object id: a policy person whose
   * `teams` id is that GUID files claims and gets DMs under their Teams user id (`29:…`).
   */
  teamsUsers?: {
    /** The Teams user id the bot met with this Entra object id, if any. */
    withAad(aadObjectId: string): string | null;
    /** The Entra object id of a Teams user the bot has met, if it said one. */
    aadOf(teamsUserId: string): string | null;
  };
  /**
   * Where what an operator must act on is said (a case that reached nobody at the company, or
   * only its last arbitrator: see announce): the scheduler logs it once the timer's work commits,
   * so a timer undone or retried says nothing twice. Unset: said nowhere.
   */
  alert?: (alert: OperatorAlert) => void;
}

/** A line for the operator's log: its level, its message, and the fields that name what it is about. */
export interface OperatorAlert {
  level: 'error' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

/** The chat platforms `deps` serves (see HandlerDeps.platforms): none for the console alone. */
export function servedPlatforms(deps: HandlerDeps): readonly ChatPlatform[] {
  if (deps.platforms) return deps.platforms;
  const one = deps.platform ?? 'slack';
  return one === 'console' ? [] : [one];
}

/**
 * The user keys a company user files claims under: their own and, for a person of the policy,
 * their ids on every platform it names (someone on both Slack and Teams sees every claim of
 * theirs from either).
 */
export function ownUserKeys(deps: HandlerDeps, people: PolicyPeople, viewer: Extract<Principal, { kind: 'internal' }>): string[] {
  if (viewer.personKey === null) return [viewer.userKey];
  return [...new Set([viewer.userKey, ...userKeysOfPerson(people, viewer.personKey), ...teamsKeyByEntraId(deps, people, viewer.personKey)])];
}

/**
 * The one user key of a person's that the policy cannot give (the core's userKeysOfPerson does
 * the rest): a `teams` id given as an Entra object id, whose claims from Teams are under the Teams
 * user id the bot met them by. Empty when the policy names no such id, or the bot never met them.
 */
export function teamsKeyByEntraId(deps: HandlerDeps, people: PolicyPeople, personKey: string): string[] {
  const aad = Object.hasOwn(people, personKey) ? people[personKey]!.teams : undefined;
  const teamsId = aad ? deps.teamsUsers?.withAad(aad) : null;
  return teamsId ? [userKey('teams', teamsId)] : [];
}

/** Whether this viewer talks to the bot in Teams (commands typed without a slash; no Slack shortcut or Home). */
export function onTeams(viewer: Pick<Principal, 'userKey'>): boolean {
  return viewer.userKey.startsWith('teams:');
}

/** Whether this viewer is at the local console (`npm start`'s prompt): cards there are answered in place, with its own commands. */
export function onConsole(viewer: Pick<Principal, 'userKey'>): boolean {
  return viewer.userKey.startsWith('console:');
}

/** A command as this viewer types it: `/who-owns acme` in Slack and the console, `who-owns acme` in Teams. */
export function cmd(viewer: Pick<Principal, 'userKey'>, command: string): string {
  return onTeams(viewer) ? command : `/${command}`;
}

/** Why someone unknown may only ask for help, and what they can do about it. */
export function unknownAdvice(viewer: Extract<Principal, { kind: 'unknown' }>): { why: string; ask: string } {
  return {
    why: unknownReason(viewer),
    ask: viewer.guest
      ? 'Ask for a full account, or use roe-bot from your own organisation’s Slack or Teams.'
      : viewer.formerPartner
        ? 'Its claims were closed when it left. Ask your partner manager if it should be in the programme again.'
        : 'Ask your partner manager to connect it.',
  };
}

/**
 * Someone of no known organisation may ask for help, and nothing else: every other handler
 * refuses them politely, naming what they tried (`register deals`, `raise disputes`, …).
 */
export function refuseUnknown(viewer: Principal, what: string): void {
  if (viewer.kind === 'unknown') {
    const { why, ask } = unknownAdvice(viewer);
    throw new DomainError('unknown_user', `${why}, so you cannot ${what}; I can only offer help (${cmd(viewer, 'roe help')}). ${ask}`);
  }
}

/**
 * Who reads a dispute's thread (a shared channel, a group chat): every party at once, and the
 * company's people, in one message. It sees what a partner that is no party would, so it names
 * no partner; a sentence about one party (who owns the account) must not read as said to one.
 */
export const CHANNEL_VIEWER: Principal = { kind: 'external', userKey: 'channel', partnerId: '', displayName: 'channel' };

/** Whether `viewer` is the thread's reader ({@link CHANNEL_VIEWER}), no party of its own. */
export function readsAsChannel(viewer: Principal): boolean {
  return viewer.kind === 'external' && viewer.partnerId === '' && viewer.userKey === CHANNEL_VIEWER.userKey;
}

/** How one viewer sees names and dates: an external partner sees only their own deals. */
export interface Viewpoint {
  viewer: Principal;
  version: PolicyVersion;
  party(id: PartyId): string;
  person(key: string): string;
  seesDeal(party: PartyId): boolean;
  /** A day, in the policy's zone: `Nov 30, 2026`. */
  date(at: Date | string): string;
  /**
   * A moment: `Dec 2, 2026, 10:00 AM EST` in the policy's zone, marked so that Slack and Teams
   * show it in each reader's own time zone ({@link moment}).
   */
  dateTime(at: Date | string): string;
  /** A due time or a snooze's end: as dateTime, but a day's first moment is the end of the day before, `end of Dec 10, 2026 (midnight EST)`. */
  deadline(at: Date | string): string;
  /**
   * When something held until `at` ends, in words: `until Feb 28, 2027`; or, when it ends at
   * midnight where the company is (a protection counted from a CRM's date), `through` the day
   * before, the last day it holds, with the zone it ends in: `through Feb 9, 2027 EST`, not
   * `until Feb 10, 2027` (a reader elsewhere reaches that midnight at another time of day).
   */
  until(at: Date): string;
  /**
   * When something lapses at `at` unless acted on before, as a day to act by: `on Dec 30, 2026`;
   * or, when it lapses at midnight where the company is (a claim dated by a CRM's days), `at the
   * end of` the day before, the last day left, with the zone it ends in: `at the end of Dec 29,
   * 2026 EST`, not `on Dec 30, 2026`.
   */
  lapse(at: Date): string;
}

/**
 * ` for Contoso Consulting` when `party` is not the viewer's own (one of the company's people who
 * filed a claim, or is in a case, for a partner); nothing for their own party.
 */
export function forParty(vp: Viewpoint, party: PartyId): string {
  return party === ownParty(vp.viewer) ? '' : ` for ${vp.party(party)}`;
}

/** How a criteria verdict is explained to this viewer: names they may see, dates in the policy's zone. */
export function explainOptions(vp: Viewpoint): ExplainOptions {
  return { nameOf: vp.party, formatDate: vp.date, formatDateTime: vp.dateTime, internal: vp.viewer.kind === 'internal' };
}

export function viewpoint(deps: HandlerDeps, viewer: Principal): Viewpoint {
  const version = deps.ctx.policies().inForceAt(deps.ctx.clock.now());
  const tz = version.policy.timezone;
  const { dateFmt, dateTimeFmt } = formatsFor(tz);
  /**
   * The day that ends as `t` starts the next, where the policy is, and that zone's name as it was
   * just before (where the clocks skip midnight, that is the midnight meant): "Feb 9, 2027 EST".
   */
  const dayBefore = (t: Date): { day: string; zone: string | undefined; named: string } => {
    const last = new Date(t.getTime() - 1);
    const day = dateFmt.format(last);
    const zone = dateTimeFmt.formatToParts(last).find((p) => p.type === 'timeZoneName')?.value;
    return { day, zone, named: zone ? `${day} ${zone}` : day };
  };
  // A reply names the same parties again and again (owner, claims, criteria): each is read once.
  const names = new Map<PartyId, string>();
  return {
    viewer,
    version,
    party: (id) => {
      if (id === DIRECT) return DIRECT_NAME;
      if (!canSeeParty(viewer, id)) return 'another party';
      let name = names.get(id);
      if (name === undefined) {
        name = deps.ctx.store.partners.get(id)?.name ?? id;
        names.set(id, name);
      }
      return name;
    },
    // Someone the policy in force no longer names keeps the name an earlier version gave them.
    person: (key) => personName(version, key, deps.ctx.policies()),
    seesDeal: (party) => canSeeDealDetails(viewer, party),
    date: (at) => dateFmt.format(new Date(at)),
    // A moment: Slack and Teams show it in each reader's own time (see replies/moment.ts).
    dateTime: (at) => moment(new Date(at), tz),
    // A deadline that starts a day (at a "24:00" closing) is named as the end of the day before:
    // "12:00 AM" of the next would name a day that may not be a working day at all.
    deadline: (at) => {
      const t = new Date(at);
      // Only when the day before works up to midnight (a "24:00" closing); else the day it starts.
      if (!startsLocalDay(t, tz) || !calendarOf(version).isBusinessTime(new Date(t.getTime() - 1))) return moment(t, tz);
      const { day, zone } = dayBefore(t);
      return `end of ${day}${zone ? ` (midnight ${zone})` : ''}`;
    },
    // The day before a day's start is the day its last moment falls on, named with its zone: it
    // ends at midnight there, which is another time of day for a reader elsewhere.
    until: (at) => (startsLocalDay(at, tz) ? `through ${dayBefore(at).named}` : `until ${dateFmt.format(at)}`),
    lapse: (at) => (startsLocalDay(at, tz) ? `at the end of ${dayBefore(at).named}` : `on ${dateFmt.format(at)}`),
  };
}

/**
 * " until DATE" for a protected claim, and, when it would go dormant before then for want of
 * logged activity, the date it does: " until Mar 1, 2027 (goes dormant on Dec 15, 2026 unless
 * activity is logged)", or "at the end of" the day before, for one that goes dormant at midnight.
 * The protection end alone would read as safe until then.
 */
export function protectedWords(vp: { until(at: Date): string; lapse(at: Date): string }, protectedUntil: Date, dormantAt: Date): string {
  return ` ${vp.until(protectedUntil)}${dormantAt.getTime() < protectedUntil.getTime() ? ` (goes dormant ${vp.lapse(dormantAt)} unless activity is logged)` : ''}`;
}

/**
 * " since DATE" for a dormant claim, when its dormancy moment has come: one the CRM marked dormant
 * (or re-imported with later activity) went dormant at a moment its record does not tell.
 */
export function dormantSince(vp: { date(at: Date): string }, at: Date, now: Date): string {
  return at.getTime() <= now.getTime() ? ` since ${vp.date(at)}` : '';
}
