import { canSeeParty, type Principal } from '../src/core/authz.js';
import { explainVerdict, outcomeLabel, ruleTitle } from '../src/core/ownership/explain.js';
import { approvalClaims, caseKindWords, isOverlapCase } from '../src/core/disputes/settle.js';
import { caseKindTitle } from '../src/core/disputes/case-kind.js';
import { leaverWords, partiesOutOfProgramme, pickOutOfProgramme, withdrawnAsPartyLeft } from '../src/core/disputes/review.js';
import { DIRECT, type Claim, type Dispute, type PartyId } from '../src/core/types.js';
import { isLive } from '../src/core/claims/lifecycle.js';
import { flagStanding } from '../src/core/claims/consequences.js';
import { breachOutcome, pastDue, recusalsOf } from '../src/core/sla/sla.service.js';
import { involvementsWords, involvementWords } from '../src/core/disputes/recusal.js';
import type { HandlerDeps, Viewpoint } from './deps.js';
import { explainOptions, readsAsChannel, viewpoint } from './deps.js';
import { ACTIONS, quote, reply, text, type Block, type Reply, type Tone } from './replies/model.js';
import { splitUserKey } from './user-key.js';
import { flagLines } from './flag.js';

/**
 * How a case stands at `now`, as far as lines sent with its card say (escalated to you, the
 * recommendation changed, a reminder snoozed): its status, who has it at which level, the
 * recommendation, and whether it is open past its due time (a line sent before then, a reminder's
 * or why it came, no longer holds then). Lines sent under one stamp hold while the case keeps it.
 */
export function caseStamp(d: Dispute, now: Date): string {
  const stands = [d.status, d.arbitrator, d.escalationLevel, d.recommendation ?? ''].join(':');
  return d.status === 'open' && pastDue(d, now) ? `${stands}:${OVERDUE_STAMP}` : stands;
}

/** What a case's stamp ends with while it is open past its due time. */
export const OVERDUE_STAMP = 'overdue';

/**
 * Whether anyone of a case can be written to about it: its thread (a case raised in a chat), or
 * a party's person in chat (who filed a claim of it, or raised it). A case an import opened over
 * imported claims has neither.
 */
export function caseReachable(deps: HandlerDeps, d: Pick<Dispute, 'origin' | 'claimIds' | 'raisedBy' | 'raisedAs'>, asker: string): boolean {
  if (d.origin) return true;
  // The one who asks is not told their own question.
  const someone = (userKey: string) => splitUserKey(userKey) !== null && userKey !== asker;
  if (d.raisedAs !== null && someone(d.raisedBy)) return true;
  return d.claimIds.some((id) => {
    const c = deps.ctx.store.claims.get(id);
    return c !== undefined && someone(c.createdBy);
  });
}

/** The claims of a case waiting for approval ("claim #12"), as the core names them. */
export { approvalClaims };

/**
 * Whether this viewer is told that an open case is a claim waiting for approval, not a dispute:
 * the company's people, and the party whose claim it is. Another partner (and a channel that may
 * hold any) is not, since that a party's claims need approval may tell it is flagged: to them it
 * reads as any case does.
 */
export function approvalShown(viewer: Principal, d: Pick<Dispute, 'parties'>): boolean {
  if (isOverlapCase(d)) return false;
  return viewer.kind === 'internal' || (viewer.kind === 'external' && d.parties.includes(viewer.partnerId));
}

/**
 * What a case is called in a sentence, as this viewer may know it: "dispute #3", or "approval of
 * claim #12 (case #7)" for a claim waiting for approval ({@link approvalShown}).
 */
export function caseWords(viewer: Principal, d: Pick<Dispute, 'id' | 'parties' | 'claimIds'>): string {
  return approvalShown(viewer, d) ? caseKindWords(d) : `dispute #${d.id}`;
}

/** Where a pending claim waits, as this viewer may know it: "awaiting approval in case #7", or "in dispute #3". */
export function waitingIn(viewer: Principal, d: Pick<Dispute, 'id' | 'parties' | 'claimIds'>): string {
  return approvalShown(viewer, d) ? `awaiting approval in case #${d.id}` : `in ${caseWords(viewer, d)}`;
}

