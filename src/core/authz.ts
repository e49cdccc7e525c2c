import { caseKindWords, isOverlapCase } from './disputes/case-kind.js';
import { DomainError } from './errors.js';
import type { Involvement } from './disputes/recusal.js';
import type { Dispute, Partner, PartyId } from './types.js';
import { DIRECT } from './types.js';

/** Who is acting, as resolved from a chat identity. */
export type Principal =
  | { kind: 'internal'; userKey: string; personKey: string | null; displayName: string }
  | { kind: 'external'; userKey: string; partnerId: string; displayName: string }
  | {
      kind: 'unknown';
      userKey: string;
      displayName: string;
      guest?: boolean;
      /** The partner whose Slack team or Teams tenant theirs was until it left the programme (`roe partner close`). */
      formerPartner?: FormerPartner;
    };

/** A partner taken out of the programme, as its people are told: its name, and the workspaces it had. */
export interface FormerPartner {
  id: string;
  name: string;
  slackTeamId: string | null;
  teamsTenantId: string | null;
}

/** What a platform adapter knows about a chat user. */
export interface ChatIdentity {
  platform: 'slack' | 'teams' | 'console';
  userId: string;
  displayName: string;
  /** The user's own workspace / tenant id. */
  orgId: string | null;
  /** True when the user belongs to the company's own workspace or tenant. */
  home: boolean;
  /**
   * A guest account of the company's own workspace or tenant (a Slack single- or multi-channel
   * guest, a Teams guest, or someone who joined a Teams meeting anonymously):
   * neither a colleague nor recognisably any partner's person, so it may only ask for help.
   */
  guest?: boolean;
}

/** Why an unknown user may only ask for help, in their words. */
export function unknownReason(p: Extract<Principal, { kind: 'unknown' }>): string {
  if (p.guest) return 'Guest accounts cannot use roe-bot, since it cannot tell whom a guest works for';
  return p.formerPartner ? `Your organisation (${p.formerPartner.name}) is no longer in our partner programme` : 'Your organisation is not linked to a partner of ours yet';
}

export function userKey(platform: string, userId: string): string {
  return `${platform}:${userId}`;
}

/** The policy's people, as their chat ids on each platform. */
export type PolicyPeople = Readonly<Record<string, { slack?: string | undefined; teams?: string | undefined }>>;

/** The person of the policy whose user id on `platform` (slack or teams) is `userId`; null for none. */
export function personWithChatId(people: PolicyPeople, platform: string, userId: string): string | null {
  return Object.keys(people).find((k) => (platform === 'slack' ? people[k]!.slack : platform === 'teams' ? people[k]!.teams : undefined) === userId) ?? null;
}

/** The user keys a person of the policy has: on the console, and on each platform the policy gives an id for. */
export function userKeysOfPerson(people: PolicyPeople, personKey: string): string[] {
  const person = Object.hasOwn(people, personKey) ? people[personKey] : undefined;
  if (!person) return [];
  return [userKey('console', personKey), ...(person.slack ? [userKey('slack', person.slack)] : []), ...(person.teams ? [userKey('teams', person.teams)] : [])];
}

/**
 * Internal users are the company's; an external user belongs to the partner whose Slack team
 * or Teams tenant they come from (on the console, whose id they give); anyone else is unknown and
 * may only ask for help. `partners` are those in the programme. `former`, read only for someone of
 * no partner, gives the partners taken out of the programme: one of their workspaces (on the
 * console, their id) is said to be theirs.
 */
