import { ownParty, personWithChatId, type Principal } from '../src/core/authz.js';
import type { DomainEvent } from '../src/core/events.js';
import type { CaseCard, OutboxMessage, Store } from '../src/core/ports.js';
import { DIRECT, type Claim, type Dispute, type PartyId, type ThreadRef } from '../src/core/types.js';
import type { HandlerDeps, Viewpoint } from './deps.js';
import { CHANNEL_VIEWER, forParty, protectedWords, servedPlatforms, viewpoint } from './deps.js';
import { startsLocalDay } from '../src/core/time-format.js';
import { approvalShown, caseAbout, caseStamp, caseTitle, caseWords, disputeCard, endedWords, outcomeBlocks, outcomeText } from './dispute-card.js';
import { isOverlapCase, liveClaims, otherClaimOfParty, recentRulingAgainst, rulingStandsUntil } from '../src/core/disputes/settle.js';
import { ACTIONS, quote, reply, text, withLead, type Block, type CardUpdatePost, type CaseCardPost, type ChannelPost, type Reply, type ThreadPost, type TimelyReply } from './replies/model.js';
import { splitUserKey } from './user-key.js';
import { bouncedOn, breachOutcome, pastChainWords, pastDue, recusalsOf, rulersOf, SNOOZE_OPTIONS } from '../src/core/sla/sla.service.js';
import { claimNoticeKey } from '../src/core/claims/lifecycle.service.js';
import { involvementsWords, involvementWords, type Involvement } from '../src/core/disputes/recusal.js';
import { dormancyAt, protectionEnd, termsOf } from '../src/core/claims/lifecycle.js';
import { lastDays, plural } from '../src/core/words.js';

type Platform = OutboxMessage['platform'];

/**
 * When a claim lapses, as its owner can act on it: "on Dec 30, 2026, 10:00 AM EST" (a claim goes
 * dormant at the time of day of its last activity, in the policy's zone; Slack and Teams show it
 * in the reader's time), or "at the end of Dec 29, 2026 EST" for a lapse at midnight there (a
 * claim imported with dates only), as {@link Viewpoint.lapse} says it.
 */
function lapseWords(vp: Viewpoint, at: Date): string {
  return startsLocalDay(at, vp.version.policy.timezone) ? vp.lapse(at) : `on ${vp.dateTime(at)}`;
}

/** What an arbitrator's notification says is theirs: "yours to rule", or for a claim waiting for approval "yours to approve or reject". */
const yoursTo = (arb: Principal, d: Dispute): string => `yours to ${approvalShown(arb, d) ? 'approve or reject' : 'rule'}`;

/** A sentence's words with their first letter capitalised. */
const capitalised = (words: string): string => words.charAt(0).toUpperCase() + words.slice(1);

/** One of the company's people, nobody in particular: what any of them reads (names of every party, an approval called one). */
const COMPANY_VIEWER: Principal = { kind: 'internal', userKey: '', personKey: null, displayName: '' };

/** The viewer a party's people read as: a partner sees only their own deals. */
function partyViewer(party: PartyId, userKey: string): Principal {
  return party === DIRECT ? { kind: 'internal', userKey, personKey: null, displayName: '' } : { kind: 'external', userKey, partnerId: party, displayName: '' };
}

/**
 * The viewer a claim's filer reads what is sent about it as: from the party they filed it from.
 * One of the company's people who filed it for a partner reads it as the company's people do
 * (other partners named); a partner's user as that partner. A claim that does not say (the
 * CRM's import, or filed before it was kept) is read as its party's own user reads it.
 */
function filerViewer(c: Claim): Principal {
  return partyViewer(c.filedAs ?? c.claimant, c.createdBy);
}

/** Where to reach a person of the policy: the dispute's platform if they are on it. */
function personTarget(deps: HandlerDeps, personKey: string, prefer: Platform): { platform: Platform; user: string } | null {
  const p = viewpoint(deps, COMPANY_VIEWER).version.policy.people[personKey];
  if (prefer === 'console') return { platform: 'console', user: personKey };
  const on = (pl: 'slack' | 'teams') => (pl === 'slack' ? p?.slack : p?.teams);
  for (const pl of [prefer, prefer === 'slack' ? 'teams' : 'slack'] as const) {
    const id = on(pl);
    if (id) return { platform: pl, user: id };
  }
  return null;
}

/**
 * Where to reach the assignee of `d` (see personTarget), but for a platform that refused them
 * for this case (their user there deactivated or gone: see unreachable in the SLA service): then
 * the other one the policy gives them, when the bot serves it. Reads the case's ledger entries:
 * for its reminders and updates, not for every message.
 */
function reachableTarget(deps: HandlerDeps, d: Dispute, prefer: Platform): { platform: Platform; user: string } | null {
  const target = personTarget(deps, d.arbitrator, prefer);
  if (!target || target.platform === 'console') return target;
  const bounced = bouncedOn(deps.ctx, d);
  if (!bounced.has(target.platform)) return target;
  const other = target.platform === 'slack' ? 'teams' : 'slack';
  const there = servedPlatforms(deps).includes(other) ? personTarget(deps, d.arbitrator, other) : null;
  return there && there.platform === other && !bounced.has(other) ? there : target;
}

/**
 * What the parties of `d` are told when the bot cannot reach whoever rules on it by chat (no chat
 * id the policy gives it): to answer them directly, at their e-mail when the policy gives one;
 * null when their answers reach them by DM. `origin`: the case's place, for a case with none.
 */
export function arbitratorOutOfReach(deps: HandlerDeps, d: Dispute, origin: ThreadRef | null = null): string | null {
  const out = unreachableArbitrator(deps, d, origin);
  return out && `${out.name}, who rules on it, cannot be reached here: answer them directly${out.email}.`;
}

/**
 * Whoever rules on `d`, when the bot cannot reach them by chat: their name, and ` (their
 * e-mail)` when the policy gives one (else empty); null when they are reachable.
 */
export function unreachableArbitrator(deps: HandlerDeps, d: Dispute, origin: ThreadRef | null = null): { name: string; email: string } | null {
  if (personTarget(deps, d.arbitrator, casePlatform(deps, d, origin)) !== null) return null;
  const vp = viewpoint(deps, CHANNEL_VIEWER);
  const email = vp.version.policy.people[d.arbitrator]?.email;
  return { name: vp.person(d.arbitrator), email: email ? ` (${email})` : '' };
}

/** The platform a case lives on: its thread's, else where it is being raised (`origin`), else the bot's own. */
function casePlatform(deps: HandlerDeps, d: Pick<Dispute, 'origin'>, origin: ThreadRef | null): Platform {
  return (d.origin ?? origin)?.platform ?? deps.platform ?? 'slack';
}

/** A ledger entry's payload field when it is a string. */
export const payloadText = (payload: unknown, key: string): string | null => {
  const v = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : null;
};

/**
 * The questions asked on `d` before it came to its arbitrator now, and the answers that went to
 * someone else (an answer goes by DM to whoever had the case then, and is not kept): read from
 * the ledger, which records that a question was asked and that a party answered, not what. Null
 * when nobody asked anything.
 */
function questionsBefore(deps: HandlerDeps, vp: Viewpoint, d: Dispute): string | null {
  const entries = deps.ctx.store.ledger.caseHistory(`dispute:${d.id}`);
  const asked = entries.filter((e) => e.kind === 'dispute.info_requested');
  if (asked.length === 0) return null;
  const who = isOverlapCase(d) ? 'parties' : 'party';
  const askedWords =
    asked.length === 1
      ? `Before it came to you, ${vp.person(asked[0]!.actor)} asked the ${who} a question (${vp.dateTime(asked[0]!.at)}).`
      : `Before it came to you, the ${who} ${who === 'party' ? 'was' : 'were'} asked ${asked.length} questions: by ${asked.map((e) => `${vp.person(e.actor)} (${vp.dateTime(e.at)})`).join(', ')}.`;
  // Whoever had the case when a party answered: the one the next hand-on moved it from, else whoever has it now.
  const elsewhere = new Map<string, Set<string>>();
  entries.forEach((e, i) => {
    const party = e.kind === 'dispute.info_answered' ? payloadText(e.payload, 'party') : null;
    if (party === null) return;
    const handedOn = entries.slice(i + 1).find((x) => x.kind === 'dispute.escalated' || x.kind === 'dispute.reassigned');
    const to = (handedOn && payloadText(handedOn.payload, 'from')) ?? d.arbitrator;
    if (to === d.arbitrator) return;
    elsewhere.set(to, (elsewhere.get(to) ?? new Set()).add(vp.party(party)));
  });
  const answered = [...elsewhere].map(([to, parties]) => `${[...parties].join(' and ')} answered; ${parties.size === 1 ? 'the answer' : 'the answers'} went to ${vp.person(to)} alone, by direct message: ask them for ${parties.size === 1 ? 'it' : 'them'}.`);
  return `${askedWords} ${answered.length > 0 ? answered.join(' ') : 'No answer came before it moved.'} Answers sent from now on come to you.`;
}

