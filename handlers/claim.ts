import { z } from 'zod';
import { canSeeParty, ownParty, type Principal } from '../src/core/authz.js';
import { canonicalProductLine, DuplicateClaim, fileClaim, UnknownAccount } from '../src/core/claims/claims.service.js';
import { FLAGGED_REASON } from '../src/core/claims/consequences.js';
import { againstFacts, type ConflictReason } from '../src/core/claims/overlap.js';
import { PARTNER_ROUTES, routeProblem } from '../src/core/claims/route.js';
import { dormancyAt, effectiveStatus, termsOf } from '../src/core/claims/lifecycle.js';
import { NothingToDispute } from '../src/core/disputes/disputes.service.js';
import type { DomainEvent } from '../src/core/events.js';
import { DomainError } from '../src/core/errors.js';
import { explainVerdict } from '../src/core/ownership/explain.js';
import { DIRECT, DIRECT_NAME, ROUTES, type Claim, type Dispute, type Route, type ThreadRef } from '../src/core/types.js';
import { plural } from '../src/core/words.js';
import type { HandlerDeps, Viewpoint } from './deps.js';
import { cmd, dormantSince, explainOptions, onConsole, ownUserKeys, protectedWords, refuseUnknown, viewpoint } from './deps.js';
import { approvalShown, caseTitle, outcomeText } from './dispute-card.js';
import { flagLines } from './flag.js';
import { announce } from './notify.js';
import { FORMS, reply, text, type Block, type Field, type Form, type Reply } from './replies/model.js';
import { accountInitial, accountNotFound, asksForHelp, resolveAccount } from './resolve-account.js';
import { fieldProblem, parseForm, readAmount, typedName } from './validate.js';

export interface SubmitMeta {
  origin: ThreadRef | null;
  /** A key unique to this submission (Slack view id + hash, Teams activity id): repeats file nothing twice. */
  requestKey: string | null;
}


/**
 * The `claimant` field: the party a colleague claims or disputes for, offered to the company's
 * people only (a partner's user acts for their own partner): Direct sales first and by default,
 * then the partners in the programme. Read back with {@link claimFor}.
 */
export function partyChoice(deps: HandlerDeps, label: string): Field {
  return {
    id: 'claimant',
    label,
    kind: 'select',
    required: true,
    // Partners taken out of the programme are not offered: nothing can be filed for them.
    options: [{ value: DIRECT, label: DIRECT_NAME }, ...deps.ctx.store.partners.all().flatMap((p) => (deps.ctx.store.partners.closure(p.id) ? [] : [{ value: p.id, label: p.name }]))],
    initial: { value: DIRECT, label: DIRECT_NAME },
  };
}

/**
 * Where activity is logged, as the claimant does it on their platform: the Log activity button
 * of the warning sent before a claim goes dormant, and of `roe mine` for the claims going dormant
 * soonest (Slack and Teams have no command for it); the console's own command.
 */
function whereToLogActivity(viewer: Principal, claimId: number, warningDays: number): string {
  if (onConsole(viewer)) return `Log it with /activity ${claimId}.`;
  // None comes under a policy that warns 0 days before (lifecycle.service plans none).
  if (warningDays === 0) return `No warning comes before it would go dormant: ${cmd(viewer, 'roe mine')} has a Log activity button, for the claims going dormant soonest; or type ${cmd(viewer, `roe activity ${claimId}`)}.`;
  return `A warning with a Log activity button comes ${plural(warningDays, 'day')} before it would go dormant (${cmd(viewer, 'roe mine')} has the button too, for the claims going dormant soonest; or type ${cmd(viewer, `roe activity ${claimId}`)}).`;
}

/**
 * Runs a core call whose refusals may send the person to another command, and names that command
 * as they type it where they read the refusal (`/claim` in Slack and the console, `claim` in
 * Teams): the core's own words name no command. Anything else thrown passes as it is.
 */