/** A case's account and product line, as forms and messages name it: "Soylent Corp (Analytics)". */
export function caseAbout(deps: HandlerDeps, d: Pick<Dispute, 'accountId' | 'productLine'>): string {
  return `${deps.ctx.store.accounts.get(d.accountId)?.name ?? d.accountId} (${d.productLine})`;
}

/** {@link caseWords} at the start of a sentence: "Dispute #3", "Approval of claim #12 (case #7)". */
export function caseTitle(viewer: Principal, d: Pick<Dispute, 'id' | 'parties' | 'claimIds'>): string {
  return approvalShown(viewer, d) ? caseKindTitle(d) : `Dispute #${d.id}`;
}

/** Who is on each side of a dispute, as this viewer may see them. */
function partiesLine(deps: HandlerDeps, viewer: Principal, d: Dispute, out: ReadonlySet<PartyId>): string {
  const vp = viewpoint(deps, viewer);
  // One name per party: two partners this viewer may not see are "another party" twice. One taken
  // out of the programme (roe partner close) is said to have left, to whoever may see its name.
  return [...new Set(d.parties)].map((p) => `${vp.party(p)}${out.has(p) && canSeeParty(viewer, p) ? ' (left the partner programme)' : ''}`).join(' vs ');
}

/**
 * Why an open case is with its arbitrator rather than someone before them in its chain, who has
 * a part in it (recusal): "Pat Okafor filed claim #5 in this case, so Dana Reyes rules on it."
 * Null when nobody of it has one.
 */
export function recusalLine(deps: HandlerDeps, vp: Viewpoint, d: Dispute): string | null {
  const { passed, assignee } = recusalsOf(deps.ctx, d);
  const who = vp.person(d.arbitrator);
  // An assignee with a part in it has it because nobody of its chain is free of one: those before
  // them are not why it is theirs (it may have come to them at a breach). The last of the chain
  // has nobody above them at all.
  if (assignee) {
    const outcome = breachOutcome(deps.ctx, d);
    const why = outcome.to === null && outcome.why === 'last' ? 'they are the last in its escalation chain' : 'nobody above them in its escalation chain is free of a part in it';
    return `${involvementWords(who, assignee)}, but ${why}, so ${who} still rules on it.`;
  }
  return passed.length > 0 ? `${involvementsWords(passed, (p) => vp.person(p))}, so ${who} rules on it.` : null;
}

/**
 * Who an open or closed case recommends, and by which rule: the one party left when the criteria's
 * pick left the programme (no rule, see recommendAgain), or nobody, the pick named, when several (or
 * none) are left; a pick out of the programme that was not looked at again is said to be one the
 * line cannot go to. That a party left is said only to a viewer who may see its name.
 */
function recommendationWords(vp: Viewpoint, d: Dispute, out: ReadonlySet<PartyId>): string {
  // That a party left, and what the arbitrator does about it, only to whoever may see its name (as partiesLine says it).
  const sees = (p: PartyId) => canSeeParty(vp.viewer, p);
  if (!d.recommendation) {
    // The criteria's pick left the programme, and no one party is left to recommend instead.
    const pick = pickOutOfProgramme(d, out);
    if (pick && !sees(pick)) return 'None: its arbitrator decides';
    return pick ? `None: the criteria pick ${vp.party(pick)}, which left the partner programme${d.status === 'open' ? ': award it to another party, or to nobody' : ''}` : 'None: the criteria did not pick an owner';
  }
  const rule = d.recommendationRule ? ` (${ruleTitle(d.recommendationRule as never)})` : '';
  if (d.status === 'open' && out.has(d.recommendation) && sees(d.recommendation)) return `${vp.party(d.recommendation)}${rule}, which left the partner programme: award it to another party, or to nobody`;
  // The thread's reader names no party, and its party recommended reads it too (see ownerWords).
  if (!d.recommendationRule && out.size > 0) return `${ownerWords(vp, d.recommendation)} (the one party left)`;
  return `${ownerWords(vp, d.recommendation)}${rule}`;
}

/**
 * The case as a card: account, parties, the claims, the recommendation and its trace, the
 * due time, and (for someone who may rule on an open case) the ruling buttons. After a
 * ruling the same card shows the outcome instead of the buttons.
 */