/** A person of the policy, reached at `at`, as the viewer of what is sent to them. */
function personViewer(at: { platform: Platform; user: string }, personKey: string): Principal {
  return { kind: 'internal', userKey: `${at.platform}:${at.user}`, personKey, displayName: '' };
}

/**
 * Someone in a channel that may be shared: sees the direct team, and no partner. Every post in
 * a dispute's thread is for this viewer: the channel may hold several partners (a Slack Connect
 * channel can hold many organisations), so a thread shows no partner's name, deal, evidence or
 * reason, not even the raiser's own; the full case goes to the arbitrator's and the parties' DMs.
 */
const PLATFORM_NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams', console: 'the console' };

/** Platforms named in words: "Slack", "Slack or Teams". */
const platformsWords = (platforms: readonly Platform[]): string => platforms.map((p) => PLATFORM_NAMES[p]).join(' or ');

/** A reminder's snooze buttons, one per option. */
export function snoozeButtons(disputeId: number): Extract<Block, { type: 'actions' }> {
  return { type: 'actions', actions: SNOOZE_OPTIONS.map((o) => ({ action: ACTIONS.snooze, label: `Snooze ${o === 'next-business-day' ? 'to next business day' : o}`, value: `${disputeId}:${o}` })) };
}

/**
 * Whether a case card shown to `viewer` after they asked a question from a reminder keeps the
 * reminder's Snooze buttons: while the case is still theirs (the card offers them its ruling
 * buttons) and not yet due, as waiting for the answers is what a snooze is for.
 */
export function snoozeStays(deps: HandlerDeps, viewer: Principal, d: Dispute, card: Reply): boolean {
  return viewer.kind === 'internal' && viewer.personKey === d.arbitrator && dueAhead(deps, d) && card.blocks.some((b) => b.type === 'actions');
}

/** Whether a case has a deadline still ahead of it (not {@link pastDue}): what its reminder's Snooze buttons are for. */
export function dueAhead(deps: HandlerDeps, d: Pick<Dispute, 'dueAt'> | undefined): boolean {
  return d !== undefined && d.dueAt !== null && !pastDue(d, deps.ctx.clock.now());
}

/**
 * A case raised in a private chat (a Slack DM, a Teams 1:1 chat): someone's own chat with the
 * bot, whose "thread" is theirs alone, or (Slack) a DM between people, where the bot cannot post
 * (its updates go to the raiser's DM with the bot: see the Slack deliverer).
 */
export function isPrivateChat(o: ThreadRef): boolean {
  return (o.platform === 'slack' && o.channel.startsWith('D')) || (o.platform === 'teams' && o.channel.startsWith('a:'));
}

/**
 * What the place a case's updates go to is called: a Teams group chat has no threads (a Teams
 * channel's case always has one), so there it is the chat itself; anywhere else, the thread.
 */
export function threadWord(o: ThreadRef | null): 'chat' | 'thread' {
  return o !== null && o.platform === 'teams' && o.thread === null && !isPrivateChat(o) ? 'chat' : 'thread';
}

/**
 * Whether the parties answer a question on `d` in its thread, as the question's DMs tell them:
 * not when it has none they can read (a case an import opened, or one raised in someone's own
 * chat with the bot), where they answer the one who asked directly.
 */
export function answeredInThread(d: Pick<Dispute, 'origin'>): boolean {
  return d.origin !== null && !isPrivateChat(d.origin);
}

/**
 * A channel id of the policy's `sla.escalation_channel`, or undefined when it names none: left
 * out, empty, or only spaces (a version stored before files with a blank one were refused), to
 * which a post could only fail.
 */
function namedChannel(channel: string | undefined): string | undefined {
  return channel?.trim() || undefined;
}

/**
 * Whether `person` may still rule on `d` from a case card: the case is open, and they are its
 * arbitrator or above them in its chain (someone who opened it from the queue), as the ruling
 * itself is authorised.
 */
function rulesOn(deps: HandlerDeps, d: Dispute | undefined, person: string): boolean {
  return d !== undefined && d.status === 'open' && (d.arbitrator === person || rulersOf(deps.ctx, d).includes(person));
}

/**
 * Updates for the Slack case cards of `d` whose person may no longer rule on it (it is closed,
 * or moved on to someone else, which the card then says, with `why` it moved): each card shown
 * as the case stands, without buttons. Those cards are forgotten, as nothing will change them
 * again.
 */
function staleCardUpdates(deps: HandlerDeps, d: Dispute, tag: string, why = 'The SLA was breached'): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  const done: CaseCard[] = [];
  let lead: string | null | undefined;
  for (const card of deps.ctx.store.caseCards.of(d.id)) {
    if (rulesOn(deps, d, card.person)) continue;
    // Open, but with another arbitrator: a breach of the SLA moved it on, or its arbitrator left the policy.
    lead ??= d.status === 'open' ? `${why}: this case moved to ${viewpoint(deps, CHANNEL_VIEWER).person(d.arbitrator)}, who rules on it now.` : null;
    out.push(cardUpdate(deps, d, card, false, (view) => (lead ? { ...view, blocks: [text(lead, 'muted'), ...view.blocks] } : view), tag));
    done.push(card);
  }
  deps.ctx.store.caseCards.forget(done);
  return out;
}

/**
 * Updates for the Slack case cards of `d` its arbitrator still rules from (the first DM,
 * reminders), for a change that leaves the case with them (their SLA ran out past the whole
 * chain; the recommendation changed): each shown as the case stands now, under `lead`, with its
 * ruling buttons and no Snooze. `everyone`: the cards of whoever may still rule on it too (one
 * above in its chain who opened it from the queue). They stay remembered, to be updated again
 * once the case moves on.
 */
function liveCardUpdates(deps: HandlerDeps, d: Dispute, lead: Block[], tag: string, { everyone = false } = {}): OutboxMessage[] {
  return deps.ctx.store.caseCards
    .of(d.id)
    .filter((card) => (everyone || card.person === d.arbitrator) && rulesOn(deps, d, card.person))
    .map((card) => cardUpdate(deps, d, card, true, (view) => withLead(view, lead, caseStamp(d, deps.ctx.clock.now())), tag));
}

/**
 * The line above its assignee's case cards once a case's SLA ran out with nobody to hand it to
 * (`why`: they are the last of its chain, or everybody above them has a part in it): it is
 * overdue, and still theirs to rule.
 */
function pastChainLine(d: Dispute, why: 'last' | 'recused'): Block {
  return text(
    why === 'recused'
      ? `${caseTitle(COMPANY_VIEWER, d)} was not ruled in time, and ${pastChainWords('recused')}: it is overdue, and still yours to rule.`
      : `Nobody in its escalation chain ruled ${caseWords(COMPANY_VIEWER, d)} in time: it is overdue, and still yours to rule, the last in the chain.`,
    'attention',
  );
}

/**
 * What the case cards of its assignee say first once the SLA of `d` ran out with nobody to hand
 * it to ({@link pastChainLine}): Slack's are updated to it at the breach, and a Teams card sent
 * before shows it when it redraws itself (see caseCard). Null while the case is not so.
 */
export function pastChainLead(deps: HandlerDeps, d: Dispute): Block[] | null {
  if (d.status !== 'open' || !pastDue(d, deps.ctx.clock.now())) return null;
  const outcome = breachOutcome(deps.ctx, d);
  return outcome.to === null ? [pastChainLine(d, outcome.why)] : null;
}

/** The update of a Slack case card in place: the case as it stands, as its person sees it (`shown` adds a lead). */
function cardUpdate(deps: HandlerDeps, d: Dispute, card: CaseCard, withActions: boolean, shown: (view: Reply) => Reply, tag: string): OutboxMessage {
  const view = disputeCard(deps, personViewer({ platform: 'slack', user: card.user }, card.person), d, { withActions });
  const body: CardUpdatePost = { ...shown(view), cardUpdate: { disputeId: d.id, person: card.person } };
  return { platform: 'slack', target: { kind: 'message', channel: card.channel, ts: card.ts, user: card.user }, body, dedupeKey: `card:${card.channel}:${card.ts}:${tag}` };
}

/** Whether a case card for `person` on case `disputeId` would still let them rule. */
export function caseCardLive(deps: HandlerDeps, disputeId: number, person: string): boolean {
  return rulesOn(deps, deps.ctx.store.disputes.get(disputeId), person);
}

/**
 * Brings the remembered Slack cards of a case up to date when its person may no longer rule on
 * it: for a card that landed after the case moved on (delivered late, or in the moment between
 * the check before posting and the post). Must run inside a transaction.
 */