export function commandsAsTyped<T>(viewer: Pick<Principal, 'userKey'>, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof UnknownAccount) throw new DomainError(e.code, `${e.message} Use ${cmd(viewer, 'who-owns')} to find it.`, e.fields);
    // A line the raiser's own party holds with a claim wants no claim either: another beside it would be refused.
    if (e instanceof NothingToDispute && !e.ownClaim) throw new DomainError(e.code, `${e.message} File a claim${e.forParty ? ` for ${e.forParty}` : ''} with ${cmd(viewer, 'claim')} instead.`, e.fields);
    throw e;
  }
}

/**
 * The refusal of a claim whose party already holds the line, as one of the company's people reads
 * it: the party named (the direct team, or the partner they file for), and whose that claim is.
 * Their own is theirs to log activity on; one filed by someone else (a colleague, the CRM's
 * import), which their `roe mine` does not list, holds the line for the party all the same:
 * nothing to file. A partner's user reads the core's words: every claim of their party is theirs.
 */
function duplicateRefusal(deps: HandlerDeps, viewer: Principal, e: DuplicateClaim): DomainError {
  if (viewer.kind !== 'internal') return e;
  const vp = viewpoint(deps, viewer);
  const { held, account, productLine } = e;
  const party = vp.party(held.claimant);
  const on = `${account.name} (${productLine})`;
  const message = ownUserKeys(deps, vp.version.policy.people, viewer).includes(held.createdBy)
    ? `You already have a live claim #${held.id} on ${on}${held.claimant === DIRECT ? '' : ` for ${party}`}. Log activity on it instead of filing again${onConsole(viewer) ? ` (/activity ${held.id})` : ''}.`
    : `${party} already has a live claim #${held.id} on ${on}, filed by someone else: it holds the line for ${party}, so there is nothing to file (${cmd(viewer, `who-owns ${account.name}`)} shows it).`;
  return new DomainError(e.code, message, { product: message });
}

/**
 * To a party the criteria settled a case against: a dispute over the same facts is settled the
 * same way, so what can change the outcome is a fact, which partner ops correct. A partner's user
 * asks them through whom they know at the company, their partner manager.
 */
export function settledAdvice(viewer: Principal): Block {
  const ask = viewer.kind === 'external' ? 'your partner manager' : 'partner ops';
  return text(`The criteria apply the policy's rules (${cmd(viewer, 'roe policy')}): a dispute over the same facts is settled the same way. If a fact they used is wrong (the account's incumbent partner, named owner or coverage), ask ${ask} to correct it.`, 'muted');
}

/**
 * The routes to market the claim form offers: a colleague may file for the direct team or for a
 * partner (the core refuses route direct for a partner), a partner's own user for the partner.
 */
const routesOffered = (viewer: Principal): readonly Route[] => (viewer.kind === 'internal' ? ROUTES : PARTNER_ROUTES);

/** What the claim form does (`/claim help`): the policy is the company's, so a partner's user reads it as "the policy". */
const claimHelp = (viewer: Principal) =>
  `Register a deal on an account (${cmd(viewer, 'claim acme')} opens this form with the account filled in). With nobody else on it, the claim protects the account for ${viewer.kind === 'internal' ? 'your' : 'the'} policy’s protection period; an overlap goes to the ownership criteria, then to the arbitrator.`;