export function disputeCard(deps: HandlerDeps, viewer: Principal, d: Dispute, opts: { withActions: boolean }): Reply {
  const vp = viewpoint(deps, viewer);
  const account = deps.ctx.store.accounts.get(d.accountId);
  const accountName = account?.name ?? d.accountId;
  // A claim waiting for approval, to those who may know it: its party's claim, approved or
  // rejected; no parties on sides, no recommendation over other parties.
  const approval = approvalShown(viewer, d);
  // Its parties taken out of the programme (roe partner close): one read of the cached partners table.
  const out = partiesOutOfProgramme(deps.ctx, d);
  const facts = [
    { label: 'Account', value: `${accountName} (${d.productLine})` },
    approval ? { label: 'Party', value: vp.party(d.parties[0]!) } : { label: 'Parties', value: partiesLine(deps, viewer, d, out) },
    { label: 'Arbitrator', value: vp.person(d.arbitrator) },
  ];
  if (d.status === 'open' && d.dueAt) facts.push({ label: 'Due', value: `${vp.deadline(d.dueAt)}${pastDue(d, deps.ctx.clock.now()) ? ' (overdue)' : ''}` });
  if (approval) {
    if (d.status === 'open') facts.push({ label: 'Waiting for', value: `approval of ${approvalClaims(d)}` });
  } else facts.push({ label: 'Recommendation', value: recommendationWords(vp, d, out) });
  const blocks: Block[] = [{ type: 'facts', facts }];
  // Why it is with its arbitrator and not someone before them (recusal), for the company's people.
  const recusal = viewer.kind === 'internal' ? recusalLine(deps, vp, d) : null;
  if (recusal) blocks.push(text(recusal, 'muted'));
  // The reason is the raiser's own words (or the system's about the raiser): for the company's
  // people and the party that raised it, never for another partner or a shared channel.
  if (d.reason && (viewer.kind === 'internal' || (viewer.kind === 'external' && viewer.partnerId === d.raisedAs))) {
    blocks.push(quote('Reason', d.reason));
    // A claim filed while its partner was flagged still waits after the flag lifts: said so, not left to read as a flag that holds.
    // The flag is the filing party's, the case's first (another party's in it is nothing of theirs).
    // A partner taken out of the programme (roe partner close) has its claims closed and its flag
    // frozen, never to lift: nothing of its flag is said (a read of the cached partners table).
    const filer = d.parties[0];
    if (d.status === 'open' && d.filedFlagged && filer !== undefined && filer !== DIRECT && deps.ctx.store.partners.closure(filer) === null) {
      const own = viewer.kind === 'external';
      // Lifted as the flag lines say it holds (flagStanding): a flag the policy in force no longer enforces holds no claim.
      if (flagStanding(deps.ctx, filer, deps.ctx.clock.now()) === null) {
        blocks.push(text(`${own ? 'Your organisation’s' : 'The partner’s'} flag has since lifted: the claim filed while it held still waits for ${approval ? 'approval' : 'the arbitrator'}; ${own ? 'your' : 'its'} new claims no longer do.`, 'muted'));
      } else if (viewer.kind === 'internal') {
        // The flag as it stands, for the company's people who rule on it: its violations, each with
        // who won it, and when it lifts. Read only for a case filed while its partner was flagged.
        const still = approval ? 'This claim still waits for its approval once the flag lifts.' : 'This case still goes to its ruling once the flag lifts.';
        blocks.push(...flagLines(deps, vp, filer, { still, lostTo: true }));
      }
    }
  }
  const claims = d.claimIds.map((id) => deps.ctx.store.claims.get(id)).filter((c) => c !== undefined);
  if (d.status === 'open' && d.joinedFlagged.length > 0) blocks.push(...joinedFlagLines(deps, vp, d, claims));
  if (claims.length > 0) {
    blocks.push({
      type: 'list',
      title: 'Claims',
      items: claims.map((c) => {
        const sees = vp.seesDeal(c.claimant);
        const detail = sees ? `${c.route}, ${c.opportunity.name}, stage ${c.opportunity.stage}${c.opportunity.amount !== null ? `, ${c.opportunity.amount.toLocaleString('en-US')}` : ''}` : `stage ${c.opportunity.stage}`;
        return { text: `#${c.id} ${vp.party(c.claimant)}, registered ${vp.date(c.registeredAt)} (${c.status})`, detail };
      }),
    });
    // Each claim's evidence is its claimant's own words, for whoever may see that deal.
    for (const c of claims) if (c.evidence.trim() && vp.seesDeal(c.claimant)) blocks.push(quote(`Evidence on claim #${c.id} (${vp.party(c.claimant)})`, c.evidence, { many: true }));
  }
  if (d.evidence.trim() && viewer.kind === 'internal') blocks.push(quote('Evidence given with the dispute', d.evidence));
  if (d.trace.length > 0) {
    blocks.push({
      type: 'list',
      title: 'Criteria',
      // Only a case the criteria settled was decided by them; in any other the pick recommended.
      items: d.trace.map((v) => ({ text: `${ruleTitle(v.rule)}: ${outcomeLabel(v, d.status === 'settled')}`, detail: explainVerdict(v, explainOptions(vp)) })),
    });
  }
  if (d.status === 'open' && opts.withActions) {
    const actions: Extract<Block, { type: 'actions' }>['actions'] = [];
    // A party out of the programme (a case its closing did not look at again) cannot be given the line: no button offers it.
    if (d.recommendation && !out.has(d.recommendation)) {
      // One click rules for good: where the platform can, it is asked again first.
      const party = vp.party(d.recommendation);
      // A claim waiting for approval has one party and no other claim to reject.
      const text = isOverlapCase(d)
        ? `${party} gets ${accountName} (${d.productLine}), and the other parties' claims in ${caseWords(viewer, d)} are rejected. Every party is told, and a ruling is not undone.`
        : `${party} gets ${accountName} (${d.productLine}): its ${approvalClaims(d)} ${d.claimIds.length === 1 ? 'is' : 'are'} approved. ${party} is told, and a ruling is not undone.`;
      actions.push({ action: ACTIONS.approve, label: `Approve: ${party}`, value: `${d.id}:${d.recommendation}`, style: 'primary', confirm: { title: `Approve ${party}?`, text, yes: 'Approve' } });
    }
    // A claim waiting for approval has no other party to award to: its award form is how it is refused (to nobody).
    actions.push({ action: ACTIONS.award, label: isOverlapCase(d) ? 'Award to another party' : 'Reject (with a rationale)', value: String(d.id) });
    // Asking needs someone to ask: a case an import opened over imported claims has nobody in chat.
    if (caseReachable(deps, d, viewer.userKey)) actions.push({ action: ACTIONS.ask, label: 'Ask for information', value: String(d.id) });
    blocks.push({ type: 'actions', actions });
  } else if (d.status !== 'open') {
    blocks.push(...outcomeBlocks(deps, viewer, d, 'good'));
  }
  const name = caseTitle(viewer, d);
  return reply(`${name} on ${accountName} (${d.productLine})`, blocks, { title: `${name}: ${accountName}` });
}