export function refreshStaleCards(deps: HandlerDeps, disputeId: number): void {
  const d = deps.ctx.store.disputes.get(disputeId);
  if (!d) return;
  const now = deps.ctx.clock.now();
  for (const m of staleCardUpdates(deps, d, `late:${now.getTime()}`)) deps.ctx.store.outbox.enqueue(m, now);
}

/** `read` remembered by its argument in `cache`. */
function remembered<K, V>(cache: Map<K, V>, read: (key: K) => V): (key: K) => V {
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = read(key);
    cache.set(key, value);
    return value;
  };
}

/**
 * Who filed a case's claims (recusal) from the claims read whole: its cards read them all anyway.
 * Whom the bot knows those users and `users` as is read (in one query) only when one of them is a
 * Teams user: only they can be a person of the policy by another id than theirs (an Entra object id).
 */
function filersOnce(store: Store, claims: readonly Claim[], ids: readonly number[], users: readonly string[]): ReturnType<Store['claims']['filers']> {
  const keys = [...claims.map((c) => c.createdBy), ...users];
  if (keys.some((k) => k.startsWith('teams:'))) return store.claims.filers(ids, users);
  return { claims: claims.map((c) => ({ id: c.id, createdBy: c.createdBy })), persons: [] };
}

/**
 * `deps` whose store reads each claim and account once: what announce tells is done (it writes
 * only messages), and a case's cards read the same claims and account for every person told.
 */
function readingOnce(deps: HandlerDeps): HandlerDeps {
  const { store } = deps.ctx;
  const claim = remembered(new Map(), (id: number) => store.claims.get(id));
  const once: Store = {
    ...store,
    claims: { ...store.claims, get: claim, filers: (ids, users = []) => filersOnce(store, ids.flatMap((id) => claim(id) ?? []), ids, users) },
    accounts: { ...store.accounts, get: remembered(new Map(), (id) => store.accounts.get(id)) },
  };
  return { ...deps, ctx: { ...deps.ctx, store: once } };
}

/**
 * Turns what a user action changed into messages in the outbox, inside the same
 * transaction: the thread of the dispute, a DM to the arbitrator, DMs to the parties.
 */