export function resolvePrincipal(
  who: ChatIdentity,
  people: PolicyPeople,
  partners: readonly Partner[],
  former?: () => readonly FormerPartner[],
): Principal {
  const key = userKey(who.platform, who.userId);
  if (who.guest) return { kind: 'unknown', userKey: key, displayName: who.displayName, guest: true };
  if (who.home) {
    const personKey =
      who.platform === 'console'
        ? Object.hasOwn(people, who.userId)
          ? who.userId
          : null
        : personWithChatId(people, who.platform, who.userId);
    return { kind: 'internal', userKey: key, personKey, displayName: who.displayName };
  }
  // Teams tenant ids are GUIDs, written in either case (a CSV may hold them in capitals).
  const orgOf = (p: Pick<Partner, 'id' | 'slackTeamId' | 'teamsTenantId'>) => (who.platform === 'teams' ? p.teamsTenantId?.toLowerCase() : who.platform === 'slack' ? p.slackTeamId : p.id);
  const org = who.platform === 'teams' ? who.orgId?.toLowerCase() : who.orgId;
  const partner = org ? partners.find((p) => orgOf(p) === org) : undefined;
  if (partner) return { kind: 'external', userKey: key, partnerId: partner.id, displayName: who.displayName };
  // On the console, by the partner's id, which its row keeps once it left: told so, as in Slack and Teams.
  const gone = org && former ? former().find((p) => orgOf(p) === org) : undefined;
  return { kind: 'unknown', userKey: key, displayName: who.displayName, ...(gone ? { formerPartner: gone } : {}) };
}

/** The party a principal acts for by default. */
export function ownParty(p: Principal): PartyId | null {
  if (p.kind === 'internal') return DIRECT;
  if (p.kind === 'external') return p.partnerId;
  return null;
}

/** Whether this viewer may see a party's name, deal sizes and evidence. */
export function canSeeParty(viewer: Principal, party: PartyId): boolean {
  if (viewer.kind === 'internal') return true;
  if (party === DIRECT) return true;
  return viewer.kind === 'external' && viewer.partnerId === party;
}

/** Whether this viewer may see a claim's deal size and evidence. */
export function canSeeDealDetails(viewer: Principal, party: PartyId): boolean {
  if (viewer.kind === 'internal') return true;
  return viewer.kind === 'external' && viewer.partnerId === party;
}

/**
 * The case numbered `id` as `principal` may name it: any case to the company's people (none:
 * `No dispute #12.`); to a partner's user, only one their organisation is a party to, a case of
 * other parties and one that does not exist refused in the same words, so that numbers tried one
 * by one tell them nothing of what exists; to anyone else (a user of no partner), none, whatever
 * the number.
 */
export function caseNamedBy<D extends Pick<Dispute, 'parties'>>(principal: Principal, d: D | undefined, id: number): D {
  if (principal.kind === 'unknown') throw new DomainError('forbidden', `${unknownReason(principal)}, so you cannot see or act on disputes.`);
  if (principal.kind === 'external' && (!d || !d.parties.includes(principal.partnerId))) throw new DomainError('forbidden', `Dispute #${id} is not one your organisation is a party to.`);
  if (!d) throw new DomainError('not_found', `No dispute #${id}.`);
  return d;
}

declare const authorizedBrand: unique symbol;
/** A value only this module can make: proof that the check was done. */
export type Authorized<T> = T & { readonly [authorizedBrand]: true };

export interface RulingAuthority {
  dispute: Dispute;
  personKey: string;
  userKey: string;
}

/**
 * Only the assigned arbitrator, or a person above them in the escalation chain, may rule.
 * `rulers` are those people, the assignee first, of the people the policy in force names (see
 * rulersOf: when they have all left it, the account's coverage rule in force), without those
 * with a part in the case (recusal). One of those (`stake`: their part, null for none) is told
 * so, and who rules instead; one it moved up its chain past (`passedOver`: its arbitrator before
 * a breach, ruling from a card they still have) is told that, not only who may rule.
 */