/**
 * The flag of each partner whose claim joined the case, open already, while it was flagged
 * (`joinedFlagged`), as the filer's flag is said under the reason: for the company's people, the
 * flag as it stands (its violations, each with who won it, and when it lifts), or that it has since
 * lifted; for that partner's own users, only that it has lifted. Another partner (and a channel
 * that may hold any) reads nothing of it: that a party is flagged is nothing of theirs. A claim no
 * longer live, a party already said so as the case's filer, and a partner out of the programme
 * (its flag frozen, never to lift) are left out. Reads each such partner's flag: only for a case
 * holding such a claim.
 */
function joinedFlagLines(deps: HandlerDeps, vp: Viewpoint, d: Dispute, claims: readonly Claim[]): Block[] {
  const viewer = vp.viewer;
  const now = deps.ctx.clock.now();
  const blocks: Block[] = [];
  for (const id of new Set(d.joinedFlagged)) {
    const c = claims.find((x) => x.id === id);
    if (!c || c.claimant === DIRECT || !isLive(deps.ctx.policies().statusOf(c, now))) continue;
    // The filer's own flag is said under the reason already (to whoever may read it there).
    if (d.filedFlagged && c.claimant === d.parties[0]) continue;
    const own = viewer.kind === 'external' && viewer.partnerId === c.claimant;
    if (viewer.kind !== 'internal' && !own) continue;
    if (deps.ctx.store.partners.closure(c.claimant) !== null) continue;
    if (flagStanding(deps.ctx, c.claimant, now) === null) {
      const whose = own ? 'Your organisation’s' : `${vp.party(c.claimant)}’s`;
      blocks.push(text(`${whose} flag has since lifted: ${own ? 'your' : 'its'} claim #${c.id}, which joined this case while the flag held, still goes to the ruling; ${own ? 'your' : 'its'} new claims no longer do.`, 'muted'));
    } else if (viewer.kind === 'internal') {
      blocks.push(...flagLines(deps, vp, c.claimant, { lead: `Claim #${c.id} joined this case while its partner was flagged. `, still: 'This case still goes to its ruling once the flag lifts.', lostTo: true }));
    }
  }
  return blocks;
}