export function announce(given: HandlerDeps, events: readonly DomainEvent[], origin: ThreadRef | null, actorKey?: string): void {
  const deps = readingOnce(given);
  const now = deps.ctx.clock.now();
  const stamp = now.getTime();
  const out: OutboxMessage[] = [];
  const raisedFrom = new Map<number, PartyId>();
  /**
   * The viewer whoever raised `d` reads what is sent about it as: from the party they acted from,
   * as a claim's filer reads it ({@link filerViewer}). One of the company's people who raised it
   * for a partner (by hand, as its opening's ledger entry says, or as a claim of theirs in it
   * says) reads it as the company's people do, that partner and the others named; a partner's
   * user as that partner.
   */
  const raiserViewer = (d: Dispute & { raisedAs: PartyId }): Principal => {
    let from = d.raisedAs === DIRECT ? DIRECT : raisedFrom.get(d.id);
    if (from === undefined) {
      const filed = d.claimIds.map((id) => deps.ctx.store.claims.get(id)).find((c) => c?.createdBy === d.raisedBy && c.claimant === d.raisedAs);
      from = filed ? (filed.filedAs ?? d.raisedAs) : (payloadText([...deps.ctx.store.ledger.about([`dispute:${d.id}`], ['dispute.opened'])][0]?.payload, 'raisedFrom') ?? d.raisedAs);
      raisedFrom.set(d.id, from);
    }
    return partyViewer(from, d.raisedBy);
  };
  /**
   * A post in the dispute's thread, made for a channel that may hold any partner (`make` with
   * the channel's viewer). Should the bot not be let in there, the update goes to the raiser's
   * DM instead: made for the raiser (`make` with their viewer, `inDm`), or nothing when `told`
   * (the people DMed about this event) has the raiser already. `broadcast`: also shown in the
   * channel (Slack), for how a case ended.
   */
  const toThread = (d: Dispute, make: (viewer: Principal, inDm: boolean) => Reply, tag: string, opts: { broadcast?: boolean; told?: ReadonlySet<string> } = {}) => {
    const where = d.origin ?? origin;
    if (!where) return;
    const raiser = d.raisedAs !== null && splitUserKey(d.raisedBy) ? raiserViewer({ ...d, raisedAs: d.raisedAs }) : null;
    // A party's own chat with the bot that no raiser reads as theirs (an import opened the case,
    // and a claim filed there took it for its thread): what the parties were told by DM is not
    // said there again, made for a channel (their own party unnamed, "reply in this thread").
    if (raiser === null && isPrivateChat(where) && opts.told !== undefined && opts.told.size > 0) return;
    const raiserCopy = raiser === null ? undefined : opts.told?.has(d.raisedBy) ? null : make(raiser, true);
    const body: ThreadPost = { ...make(CHANNEL_VIEWER, false), visibility: 'public', ...(raiserCopy !== undefined ? { raiserCopy } : {}), ...(raiser && raiserCopy ? { raiserCase: caseWords(raiser, d) } : {}), ...(opts.broadcast ? { broadcast: true } : {}) };
    out.push({ platform: where.platform, target: { kind: 'dispute-thread', disputeId: d.id }, body, dedupeKey: `thread:${d.id}:${tag}:${stamp}` });
  };
  /**
   * DMs to the people of the case (but the actor): whoever filed its claims, and whoever raised
   * it (who may hold no claim: a dispute raised by hand against an owner). Returns who was told.
   */
  const toParties = (d: Dispute, make: (viewer: Principal, platform: Platform, party: PartyId) => Reply, tag: string): Set<string> => {
    // Each with the party they are in the case for: their claim's, or the one it was raised as.
    // (The viewer is made only for whoever is told: a raiser who filed a claim in it is told once, as its filer.)
    const people: { userKey: string; viewer: () => Principal; party: PartyId }[] = [];
    for (const id of d.claimIds) {
      const c = deps.ctx.store.claims.get(id);
      if (c) people.push({ userKey: c.createdBy, viewer: () => filerViewer(c), party: c.claimant });
    }
    const raisedAs = d.raisedAs;
    if (raisedAs !== null) people.push({ userKey: d.raisedBy, viewer: () => raiserViewer({ ...d, raisedAs }), party: raisedAs });
    // Someone of the policy on Slack and Teams alike is one person: told once (where their
    // first part in the case was), and not at all when they did this themselves.
    const actor = actorKey === undefined ? undefined : personOf(actorKey);
    const told = new Set<string>();
    const toldPeople = new Set<string>();
    for (const { userKey, viewer, party } of people) {
      const who = personOf(userKey);
      if (toldPeople.has(who)) told.add(userKey);
      if (told.has(userKey) || userKey === actorKey || who === actor) continue;
      const target = splitUserKey(userKey);
      if (!target) continue;
      out.push({ platform: target.platform, target: { kind: 'user', user: target.user }, body: make(viewer(), target.platform, party), dedupeKey: `dm:${d.id}:${tag}:${userKey}:${stamp}` });
      told.add(userKey);
      toldPeople.add(who);
    }
    return told;
  };
  let policyPeople: ReturnType<typeof viewpoint>['version']['policy']['people'] | undefined;
  /** The person of the policy a Slack or Teams user key is an id of, or null. */
  const chatPerson = (userKey: string): string | null => {
    const target = splitUserKey(userKey);
    if (!target || target.platform === 'console') return null;
    const people = (policyPeople ??= viewpoint(deps, CHANNEL_VIEWER).version.policy.people);
    let key = personWithChatId(people, target.platform, target.user);
    // A person whose `teams` id is their Entra object id: known by it once the bot met them.
    if (key === null && target.platform === 'teams') {
      const aad = deps.teamsUsers?.aadOf(target.user);
      if (aad) key = personWithChatId(people, 'teams', aad);
    }
    return key;
  };
  /** Who a user key is: the person of the policy it is a chat id of, else the key itself. */
  const personOf = (userKey: string): string => {
    const key = chatPerson(userKey);
    return key === null ? userKey : `person:${key}`;
  };
  /**
   * Whether two user keys are one person's: the same key, or ids of one person of the policy on
   * any platform (the console's by the person's key, as the console signs them in).
   */
  const samePerson = (a: string, b: string): boolean => {
    if (a === b) return true;
    const people = (policyPeople ??= viewpoint(deps, CHANNEL_VIEWER).version.policy.people);
    const person = (k: string) => {
      const t = splitUserKey(k);
      return t?.platform === 'console' ? (Object.hasOwn(people, t.user) ? t.user : null) : chatPerson(k);
    };
    const p = person(a);
    return p !== null && p === person(b);
  };
  const platformOf = (d: Dispute): Platform => casePlatform(deps, d, origin);
  /**
   * The platforms whose escalation channel a case nobody of its chain may take is posted to, in
   * order: its own, then the other one the bot serves (partner ops read either).
   */
  const channelPlatforms = (d: Dispute): Platform[] => {
    const platform = platformOf(d);
    const other: 'slack' | 'teams' = platform === 'slack' ? 'teams' : 'slack';
    return [platform, ...(platform !== 'console' && servedPlatforms(deps).includes(other) ? [other] : [])];
  };
  /**
   * Where such a case is posted: the first of channelPlatforms with an escalation channel named
   * (the console's own); null with none (see noChannelWords): the operator's log then says so
   * (see HandlerDeps.alert).
   */
  const escalationChannel = (d: Dispute): { platform: Platform; channel: string } | null => {
    const channels = viewpoint(deps, CHANNEL_VIEWER).version.policy.sla.escalation_channel;
    for (const p of channelPlatforms(d)) {
      const channel = p === 'console' ? 'escalations' : namedChannel(p === 'teams' ? channels.teams : channels.slack);
      if (channel) return { platform: p, channel };
    }
    return null;
  };
  /** Where `d` found no escalation channel (see escalationChannel), in words: "no escalation channel for Slack", "… for Slack or Teams". */
  const noChannelWords = (d: Dispute): string => `no escalation channel for ${platformsWords(channelPlatforms(d))}`;
  const about = (d: Dispute) => caseAbout(deps, d);
  /**
   * To a party a ruling went against (`party`, the one the reader is in the case for): until when
   * a new claim of theirs on the account and line needs an arbitrator's approval (the core's own
   * test, recentRulingAgainst, as a claim filed then would meet it); nothing to anyone else. One
   * of the company's people who filed for a partner reads it of that partner, by name.
   */
  const approvalAfterRuling = (d: Dispute, v: Principal, party: PartyId): string => {
    if (!d.ruledAt) return '';
    const terms = termsOf(deps.ctx.policies().inForceAt(d.ruledAt).policy);
    if (recentRulingAgainst(deps.ctx, d.accountId, d.productLine, party, terms, d.ruledAt)?.id !== d.id) return '';
    const vp = viewpoint(deps, v);
    const whose = party === DIRECT ? 'the direct team' : party === ownParty(v) ? 'yours' : vp.party(party);
    return ` Until ${vp.date(rulingStandsUntil(d, terms))}, a new claim of ${whose} on it needs an arbitrator's approval.`;
  };
  /**
   * To the party a case went to (`party`, the one the reader is in the case for): until when its
   * claim in the case now holds, and when it goes dormant without activity, as /roe mine says it
   * (a claim filed into an overlap is told this first here). Nothing to anyone else.
   */
  const keptClaim = (d: Dispute, v: Principal, party: PartyId): string => {
    if (d.winner !== party) return '';
    const vp = viewpoint(deps, v);
    return d.claimIds
      .map((id) => deps.ctx.store.claims.get(id))
      .filter((c): c is Claim => c !== undefined && c.claimant === party && c.status === 'protected')
      .map((c) => {
        const terms = deps.ctx.policies().termsFor(c);
        return ` Claim #${c.id} is protected${protectedWords(vp, protectionEnd(c, terms), dormancyAt(c, terms))}.`;
      })
      .join('');
  };
  /** The case as a party sees it, under a line saying what happened: a DM makes sense on its own (`summary`: the card's own when not given). */
  const partyCard = (d: Dispute, v: Principal, summary: string | undefined, lead: string): Reply => {
    const card = disputeCard(deps, v, d, { withActions: false });
    return { ...card, summary: summary ?? card.summary, blocks: [text(lead), ...card.blocks] };
  };

  /** A DM to the person who rules on `d`, showing the case with its buttons: remembered where it lands (Slack), to be brought up to date. */
  const toArbitrator = (d: Dispute, to: { platform: Platform; user: string }, body: TimelyReply, dedupeKey: string) => {
    const post: CaseCardPost = { ...body, caseCard: { disputeId: d.id, person: d.arbitrator } };
    out.push({ platform: to.platform, target: { kind: 'user', user: to.user }, body: post, dedupeKey });
  };
  /**
   * To the one an answer reaches: who asked the last question on `d` when it was not them (the
   * arbitrator before an escalation, or someone above who asked from the queue), so that they
   * know whom to ask what it was. The question itself is not kept.
   */
  const askedBy = (d: Dispute, to: Principal): string => {
    const last = deps.ctx.store.ledger.caseHistory(`dispute:${d.id}`).filter((x) => x.kind === 'dispute.info_requested').at(-1);
    if (!last || last.actor === d.arbitrator) return '';
    const vp = viewpoint(deps, to);
    return ` The last question on it was asked by ${vp.person(last.actor)} (${vp.dateTime(last.at)}), not by you: ask them what it was.`;
  };
  const refreshCards = (d: Dispute, tag: string, why?: string) => out.push(...staleCardUpdates(deps, d, tag, why));
  /**
   * Of those passed over for their part in `d` (recusal), the ones its case card, sent with the
   * lead that would name them, does not name already (see recusalLine): each is said once.
   */
  const notOnCard = (d: Dispute, recused: readonly Involvement[]): Involvement[] => {
    const named = new Set(recusalsOf(deps.ctx, d).passed.map((i) => i.person));
    return recused.filter((i) => !named.has(i.person));
  };
  /** The case with its ruling buttons, as its arbitrator reads it, and where to send it (null: nowhere). */
  const arbitratorsCard = (d: Dispute) => {
    const target = reachableTarget(deps, d, platformOf(d));
    if (!target) return null;
    const arb = personViewer(target, d.arbitrator);
    return { target, vp: viewpoint(deps, arb), card: disputeCard(deps, arb, d, { withActions: true }) };
  };

  for (const e of events) {
    switch (e.type) {
      case 'dispute.opened': {
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        toThread(d, (v) => disputeCard(deps, v, d, { withActions: false }), 'opened');
        // The other parties hear of it at once (a case settled on opening reaches them settled).
        const settledNow = events.some((o) => o.type === 'dispute.settled' && o.dispute.id === d.id);
        if (!settledNow && isOverlapCase(d)) {
          // One of the company's people told of a claim they filed for a partner reads whose claim it is.
          const where = (v: Principal, party: PartyId) => (party === ownParty(v) ? 'where you have a claim' : `where you filed a claim for ${viewpoint(deps, v).party(party)}`);
          toParties(d, (v, _platform, party) => partyCard(d, v, `Dispute #${d.id} raised on ${about(d)}`, `A dispute was raised over ${about(d)}, ${where(v, party)}. ${viewpoint(deps, v).person(d.arbitrator)} rules on it; you will hear the outcome here.`), 'opened');
        }
        break;
      }
      case 'dispute.settled': {
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        const justOpened = events.some((o) => o.type === 'dispute.opened' && o.dispute.id === d.id);
        // Said first, before the card: a party not told of it yet (it settled as it opened) learns it was raised.
        const lead = (v: Principal, party: PartyId) =>
          (justOpened ? `${caseTitle(v, d)} was raised over ${about(d)} and settled at once by the criteria: ${endedWords(viewpoint(deps, v), d)}.` : `${caseTitle(v, d)} over ${about(d)} was settled by the criteria: ${endedWords(viewpoint(deps, v), d)}.`) + keptClaim(d, v, party);
        const told = toParties(d, (v, _platform, party) => partyCard(d, v, undefined, lead(v, party)), 'settled');
        refreshCards(d, 'settled');
        // A case settled the moment it opened: its announcement already shows the outcome.
        if (!justOpened) toThread(d, (v) => reply(`Dispute #${d.id} settled`, [text(outcomeText(deps, v, d), 'good')]), 'settled', { broadcast: true, told });
        break;
      }
      case 'dispute.assigned': {
        const d = e.dispute;
        const vp = viewpoint(deps, CHANNEL_VIEWER);
        // Assigned again as a claim joins a running case (no opening with it): said as such, not as a new case.
        const joined = !events.some((o) => o.type === 'dispute.opened' && o.dispute.id === d.id);
        // The thread may hold other partners: a claim waiting for approval is not said to be one
        // (that may tell them its party is flagged), as the rest of the thread reads it as any case.
        const why = joined ? 'Another claim joined this dispute. ' : isOverlapCase(d) ? 'The criteria did not settle this on their own. ' : '';
        // A claim joining a case past its whole escalation chain: its last SLA already ran out.
        const overdue = pastDue(d, now);
        const when = (v: ReturnType<typeof viewpoint>) => (d.dueAt ? (overdue ? ` (overdue since ${v.deadline(d.dueAt)})` : ` by ${v.deadline(d.dueAt)}`) : '');
        toThread(d, (v) => reply(`${caseTitle(v, d)} is with ${vp.person(d.arbitrator)}`, [text(`${why}${vp.person(d.arbitrator)} will rule${when(vp)}.`)]), 'assigned');
        const target = personTarget(deps, d.arbitrator, platformOf(d));
        if (target) {
          const arb = personViewer(target, d.arbitrator);
          const card = disputeCard(deps, arb, d, { withActions: true });
          const by = when(viewpoint(deps, arb));
          // Passed over for their part in the case (recusal): said, so that it is clear why it came
          // to them; once, by the card's own line (which stays there for whoever reads it later).
          const unsaid = notOnCard(d, e.recused ?? []);
          const recused = unsaid.length > 0 ? ` ${involvementsWords(unsaid, (p) => vp.person(p))}, so it came to you.` : '';
          const lead = joined
            ? `Another claim joined ${caseWords(arb, d)}, yours to rule on${by}: this card shows the case as it now stands, with the criteria's recommendation over every claim in it.`
            : isOverlapCase(d)
              ? `A case for you to rule on${by}: the criteria did not settle it on their own.${recused}`
              : `A claim for you to approve or reject${by}: it needs an arbitrator’s approval.${recused}`;
          // A claim waiting for approval is said to be one, as its card and the queue say it.
          const body = withLead({ ...card, summary: `${caseTitle(arb, d)} on ${about(d)}: ${yoursTo(arb, d)}${by}` }, [text(lead)], caseStamp(d, now));
          toArbitrator(d, target, body, `arbitrator:${d.id}:${d.arbitrator}:${d.escalationLevel}:${d.claimIds.length}`);
        }
        break;
      }
      case 'dispute.ruled': {
        const d = e.dispute;
        // Who owns it now comes first: the card below may show the recommendation the ruling went
        // against; and, to a party it went against, what it means for their next claim there.
        const told = toParties(d, (v, _platform, party) => partyCard(d, v, `Ruling on ${caseWords(v, d)}: ${about(d)}`, `${caseTitle(v, d)} over ${about(d)} is ruled: ${endedWords(viewpoint(deps, v), d)}.${keptClaim(d, v, party)}${approvalAfterRuling(d, v, party)}`), 'ruled');
        refreshCards(d, 'ruled');
        toThread(d, (v) => reply(`${caseTitle(v, d)} ruled`, outcomeBlocks(deps, v, d, 'good')), 'ruled', { broadcast: true, told });
        // Ruled by someone above its arbitrator (opened from the queue): the arbitrator it was
        // assigned to is told, not only shown it on cards updated in place without a word.
        const assignee = d.ruledBy && d.ruledBy !== d.arbitrator ? reachableTarget(deps, d, platformOf(d)) : null;
        if (assignee && d.ruledBy) {
          const arb = personViewer(assignee, d.arbitrator);
          const by = viewpoint(deps, arb).person(d.ruledBy);
          out.push({
            platform: assignee.platform,
            target: { kind: 'user', user: assignee.user },
            body: reply(`${caseTitle(arb, d)} on ${about(d)} was ruled by ${by}`, [text(`${by} ruled on ${caseWords(arb, d)} over ${about(d)}, which was ${yoursTo(arb, d)}: nothing is left for you to do on it.`), ...outcomeBlocks(deps, arb, d)]),
            dedupeKey: `ruled-over:${d.id}:${d.arbitrator}`,
          });
        }
        break;
      }
      case 'dispute.info_requested': {
        const d = e.dispute;
        const vp = viewpoint(deps, CHANNEL_VIEWER);
        const question = quote(`Question from ${vp.person(e.by)}`, e.question);
        // Answered with the button of the parties' DMs, to whoever rules on the case, alone: one
        // party's words never reach another (every party reads a shared thread, where the
        // arbitrator may not be), and the button works from any platform. An arbitrator the bot
        // cannot reach by chat is answered directly, at their e-mail when the policy gives it.
        const arbitrator = vp.person(d.arbitrator);
        const directly = arbitratorOutOfReach(deps, d, origin);
        const reachable = directly === null;
        const answer = (v: Principal): Block[] => {
          if (directly !== null) return [text(directly, 'muted')];
          // The claim's own party of an approval (and the company's people) are told it is one.
          const lead = `Answer with the button below: your answer goes only to ${arbitrator}, who ${approvalShown(v, d) ? 'decides on it' : 'rules on it; no other party sees it'}.`;
          // The question rides with the button: the form shows it where it replaces this message (Teams).
          // By when: an answer after the ruling comes too late (its button then says so).
          const due = d.dueAt ? (pastDue(d, now) ? `${arbitrator}'s ${approvalShown(v, d) ? 'decision' : 'ruling'} is overdue (it was due by ${viewpoint(deps, v).deadline(d.dueAt)}): answer now.` : `${arbitrator} is due to ${approvalShown(v, d) ? 'decide' : 'rule'} by ${viewpoint(deps, v).deadline(d.dueAt)}: answer before then.`) : null;
          return [text(lead, 'muted'), ...(due ? [text(due, 'muted')] : []), { type: 'actions', actions: [{ action: ACTIONS.answer, label: 'Answer', value: `${d.id}:${e.question}` }] }];
        };
        // One of the company's people in it for a partner reads whom they answer for, as the answer is recorded.
        const told = toParties(d, (v, _platform, party) => reply(`Question on ${caseWords(v, d)}: ${about(d)}`, [text(`${vp.person(e.by)} has a question${forParty(viewpoint(deps, v), party)} about ${caseWords(v, d)} over ${about(d)}.`), question, ...answer(v)]), 'ask');
        // The thread reads it as any case, named as any dispute is there. Every party reads it, so it
        // is never where to answer: an arbitrator out of reach is answered as the DMs say, directly.
        const there = `Each party was sent this question by direct message, with ${reachable ? 'a button' : 'how'} to answer ${arbitrator}.`;
        toThread(d, (_v, inDm) => reply(`${vp.person(e.by)} asks for more information`, [question, text(inDm ? 'Answer where the dispute was raised.' : there, 'muted')]), 'ask', { told });
        break;
      }
      case 'dispute.info_answered': {
        // To whoever rules on the case now, alone: the answer quoted under whose it is, and the case a click away.
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        // Where their case card went: not a platform that refused them for this case.
        const target = reachableTarget(deps, d, platformOf(d));
        if (!target) break;
        const arb = personViewer(target, d.arbitrator);
        const party = viewpoint(deps, arb).party(e.party);
        const who = e.name.trim() && e.name !== party ? `${e.name.trim()} (${party})` : party;
        out.push({
          platform: target.platform,
          target: { kind: 'user', user: target.user },
          body: reply(`Answer from ${party} on ${caseWords(arb, d)}: ${about(d)}`, [
            // An approval has one party: no other to keep it from.
            text(`${party} answered on ${caseWords(arb, d)} over ${about(d)}, ${yoursTo(arb, d)}.${isOverlapCase(d) ? ' No other party sees this answer.' : ''}${askedBy(d, arb)}`),
            quote(`Answer from ${who}`, e.answer),
            // The answer is kept nowhere else: the case comes beside it, not in its place (Teams).
            { type: 'actions', actions: [{ action: ACTIONS.openCase, label: 'Show the case', value: String(d.id), keep: true }] },
          ]),
          // Names the sender: forgetting them finds their answers by it (see privacy.repo).
          dedupeKey: `answer:${d.id}:${e.by}:${stamp}`,
        });
        break;
      }
      case 'dispute.reminder': {
        const d = e.dispute;
        const mine = arbitratorsCard(d);
        if (!mine) break;
        const { target, vp, card } = mine;
        const snooze = snoozeButtons(d.id);
        // What the breach will do: hand the case on, or (nobody above to take it: the last of the
        // chain, or everybody above with a part in it) post it to the escalation channel, or leave it here.
        const outcome = breachOutcome(deps.ctx, d);
        const after =
          outcome.to !== null
            ? `After that it escalates to ${vp.person(outcome.to)}.`
            : escalationChannel(d)
              ? 'After that it goes to the escalation channel.'
              : `${capitalised(pastChainWords(outcome.why))}: it stays with you, overdue.`;
        // A claim waiting for approval is said to be one, as its card says it.
        const what = caseWords(vp.viewer, d);
        // The reminder's line holds while the case stands as it does (a card that redraws itself keeps it until then).
        const body = withLead(reply(`Reminder: ${what} is due ${d.dueAt ? vp.deadline(d.dueAt) : 'soon'}`, [...card.blocks, snooze]), [text(`Reminder: ${what} is due ${d.dueAt ? vp.deadline(d.dueAt) : 'soon'}. ${after}`, 'warning')], caseStamp(d, now));
        // Once the case is due, the breach (or its being overdue) says the rest.
        toArbitrator(d, target, d.dueAt ? { ...body, staleAt: d.dueAt.toISOString() } : body, `reminder:${d.id}:${d.escalationLevel}:${stamp}`);
        break;
      }
      case 'dispute.escalated': {
        const d = e.dispute;
        const vp = viewpoint(deps, CHANNEL_VIEWER);
        // Handed on because its arbitrator filed a claim that joined it (recusal), because the
        // policy no longer names them, or for a breach (passing over those with a part in it).
        const own = e.recused?.find((i) => i.person === e.from);
        const others = (e.recused ?? []).filter((i) => i.person !== e.from);
        const partWords = (list: readonly Involvement[]) => involvementsWords(list, (p) => vp.person(p));
        // The new assignee's card names an assignee passed over for their part in it (see recusalLine): their lead does not again.
        const ownOnCard = own !== undefined && notOnCard(d, [own]).length === 0;
        // Handed on because its assignee's card bounced (their user deactivated or gone), as the ledger entry says.
        const gone = e.unreachable && e.unreachable.length > 0 ? `${vp.person(e.from)} cannot be reached in ${platformsWords(e.unreachable)}: their user there is deactivated or gone` : null;
        const why = own ? (ownOnCard ? `it moved to you from ${vp.person(e.from)}.` : `${involvementWords(vp.person(e.from), own)}.`) : e.left ? `${vp.person(e.from)} is no longer among the policy's people.` : gone ? `${gone}.` : `${vp.person(e.from)} did not rule in time.`;
        const reassigned = e.left || own !== undefined || gone !== null;
        // A case may be handed on at one level more than once (to the people who replace those who left).
        const step = reassigned ? `moved:${d.escalationLevel}:${d.arbitrator}` : `escalated:${d.escalationLevel}`;
        // The thread (which partners read) blames nobody: the time to rule ran out, or the case simply moved.
        const moved = own ? 'Another claim joined this dispute, and the case moved' : e.left || gone ? 'The case moved' : 'The time to rule ran out, so the case moved up its escalation chain';
        toThread(d, (v) => reply(`${caseTitle(v, d)} ${reassigned ? 'moved' : 'escalated'} to ${vp.person(d.arbitrator)}`, [text(`${moved}: it is now with ${vp.person(d.arbitrator)}${d.dueAt ? `, due ${vp.deadline(d.dueAt)}` : ''}.`, 'warning')]), step);
        const next = personTarget(deps, d.arbitrator, platformOf(d));
        if (next) {
          const arb = personViewer(next, d.arbitrator);
          const card = disputeCard(deps, arb, d, { withActions: true });
          // Those passed over on the way for their part in the case, said so that it is clear why it came here (once: the card may say it).
          const unsaid = notOnCard(d, others);
          const passed = unsaid.length > 0 ? ` ${partWords(unsaid)}, so it came to you.` : '';
          const intro = reassigned ? `Yours to rule now: ${why}${passed}` : `Escalated to you: ${vp.person(e.from)} did not rule within the SLA.${passed}`;
          // The notification says, as the first assignment's did, that it is theirs and by when.
          const by = d.dueAt ? ` by ${viewpoint(deps, arb).deadline(d.dueAt)}` : '';
          const summary = `${caseTitle(arb, d)} on ${about(d)}: ${reassigned ? '' : 'escalated to you, '}${yoursTo(arb, d)}${by}`;
          // What was asked before it came, and whose answers went to whom: the case card shows neither.
          const asked = questionsBefore(deps, viewpoint(deps, arb), d);
          toArbitrator(d, next, withLead({ ...card, summary }, [text(intro, 'warning'), ...(asked ? [text(asked)] : [])], caseStamp(d, now)), `arbitrator:${d.id}:${d.arbitrator}:${d.escalationLevel}`);
        }
        refreshCards(d, step, own ? involvementWords(vp.person(e.from), own) : e.left ? `${vp.person(e.from)} is no longer among the policy's people` : (gone ?? undefined));
        // Someone who left the policy, or whom the bot cannot reach, is not told of it.
        const prev = e.left || gone ? null : personTarget(deps, e.from, platformOf(d));
        if (prev) {
          const was = personViewer(prev, e.from);
          const because = own ? `${own.claim !== null ? `You filed claim #${own.claim} in` : 'You raised'} ${caseWords(was, d)} over ${about(d)}` : `The SLA on ${caseWords(was, d)} over ${about(d)} was breached`;
          out.push({ platform: prev.platform, target: { kind: 'user', user: prev.user }, body: reply(`${caseTitle(was, d)} on ${about(d)} moved to ${vp.person(d.arbitrator)}`, [text(`${because}, so it moved to ${vp.person(d.arbitrator)}, who rules on it now.`, 'warning')]), dedupeKey: `${own ? 'recused-from' : 'escalated-from'}:${d.id}:${e.from}:${d.escalationLevel}` });
        }
        break;
      }
      case 'dispute.chain_exhausted': {
        const d = e.dispute;
        const vp = viewpoint(deps, COMPANY_VIEWER);
        const platform = platformOf(d);
        const who = vp.person(d.arbitrator);
        // Short of the end of its chain when everybody above its assignee has a part in the case
        // (recusal): they were passed over, not late, so nobody says the whole chain failed to rule.
        const outcome = breachOutcome(deps.ctx, d);
        const early = outcome.to === null && outcome.why === 'recused';
        const channel = escalationChannel(d);
        // To the company's people: a claim waiting for approval is said to be one, as its card says it.
        const name = caseTitle(vp.viewer, d);
        const summary = early ? `${name} is overdue, and nobody above ${who} may take it` : `${name} is past its whole escalation chain`;
        // What the one who keeps it is notified of (a notification, what a screen reader reads first), spoken to as its lines are.
        const summaryYours = early ? `${name} is overdue, and still yours to rule: nobody above you may take it` : summary;
        const notRuled = early ? `${name} was not ruled by ${who} in time, and everybody above them in its escalation chain has a part in it` : `${name} was not ruled by anyone in its escalation chain`;
        // Everybody of its chain with a part in it (its assignee too): any of them may still rule on it, as nobody else could.
        const stays = rulersOf(deps.ctx, d).some((k) => k !== d.arbitrator)
          ? `It stays with ${who}, overdue: they have a part in it too, so anyone in its escalation chain may still rule on it.`
          : `It stays with ${who}${early ? '' : ', the last in the chain'}, who alone may rule on it now: it is overdue until they do.`;
        const body: ChannelPost = { ...reply(summary, [text(`${notRuled}. ${stays}`, 'attention'), ...disputeCard(deps, vp.viewer, d, { withActions: false }).blocks], { visibility: 'public' }), place: 'the escalation channel' };
        // Once per SLA that ran out: a case handed on past its chain again is posted again.
        const exhaustedKey = `exhausted:${d.id}:${d.arbitrator}:${d.escalationLevel}:${d.dueAt?.getTime() ?? 0}`;
        // To the one who keeps it, why nobody else took it.
        const notRuledYours = early ? `${name} was not ruled in time, and ${pastChainWords('recused')}` : null;
        // The case stays with its assignee: the cards they rule from show it overdue, their reminders' Snooze gone.
        out.push(...liveCardUpdates(deps, d, [pastChainLine(d, early ? 'recused' : 'last')], exhaustedKey));
        // Should the bot not be in that channel, the one who keeps it hears it instead, spoken to,
        // and pointed to the case card they rule from (in the same chat: see toArbitrator); with no
        // channel named for this platform, they hear it at once.
        // The channel may be the other platform's (none named for the case's): the fallback is theirs there.
        const at = channel?.platform ?? platform;
        const last = reachableTarget(deps, d, at);
        const fallbackUser = last?.platform === at ? last.user : undefined;
        if (last && fallbackUser) {
          const lead = `${notRuledYours ?? `${name} was not ruled by anyone in its escalation chain, and you are the last in it`}: it is still yours to rule, overdue. Rule on it with the buttons of its case card, which I sent you in this chat when it came to you.`;
          body.fallbackCopy = reply(summaryYours, [text(lead, 'attention'), ...disputeCard(deps, personViewer(last, d.arbitrator), d, { withActions: false }).blocks]);
        }
        /** The case with its ruling buttons to the one who keeps it, saying why it came. */
        const toLast = (to: { platform: Platform; user: string }, why: string, key: string) => toArbitrator(d, to, withLead({ ...disputeCard(deps, personViewer(to, d.arbitrator), d, { withActions: true }), summary: summaryYours }, [text(why, 'attention')], caseStamp(d, now)), key);
        // The thread (which partners read) says nobody else may take it, not why.
        const threadTitle = (v: Principal) => (early ? `${caseTitle(v, d)} stays with ${who}, overdue` : `${caseTitle(v, d)} is past its escalation chain`);
        const ranOut = early ? `The time to rule ran out, and nobody above ${who} in the escalation chain can take the case` : 'Nobody in the escalation chain ruled in time';
        if (channel) {
          out.push({ platform: channel.platform, target: { kind: 'channel', channel: channel.channel, ...(fallbackUser ? { fallbackUser } : {}) }, body, dedupeKey: exhaustedKey });
          // Reachable only on another platform, the one who keeps it could not be the channel's
          // fallback: they hear it at once, where they are.
          if (last && !fallbackUser) toLast(last, `${notRuledYours ?? `${name} was not ruled by anyone in its escalation chain`}, so it was posted to the escalation channel in ${PLATFORM_NAMES[channel.platform]}; it is still yours to rule, ${early ? '' : 'the last in the chain, '}overdue.`, `${exhaustedKey}:${last.platform}`);
          // Whether the channel takes the post is known only when it is delivered: the thread says
          // both (the console shows every post to its escalations channel: there, only that).
          const orSent = fallbackUser && channel.platform !== 'console' ? ` or, where I cannot post there, sent to ${who}` : '';
          toThread(d, (v) => reply(threadTitle(v), [text(`${ranOut}: the case is posted to the escalation channel${orSent}; it stays with ${who}${early ? '' : ', the last in the chain'}.`, 'attention')]), 'exhausted');
        } else {
          const noChannel = `the policy names ${noChannelWords(d)} (sla.escalation_channel)`;
          if (last) toLast(last, notRuledYours ? `${notRuledYours}; ${noChannel}, so it stays with you, overdue.` : `${name} was not ruled by anyone in its escalation chain, and ${noChannel}, so it stays with you, the last in the chain, overdue.`, exhaustedKey);
          toThread(d, (v) => reply(threadTitle(v), [text(`${ranOut}; the case stays with ${who}.`, 'attention')]), 'exhausted');
          // Partner ops hear of it nowhere in chat: the operator's log says so, with what to do.
          // An error when the one who keeps it cannot be reached either (no chat id, or their user gone).
          const gone = last === null ? 'has neither a Slack nor a Teams user id in the policy' : last.platform !== 'console' && bouncedOn(deps.ctx, d).has(last.platform) ? `cannot be reached in ${PLATFORM_NAMES[last.platform]} (their user there is deactivated or gone)` : null;
          const what = early ? `is overdue, and nobody above ${who} in its escalation chain may take it (each has a part in it)` : 'is past its whole escalation chain, overdue';
          const fix = `name an escalation channel for ${PLATFORM_NAMES[platform]} so that such cases are posted there`;
          deps.alert?.(
            gone === null
              ? { level: 'warn', message: `${name} on ${about(d)} ${what}, and only ${who} ("${d.arbitrator}"), who keeps it, was told: ${noChannel}. Have them rule on it, or ${fix}.`, fields: { dispute: d.id, person: d.arbitrator } }
              : { level: 'error', message: `${name} on ${about(d)} ${what}, and reached nobody at the company: ${who} ("${d.arbitrator}"), who keeps it, ${gone}, and ${noChannel}. Give them a chat id that reaches them, or write a policy version with someone else in their place, and ${fix}.`, fields: { dispute: d.id, person: d.arbitrator } },
          );
        }
        break;
      }
      case 'dispute.unreachable': {
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        const vp = viewpoint(deps, COMPANY_VIEWER);
        const where = platformsWords(e.bounced);
        if (e.tryOn) {
          // Still reachable, maybe, on the other platform the policy gives them: the case stays, and its card goes there.
          const to = personTarget(deps, e.person, e.tryOn);
          if (to?.platform !== e.tryOn) break;
          const arb = personViewer(to, d.arbitrator);
          const by = d.dueAt ? ` by ${viewpoint(deps, arb).deadline(d.dueAt)}` : '';
          const card = disputeCard(deps, arb, d, { withActions: true });
          const lead = `I could not reach you in ${where}, so ${caseWords(arb, d)} over ${about(d)} comes here: it is ${yoursTo(arb, d)}${by}.`;
          toArbitrator(d, to, withLead({ ...card, summary: `${caseTitle(arb, d)} on ${about(d)}: ${yoursTo(arb, d)}${by}` }, [text(lead, 'warning')], caseStamp(d, now)), `unreachable:${d.id}:${e.person}:${d.escalationLevel}:${e.tryOn}`);
          break;
        }
        // Nobody else in its chain may take it: the escalation channel hears of it, as at a breach
        // past the chain (with no fallback to its assignee, whom nothing reaches), and the thread.
        const who = vp.person(d.arbitrator);
        const channel = escalationChannel(d);
        // The last of its chain, or one above whom everybody in it has a part in the case (who may not rule on it).
        const above = breachOutcome(deps.ctx, d);
        const lastOne = above.to === null && above.why === 'last';
        if (channel) {
          const lead = `${who} has ${caseWords(vp.viewer, d)} and cannot be reached in ${where}: their user there is deactivated or gone, and nobody else in its escalation chain may take it. It stays with them, its SLA running: if they left, remove them from the policy's people in a new version and it moves to whoever the policy then names for it.`;
          const body: ChannelPost = { ...reply(`${caseTitle(vp.viewer, d)}: ${who}, who has it, cannot be reached`, [text(lead, 'attention'), ...disputeCard(deps, vp.viewer, d, { withActions: false }).blocks], { visibility: 'public' }), place: 'the escalation channel' };
          out.push({ platform: channel.platform, target: { kind: 'channel', channel: channel.channel }, body, dedupeKey: `unreachable:${d.id}:${e.person}:${d.escalationLevel}` });
        } else {
          // Nobody at the company hears of it in chat: the operator's log says so, once (a second
          // bounce of theirs at this level is no event), naming the case, who and what to do.
          const told = d.origin ? "only the case's thread was told" : 'nobody was told';
          deps.alert?.({
            level: 'error',
            message: `${caseTitle(vp.viewer, d)} on ${about(d)} reached nobody at the company: ${who} ("${e.person}"), ${lastOne ? 'the last of its escalation chain' : 'above whom everybody in its escalation chain has a part in it'}, cannot be reached in ${where} (their user there is deactivated or gone), and the policy names ${noChannelWords(d)} (sla.escalation_channel), so ${told}. It stays with them, its SLA running: if they left, write a policy version without them in people, with someone else as the arbitrator or in the escalation chain of its coverage rule, and it moves on; name an escalation channel for ${PLATFORM_NAMES[platformOf(d)]} so that such cases are posted there.`,
            fields: { dispute: d.id, person: e.person, unreachable: e.bounced },
          });
        }
        // The thread (which partners read) says where the case is, not why.
        toThread(d, (v) => reply(`${caseTitle(v, d)} stays with ${who}`, [text(`The case stays with ${who}${lastOne ? ', the last in its escalation chain' : ''}${channel ? ', and is posted to the escalation channel' : ''}.`, 'attention')]), `unreachable:${d.escalationLevel}`);
        break;
      }
      case 'dispute.withdrawn': {
        const d = e.dispute;
        const told = toParties(d, (v) => partyCard(d, v, `${caseTitle(v, d)} on ${about(d)} closed`, `${caseTitle(v, d)} over ${about(d)} is closed without a ruling.`), 'withdrawn');
        toThread(d, (v) => reply(`${caseTitle(v, d)} closed without a ruling`, [text(outcomeText(deps, v, d))]), 'withdrawn', { broadcast: true, told });
        refreshCards(d, 'withdrawn');
        const target = reachableTarget(deps, d, platformOf(d));
        if (target) {
          const arb = personViewer(target, d.arbitrator);
          out.push({ platform: target.platform, target: { kind: 'user', user: target.user }, body: reply(`${caseTitle(arb, d)} on ${about(d)} needs no ruling`, [text(`${caseTitle(arb, d)} over ${about(d)} needs no ruling.`), text(outcomeText(deps, arb, d))]), dedupeKey: `withdrawn:${d.id}:${d.arbitrator}` });
        }
        break;
      }
      case 'dispute.recommendation_changed': {
        // Whoever has the case rules on it as it now stands: their card, with the new recommendation.
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        if (d.status !== 'open') break;
        const mine = arbitratorsCard(d);
        if (!mine) break;
        const { target, vp, card } = mine;
        // A party recommended because the criteria's pick left the programme is the one party left (see recommendAgain).
        // Nobody, because the criteria's pick left and no one party is left instead: not the criteria's own "nobody".
        const now = d.recommendation ? (e.why === 'left' && d.recommendationRule === null ? `${vp.party(d.recommendation)} is recommended now, as the one party left` : `the criteria now recommend ${vp.party(d.recommendation)}`) : e.why === 'left' ? 'nobody is recommended now' : 'the criteria now recommend nobody';
        const was = e.from ? ` (it was ${vp.party(e.from)})` : '';
        const what =
          e.why === 'changed'
            ? `A claim in dispute #${d.id} changed in the CRM (its stage or registration date)`
            : e.why === 'left'
              ? `The party recommended in dispute #${d.id} left the partner programme, so the line cannot go to it`
              : `A claim in dispute #${d.id} closed while it waited`;
        const lead = [text(`${what}: ${now}${was}.`, 'warning')];
        const key = `recommendation:${d.id}:${d.recommendation ?? 'none'}:${stamp}`;
        // The cards sent before show it as it now stands: none offers to approve the party recommended before.
        out.push(...liveCardUpdates(deps, d, lead, key, { everyone: true }));
        toArbitrator(d, target, withLead({ ...card, summary: `Dispute #${d.id} on ${about(d)}: the recommendation changed` }, lead, caseStamp(d, deps.ctx.clock.now())), key);
        break;
      }
      case 'claim.dormancy_warning':
      case 'claim.dormant':
      case 'claim.expiry_warning':
      case 'claim.expired': {
        const c = e.claim;
        const target = splitUserKey(c.createdBy);
        if (!target) break;
        // Told once that it protects nothing, when it went dormant: its expiry, weeks later, is no news.
        if (e.type === 'claim.expired' && e.toldDormant) break;
        const viewer = filerViewer(c);
        const vp = viewpoint(deps, viewer);
        // One of the company's people who filed it for a partner reads whose claim it is, as /roe mine and the claim's answer say it.
        const name = deps.ctx.store.accounts.get(c.accountId)?.name ?? c.accountId;
        const forWhom = forParty(vp, c.claimant);
        // Open to others only when no other claim is live on the line (one may have come while this one was dormant).
        const others = e.type === 'claim.dormancy_warning' || e.type === 'claim.expiry_warning' ? [] : liveClaims(deps.ctx, c.accountId, c.productLine, now).filter((x) => x.id !== c.id);
        const open = others.length === 0;
        // The claimant's own party may hold the line with another claim (one filed once this one had
        // lapsed, before its timer said so): nothing for them to file, nobody to be weighed against.
        const ours = otherClaimOfParty(others, c);
        // While theirs waits, another party's claim may hold the line (the one theirs was filed
        // against): named as this viewer may read it ("another party" to a partner).
        const rival = others.find((x) => x.claimant !== c.claimant && x.status === 'protected') ?? others.find((x) => x.claimant !== c.claimant);
        const still = (x: Claim) => {
          // Theirs when they filed it, from whichever platform (a person of the policy on Slack and Teams).
          const whose = samePerson(x.createdBy, c.createdBy) ? `Your other claim on it, #${x.id},` : `Another claim of ${vp.party(c.claimant)} on it, #${x.id},`;
          // That claim may itself lapse before its protection ends: then when, unless activity is logged.
          const terms = deps.ctx.policies().termsFor(x);
          // Another party's claim waiting against it: a case is open (or about to be) that may take the line from them.
          const contested = others.find((o) => o.claimant !== c.claimant && o.status === 'pending');
          if (x.status === 'protected') return `${whose} still protects the account${protectedWords(vp, protectionEnd(x, terms), dormancyAt(x, terms))}${contested ? `; a claim of ${vp.party(contested.claimant)} is waiting for a decision against it` : ''}.`;
          return `${whose} is waiting for a decision${rival ? `; a claim of ${vp.party(rival.claimant)} is live on it meanwhile` : ''}.`;
        };
        // The moment it lapses, not only its day: activity logged later that day is too late.
        const lapses = e.type === 'claim.dormancy_warning' ? lapseWords(vp, e.dormantAt) : e.type === 'claim.expiry_warning' ? lapseWords(vp, e.endsAt) : '';
        // Said in days of its own version's terms, which counted them.
        const protectionDays = deps.ctx.policies().termsFor(c).protection_days;
        const body =
          e.type === 'claim.expiry_warning'
            ? reply(`Claim #${c.id} on ${name}${forWhom}: its protection ends ${lapses}`, [
                text(`The protection of claim #${c.id} on ${name} (${c.productLine})${forWhom} ends ${lapses}, ${plural(protectionDays, 'day')} after it was registered: logging activity keeps a claim from going dormant, but does not extend its protection. Once it has ended, the account is open to other registrations: file a new claim then to protect it again.`, 'warning'),
              ])
            : e.type === 'claim.dormancy_warning'
            ? reply(`Claim #${c.id} on ${name}${forWhom} goes dormant ${lapses}`, [text(`Claim #${c.id} on ${name} (${c.productLine})${forWhom} goes dormant ${lapses} unless you log activity before then. A dormant claim no longer protects the account.`, 'warning'), { type: 'actions', actions: [{ action: ACTIONS.logActivity, label: 'Log activity', value: String(c.id), style: 'primary' }] }])
            : e.type === 'claim.dormant'
              ? reply(`Claim #${c.id} on ${name}${forWhom} is dormant`, [text(`Claim #${c.id} on ${name} (${c.productLine})${forWhom} went dormant: no activity was logged, and it no longer protects the account. ${open ? 'The account is open to other registrations; file a new claim to protect it again.' : ours ? still(ours) : 'Another claim is live on it: file a new claim to be weighed against it.'}`, 'attention')])
              : reply(`Claim #${c.id} on ${name}${forWhom} expired`, [text(`Claim #${c.id} on ${name} (${c.productLine})${forWhom} has expired: its protection period is over. ${open ? 'The account is open to other registrations; file a new claim to protect it again.' : ours ? still(ours) : 'Another claim is live on it: file a new claim to be weighed against it.'}`, 'attention')]);
        // A warning reaching the claimant after the claim went dormant could only mislead; one
        // whose claim is planned again meanwhile (activity logged) is withdrawn by its key.
        const timely = e.type === 'claim.dormancy_warning' ? { ...body, staleAt: e.dormantAt.toISOString() } : e.type === 'claim.expiry_warning' ? { ...body, staleAt: e.endsAt.toISOString() } : body;
        out.push({ platform: target.platform, target: { kind: 'user', user: target.user }, body: timely, dedupeKey: `${claimNoticeKey(e.type, c.id)}${stamp}` });
        break;
      }
      case 'partner.flagged':
      case 'partner.unflagged': {
        const vp = viewpoint(deps, COMPANY_VIEWER);
        // Said as the policy in force counts them: a version that raised the threshold or shortened
        // the window lifts a flag with violations still inside it.
        const { window_days, violations_to_flag, flagged } = vp.version.policy.consequences;
        const count = plural(e.violations, 'violation');
        const what = e.type === 'partner.flagged' ? `is flagged after ${count}: ${flagged === 'require-approval' ? 'its new claims wait for an arbitrator’s approval' : 'nothing else changes (notify-only)'}` : `is no longer flagged: ${count} within ${plural(window_days, 'day')}, under the ${violations_to_flag} that ${violations_to_flag === 1 ? 'flags' : 'flag'} a partner`;
        // When it lifts by itself, as partner ops will be asked.
        const lifts = e.type === 'partner.flagged' ? ` The flag lifts by itself on ${vp.date(e.liftsAt)}, when ${violations_to_flag === 1 ? 'none of its violations is' : `fewer than ${violations_to_flag} of its violations are`} within the ${lastDays(window_days)}, unless more follow.` : '';
        const body = reply(`${vp.party(e.partnerId)} ${what}`, [text(`${vp.party(e.partnerId)} ${what}.${lifts}`, 'warning')], { visibility: 'public' });
        // Partner ops hear it in the escalation channel of every platform the policy names.
        const channels = vp.version.policy.sla.escalation_channel;
        const targets: [Platform, string | undefined][] = origin?.platform === 'console' ? [['console', 'escalations']] : [['slack', namedChannel(channels.slack)], ['teams', namedChannel(channels.teams)]];
        for (const [platform, channel] of targets) {
          if (channel) out.push({ platform, target: { kind: 'channel', channel }, body, dedupeKey: `${e.type}:${e.partnerId}:${platform}:${stamp}` });
        }
        // The Slack cards of its cases filed while it was flagged, and of those a claim of its joined
        // while it was, said how the flag stood: redrawn as the case now stands (the flag lifted, or
        // holding again), their ruling buttons kept. A Teams card redraws itself when shown.
        for (const d of deps.ctx.store.disputes.open()) {
          const filed = d.filedFlagged && d.parties[0] === e.partnerId;
          if (!filed && !d.joinedFlagged.some((id) => deps.ctx.store.claims.get(id)?.claimant === e.partnerId)) continue;
          out.push(...liveCardUpdates(deps, d, pastChainLead(deps, d) ?? [], `${e.type}:${d.id}:${stamp}`, { everyone: true }));
        }
        break;
      }
      case 'claim.protected':
      case 'claim.pending':
      case 'claim.rejected':
        // The claimant hears the outcome in the reply to their action, and the other parties through the dispute messages.
        break;
    }
  }
  for (const m of out) deps.ctx.store.outbox.enqueue(m, now);
}