/** The claim form, with the account prefilled when one was named (as typed, when it names no single account). */
export function claimForm(deps: HandlerDeps, viewer: Principal, accountText = ''): Form {
  refuseUnknown(viewer, 'register deals');
  const policy = viewpoint(deps, viewer).version.policy;
  const fields: Form['fields'] = [
    { id: 'account', label: 'Account', kind: 'account', required: true, ...accountInitial(deps, accountText), placeholder: 'Search accounts' },
  ];
  if (viewer.kind === 'internal') fields.push(partyChoice(deps, 'Claim for'));
  fields.push(
    { id: 'route', label: 'Route to market', kind: 'select', required: true, options: routesOffered(viewer).map((r) => ({ value: r, label: r })) },
    { id: 'product', label: 'Product line', kind: 'select', required: true, options: policy.product_lines.map((p) => ({ value: p, label: p })) },
    { id: 'opportunity', label: 'Opportunity name', kind: 'text', required: true, maxLength: 200, placeholder: 'Acme analytics rollout' },
    { id: 'stage', label: 'Stage', kind: 'select', required: true, options: policy.stages.map((s) => ({ value: s, label: s })), initial: { value: policy.stages[0]!, label: policy.stages[0]! } },
    { id: 'amount', label: 'Amount', kind: 'number', required: false, placeholder: '50000' },
    { id: 'evidence', label: 'Evidence', kind: 'multiline', required: false, maxLength: 3000, hint: 'Meeting notes, a link to the CRM opportunity, the customer contact.' },
  );
  const missing = accountNotFound(deps, accountText);
  const intro = missing ?? (asksForHelp(accountText) ? claimHelp(viewer) : undefined);
  return { id: FORMS.claim, title: 'Register a deal', submitLabel: 'Claim', ...(intro ? { intro } : {}), fields, state: {} };
}

/** The claim form's schema: a route left out or unknown is told the routes the form offers (see {@link routesOffered}). */
const schemaFor = (offered: readonly Route[]) => z.object({
  account: z.string({ error: 'Required' }).trim().min(1, 'Required'),
  claimant: z.string().trim().optional(),
  route: z.enum(ROUTES, { error: `Choose one of: ${offered.join(', ')}` }),
  product: z.string({ error: 'Required' }).trim().min(1, 'Required'),
  opportunity: z.string({ error: 'Required' }).trim().min(1, 'Required').max(200, 'At most 200 characters'),
  stage: z.string({ error: 'Required' }).trim().min(1, 'Required'),
  amount: z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      const read = readAmount(s ?? '');
      if ('amount' in read) return read.amount;
      ctx.addIssue({ code: 'custom', message: read.problem });
      return z.NEVER;
    }),
  evidence: z.string().max(3000, 'At most 3,000 characters').optional().default(''),
});

/** Made once for each list of routes a form offers: a schema made for each claim would be compiled again each time. */
const CLAIM_SCHEMAS = new Map([ROUTES, PARTNER_ROUTES].map((routes) => [routes, schemaFor(routes)]));
const claimSchema = (viewer: Principal) => CLAIM_SCHEMAS.get(routesOffered(viewer))!;

/**
 * The party a colleague claims or disputes for (the `claimant` field of either form, see
 * {@link partyChoice}): a partner's id, or its name as typed where the form could not list them
 * all (Teams, with many partners); empty is direct sales.
 */
export function claimFor(deps: HandlerDeps, given: string): string {
  const text = given.trim();
  if (text === '' || text === DIRECT || deps.ctx.store.partners.get(text)) return text || DIRECT;
  const typed = typedName(text);
  if (typed === typedName(DIRECT_NAME)) return DIRECT;
  const named = deps.ctx.store.partners.all().filter((p) => typedName(p.name) === typed);
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1) throw new DomainError('invalid_input', `Several partners are named "${text}": give the partner's id (${named.map((p) => p.id).join(', ')}).`, { claimant: `Give the id: ${named.map((p) => p.id).join(', ')}` });
  throw new DomainError('invalid_input', `No partner is named "${text}". Type the partner's name as the partner list has it, or "${DIRECT_NAME}".`, { claimant: `No partner named "${text}"` });
}