export function authorizeRuling(
  principal: Principal,
  dispute: Dispute,
  rulers: readonly string[],
  names: (key: string) => string,
  formerly: () => string | null = () => null,
  stake: (personKey: string) => Involvement | null = () => null,
  passedOver: (personKey: string) => boolean = () => false,
): Authorized<RulingAuthority> {
  if (principal.kind !== 'internal' || !principal.personKey || !rulers.includes(principal.personKey)) {
    refuseRecused(principal, dispute, stake, () => rulers, names);
    const who = rulers[0] === dispute.arbitrator || rulers.length === 0 ? `${names(dispute.arbitrator)} (the assigned arbitrator)` : names(rulers[0]!);
    // The company's people are told which kind of case it is; anyone else is told no more than of any case.
    const what = principal.kind === 'internal' ? caseKindWords(dispute) : `dispute #${dispute.id}`;
    // Someone a new version removed from the policy's people (the case's arbitrator until then, say) is told why.
    const former = formerly();
    // Someone the case moved up its chain past (its arbitrator before a breach) is told why it is no longer theirs.
    const passed = !former && principal.kind === 'internal' && principal.personKey !== null && passedOver(principal.personKey);
    const lead = former ? `${leftWords(names(former))}. Only` : passed ? 'This case moved up its escalation chain past you. Only' : 'Only';
    throw new DomainError('forbidden', `${lead} ${who} or someone above them in the escalation chain can rule on ${what}${former ? ' now' : ''}.`);
  }
  return { dispute, personKey: principal.personKey, userKey: principal.userKey } as Authorized<RulingAuthority>;
}

/**
 * Recusal's refusal, for ruling and snoozing alike: one of the company's people with a part in
 * the case (`stake`) who is not among those who rule on it now (`rulers`, asked only of someone
 * with a part) is told so, and who rules instead. Nothing for anyone else, or when nobody may rule.
 */
export function refuseRecused(principal: Principal, d: Pick<Dispute, 'id' | 'parties'>, stake: (personKey: string) => Involvement | null, rulers: () => readonly string[], names: (key: string) => string): void {
  if (principal.kind !== 'internal' || !principal.personKey) return;
  const part = stake(principal.personKey);
  if (!part) return;
  const now = rulers();
  if (now.length > 0 && !now.includes(principal.personKey)) throw new DomainError('forbidden', recusalRefusal(d, part, names(now[0]!)));
}

/**
 * What a person with a part in a case is told when they try to rule on it: "You filed claim #5
 * in dispute #3, so you cannot rule on it: Dana Reyes does." (`ruler`: who rules on it, by name).
 */
function recusalRefusal(d: Pick<Dispute, 'id' | 'parties'>, i: Involvement, ruler: string): string {
  const ref = isOverlapCase(d) ? `dispute #${d.id}` : `case #${d.id}`;
  const part = i.claim !== null ? `You filed claim #${i.claim} in ${ref}` : `You raised ${ref}`;
  return `${part}, so you cannot rule on it: ${ruler} does.`;
}

/**
 * The person an earlier policy version named for this user (by their chat id, or their key on
 * the console), when the policy in force (`people`) names nobody for them and no longer has
 * that person: one who left the policy, told so rather than refused as a stranger. Null
 * otherwise. `versions` oldest first; the newest naming them counts.
 */
export function formerPerson(principal: Principal, versions: readonly { policy: { people: PolicyPeople } }[], people: PolicyPeople): string | null {
  if (principal.kind !== 'internal' || principal.personKey !== null) return null;
  for (let i = versions.length - 1; i >= 0; i--) {
    const earlier = versions[i]!.policy.people;
    const key = Object.keys(earlier).find((k) => userKeysOfPerson(earlier, k).includes(principal.userKey));
    if (key !== undefined) return Object.hasOwn(people, key) ? null : key;
  }
  return null;
}

/** What one who left the policy is told first when they act as that person: `You (Pat Okafor) are no longer among the policy's people`. */
export function leftWords(name: string): string {
  return `You (${name}) are no longer among the policy's people`;
}

/** External users claim and dispute for their own partner only; unknown users for nobody. */
export function authorizeActingFor(principal: Principal, party: PartyId): void {
  if (principal.kind === 'unknown') {
    if (principal.formerPartner) throw new DomainError('unknown_user', `${unknownReason(principal)}, so you can ask for help but not claim or dispute.`);
    throw new DomainError('unknown_user', 'Your workspace is not linked to a partner of ours, so you can ask for help but not claim or dispute. Ask your partner manager to connect your organisation.');
  }
  if (principal.kind === 'external' && principal.partnerId !== party) throw new DomainError('forbidden', 'You can claim, dispute and log activity only for your own organisation.');
}