/**
 * How a closed case ended: one line, and the arbitrator's rationale in their own words. The
 * arbitrator writes it for the parties (it may well name them): the company's people and the
 * parties read it, a channel that may hold other partners does not.
 */
export function outcomeBlocks(deps: HandlerDeps, viewer: Principal, d: Dispute, tone?: Tone): Block[] {
  const shown = d.rationale && (viewer.kind === 'internal' || (viewer.kind === 'external' && d.parties.includes(viewer.partnerId)));
  return [text(outcomeText(deps, viewer, d), tone), ...(shown ? [quote('Rationale', d.rationale!)] : [])];
}

/**
 * Who a ruled or settled case left the account to, as this viewer may know them: "another party
 * owns it", or, ruled for nobody, "no party gets the account; the claim was rejected".
 */
export function endedWords(vp: Pick<Viewpoint, 'party' | 'viewer'>, d: Pick<Dispute, 'winner' | 'claimIds'>): string {
  if (d.winner) return `${ownerWords(vp, d.winner)} owns it`;
  // A claim waiting for approval is one claim, refused; a dispute's claims are several.
  return `no party gets the account; ${d.claimIds.length === 1 ? 'the claim was rejected' : 'the claims were rejected'}`;
}

/**
 * The party a case left the account to (or recommends), named for this viewer: the thread, read
 * by every party at once (the one it went to too, who would read "another party" as a ruling
 * against them), says "one of the parties" for a partner it may not name; each party's own DM
 * names it as they may.
 */
function ownerWords(vp: Pick<Viewpoint, 'party' | 'viewer'>, winner: PartyId): string {
  return readsAsChannel(vp.viewer) && !canSeeParty(vp.viewer, winner) ? 'one of the parties' : vp.party(winner);
}

/** One line saying how a closed case ended (the rationale aside: see {@link outcomeBlocks}). */
export function outcomeText(deps: HandlerDeps, viewer: Principal, d: Dispute): string {
  const vp = viewpoint(deps, viewer);
  if (d.status === 'settled') return `Settled automatically by the criteria: ${d.winner ? ownerWords(vp, d.winner) : 'nobody'} owns it${d.recommendationRule ? ` (${ruleTitle(d.recommendationRule as never)})` : ''}.`;
  if (d.status === 'ruled') {
    const when = d.ruledAt ? vp.dateTime(d.ruledAt) : '';
    return `Ruled by ${d.ruledBy ? vp.person(d.ruledBy) : 'the arbitrator'} on ${when}: ${endedWords(vp, d)}.`;
  }
  if (d.status === 'withdrawn') {
    // A case a partner raised (or one opened for its claim) against a party holding no claim in it
    // was withdrawn when that partner left the programme (roe partner close).
    const left = withdrawnAsPartyLeft(deps.ctx, d);
    if (left) return `Closed without a ruling: ${leaverWords(left)}${viewer.kind === 'internal' ? ` (${vp.party(left.party)})` : ''} left the partner programme.`;
    return `Closed without a ruling: none of its claims is live any more (lost, won, rejected or expired).`;
  }
  return `Dispute #${d.id} is ${d.status}.`;
}