/** A submitted claim form: file it and tell the claimant the outcome. */
export function submitClaim(deps: HandlerDeps, viewer: Principal, values: Record<string, unknown>, meta: SubmitMeta): Reply {
  refuseUnknown(viewer, 'register deals');
  const vp = viewpoint(deps, viewer);
  const { stages } = vp.version.policy;
  const stageOf = (typed: unknown) => (typeof typed === 'string' ? stages.find((s) => s.toLowerCase() === typed.trim().toLowerCase()) : undefined);
  // Every field's problem is named at once: those the schema sees, and those only the policy and
  // the partner list tell (a stage, a product line, the party claimed for).
  // The party a colleague claims for, as the check below reads it (looked up once: by name, it reads every partner).
  let claimedFor: string | undefined;
  const input = parseForm(claimSchema(viewer), values, (v) => {
    const problems: Record<string, string> = {};
    if (typeof v.stage === 'string' && v.stage.trim() !== '' && !stageOf(v.stage)) problems.stage = `"${v.stage.trim()}" is not a stage: choose one of ${stages.join(', ')}`;
    const product = fieldProblem('product', v.product, (given) => canonicalProductLine(deps.ctx.policies(), vp.version, given));
    if (product) problems.product = product;
    const claimant = viewer.kind === 'internal' ? fieldProblem('claimant', v.claimant, (given) => (claimedFor = claimFor(deps, given))) : null;
    if (claimant) problems.claimant = claimant;
    // Nothing typed is the direct team.
    if (viewer.kind === 'internal' && !claimant && claimedFor === undefined) claimedFor = claimFor(deps, '');
    // A route the party claimed for may not take (a partner's claim by route direct): named with the rest.
    const party = viewer.kind === 'internal' ? (claimant ? null : (claimedFor ?? null)) : ownParty(viewer);
    const route = ROUTES.find((r) => r === v.route);
    const wrongRoute = party && route ? routeProblem(party, route) : null;
    if (wrongRoute) problems.route = wrongRoute;
    return problems;
  });
  const stage = stageOf(input.stage)!;
  return deps.ctx.store.transaction(() => {
    const account = resolveAccount(deps, input.account);
    const result = commandsAsTyped(viewer, () => {
      try {
        return fileClaim(deps.ctx, viewer, {
          accountId: account.id,
          account,
          claimant: viewer.kind === 'internal' ? (claimedFor ?? claimFor(deps, input.claimant ?? '')) : undefined,
          route: input.route,
          productLine: input.product,
          opportunity: { name: input.opportunity, stage, amount: input.amount },
          evidence: input.evidence,
          origin: meta.origin,
          requestKey: meta.requestKey,
        });
      } catch (e) {
        // The party already holds the line: said as this viewer knows that claim.
        throw e instanceof DuplicateClaim ? duplicateRefusal(deps, viewer, e) : e;
      }
    });
    announce(deps, result.events, meta.origin, viewer.userKey);
    const { claim } = result;
    // The same form sent again (a double click, whose last answer is the one Teams shows; a retry)
    // filed nothing more. A protected claim is answered as the first time; any other, or one on
    // another account than typed now, as it stands, with its dispute: what decided it is not
    // known again here (it would read "pending approval", or "dispute #null").
    if (result.repeated && (result.outcome !== 'protected' || claim.accountId !== account.id)) return claimStatus(deps, viewer, claim);
    const until = claim.protectedUntil ? vp.until(claim.protectedUntil) : null;
    // A colleague filing for a partner reads whose claim it is, as /roe mine lists it ("for
    // Northwind Partners"): what was decided went for that partner, not for them.
    const forPartner = viewer.kind === 'internal' && claim.claimant !== DIRECT ? vp.party(claim.claimant) : null;
    if (result.outcome === 'protected') {
      return reply(`Claim #${claim.id} on ${account.name}${forPartner ? ` for ${forPartner}` : ''} is protected${until ? ` ${until}` : ''}`, [
        text(`Claim #${claim.id} on ${account.name} (${claim.productLine})${forPartner ? ` for ${forPartner}` : ''} is protected${until ? ` ${until}` : ''}.`, 'good'),
        ...(result.disputeId ? [text(`The criteria settled dispute #${result.disputeId} in ${forPartner ? `favour of ${forPartner}` : 'your favour'}.`, 'muted')] : []),
        ...(result.ruling ? [text(`The ruling on dispute #${result.ruling} gave ${forPartner ?? 'you'} this account and product line: it still stands, so nothing it decided is weighed again.`, 'muted')] : []),
        // Under terms whose dormancy would come after protection ends, no claim goes dormant.
        ...(claim.protectedUntil && dormancyAt(claim, termsOf(vp.version.policy)) < claim.protectedUntil ? [text(`Log activity at least every ${vp.version.policy.registration.dormant_after_days === 1 ? 'day' : plural(vp.version.policy.registration.dormant_after_days, 'day')} to keep it from going dormant. ${whereToLogActivity(viewer, claim.id, vp.version.policy.registration.dormancy_warning_days)}`, 'muted')] : []),
      ]);
    }
    if (result.outcome === 'rejected') {
      const dispute = result.disputeId ? deps.ctx.store.disputes.get(result.disputeId) : undefined;
      const why = dispute?.trace.find((v) => v.outcome === 'picked');
      return reply(`Claim #${claim.id} on ${account.name}${forPartner ? ` for ${forPartner}` : ''} was not accepted`, [
        text(`Claim #${claim.id} on ${account.name} (${claim.productLine})${forPartner ? ` for ${forPartner}` : ''} was not accepted: the criteria settled dispute #${result.disputeId} for ${dispute?.winner ? vp.party(dispute.winner) : 'another party'}.`, 'attention'),
        ...(why ? [text(`Why: ${explainVerdict(why, explainOptions(vp))}`)] : []),
        // A dispute over the same facts is settled by the same rules: what can change the outcome is a fact.
        settledAdvice(viewer),
      ]);
    }
    const about = `Claim #${claim.id} on ${account.name} (${claim.productLine})${forPartner ? ` for ${forPartner}` : ''}`;
    // The case it waits in, as its last event left it (no read more): who rules on it, and by
    // when, as a dispute raised by hand is answered (an approval says it in its own words).
    const inCase = result.waits === 'approval' ? undefined : [...result.events].reverse().find((e): e is Extract<DomainEvent, { dispute: Dispute }> => 'dispute' in e && e.dispute.id === result.disputeId)?.dispute;
    const rules = inCase?.status === 'open' ? [text(`${vp.person(inCase.arbitrator)} rules on it${inCase.dueAt ? ` by ${vp.deadline(inCase.dueAt)}` : ''}.`, 'muted')] : [];
    const why =
      result.waits === 'approval'
        ? `${about} collides with no other claim, but needs an arbitrator's approval. It is ${awaitingApproval(vp, result.disputeId ? deps.ctx.store.disputes.get(result.disputeId) : undefined)}; you will be told the ruling.`
        : result.waits === 'case'
          ? `${about} joins dispute #${result.disputeId}, which is deciding this account and product line; you will be told the ruling.`
          : result.disputeId
            ? `${about} ${collision(vp, result.conflicts ?? [])}. Dispute #${result.disputeId} is with the arbitrator; you will be told the ruling.`
            : `${about} is pending approval.`;
    // A claim that overlaps waits for the overlap: of why it would need approval, only a flag is said (nobody else tells the partner of it).
    const approval = result.waits === 'approval' ? (result.approval ?? []) : (result.approval ?? []).filter((r) => r === FLAGGED_REASON);
    const still = result.waits === 'approval' ? 'This claim still waits for its approval once the flag lifts.' : 'This claim still goes to the arbitrator once the flag lifts.';
    return reply(`Claim #${claim.id} on ${account.name}${forPartner ? ` for ${forPartner}` : ''} is pending`, [text(why, 'warning'), ...rules, ...approvalLines(deps, vp, claim, approval, still)]);
  });
}

/**
 * Why a claim needs an arbitrator's approval, as its filer reads it, a line a reason; a flag with
 * which claims it counts and until when it holds, since nobody else tells the partner's people.
 */
function approvalLines(deps: HandlerDeps, vp: Viewpoint, claim: Claim, reasons: readonly string[], still: string): Block[] {
  return reasons.flatMap((r) => (r === FLAGGED_REASON ? flagLines(deps, vp, claim.claimant, { lead: 'Why: ', still }) : [text(`Why: ${r}`, 'muted')]));
}

/**
 * Where a claim waiting for approval waits, as its claimant reads it: "awaiting approval by Pat
 * Okafor in case #7, due …" (the arbitrator who has the case, and its due time), as who-owns and
 * `/roe mine` name the case.
 */
function awaitingApproval(vp: Viewpoint, d: Dispute | undefined): string {
  if (!d) return 'awaiting approval by the arbitrator';
  return `awaiting approval by ${vp.person(d.arbitrator)} in case #${d.id}${d.status === 'open' && d.dueAt ? `, due ${vp.deadline(d.dueAt)}` : ''}`;
}

/**
 * What a pending claim collides with, as the claimant reads it: other parties' claims, or what
 * the account's facts give another party (named only to those who may see it).
 */
function collision(vp: Viewpoint, conflicts: readonly ConflictReason[]): string {
  const claims = conflicts.filter((c) => c.code === 'claimed').length;
  if (claims > 0 || conflicts.length === 0) return claims > 1 ? `overlaps ${claims} other claims` : 'overlaps another claim';
  return `goes against ${againstFacts(conflicts, (party) => (canSeeParty(vp.viewer, party) ? vp.party(party) : null))}`;
}

/** A claim filed earlier, as it stands now: what a form that filed it shows when it is shown again. */
export function claimStatus(deps: HandlerDeps, viewer: Principal, claim: Claim): Reply {
  const vp = viewpoint(deps, viewer);
  const name = deps.ctx.store.accounts.get(claim.accountId)?.name ?? claim.accountId;
  const terms = deps.ctx.policies().termsFor(claim);
  const status = effectiveStatus(claim, terms, deps.ctx.clock.now());
  // A dormant claim protects nothing: it says since when, not how long protection would have run.
  const until = claim.protectedUntil && status === 'protected' ? protectedWords(vp, claim.protectedUntil, dormancyAt(claim, terms)) : status === 'dormant' ? `${dormantSince(vp, dormancyAt(claim, terms), deps.ctx.clock.now())}: it protects nothing` : '';
  // The latest case it is in: waiting for its arbitrator, or how it ended (as this viewer may read it).
  const d = deps.ctx.store.disputes.forAccount(claim.accountId).filter((x) => x.claimIds.includes(claim.id)).at(-1);
  const inCase = !d
    ? []
    : d.status === 'open'
      ? [text(approvalShown(viewer, d) ? `It is ${awaitingApproval(vp, d)}; you will be told the ruling.` : `Dispute #${d.id} is with ${vp.person(d.arbitrator)}; you will be told the ruling.`, 'muted')]
      : [text(`${caseTitle(viewer, d)}: ${outcomeText(deps, viewer, d)}`, 'muted')];
  // Whose claim it is, as the form's first answer said it: a colleague who filed it for a partner reads "for Contoso Consulting".
  const forPartner = viewer.kind === 'internal' && claim.claimant !== DIRECT ? ` for ${vp.party(claim.claimant)}` : '';
  return reply(`Claim #${claim.id} on ${name} (${claim.productLine})${forPartner}`, [
    text(`Claim #${claim.id} on ${name} (${claim.productLine})${forPartner}, filed from this form on ${vp.date(claim.registeredAt)}, is ${status}${until}.`, status === 'protected' ? 'good' : 'normal'),
    ...inCase,
  ]);
}
