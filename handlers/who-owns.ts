import type { Principal } from '../src/core/authz.js';
import type { AccountMatch, Ranking } from '../src/core/matching/matcher.js';
import { normalizeName, personalMailDomain } from '../src/core/matching/normalize.js';
import { DomainError } from '../src/core/errors.js';
import type { Decision, Dispute, RuleVerdict } from '../src/core/types.js';
import { pastDue } from '../src/core/sla/sla.service.js';
import { explainVerdict, outcomeLabel, ruleTitle, type ExplainOptions } from '../src/core/ownership/explain.js';
import { viewOwnership, type OwnershipView, type ProductLineOwnership } from '../src/core/ownership/view.js';
import { accountTitle, matchLabels } from './account-labels.js';
import { answerOf, asksForHelp, linkedAccount, lookupText, personalMailProblem, toldApart } from './resolve-account.js';
import type { HandlerDeps, Viewpoint } from './deps.js';
import { cmd, explainOptions, protectedWords, refuseUnknown, viewpoint } from './deps.js';
import { ACTIONS, reply, text, type Block, type Reply } from './replies/model.js';
import { approvalClaims, approvalShown, caseWords, waitingIn } from './dispute-card.js';

const MODEL_LABEL = { 'partner-led': 'Partner-led', 'co-sell': 'Co-sell', 'direct-led': 'Direct-led' } as const;

const MAX_QUERY = 200;

/** Accounts a search offers to pick from at most. */
const OFFERED = 5;

/** The search as typed, trimmed; an empty or overlong one (or no text at all) is refused on the `query` field. */
function readQuery(viewer: Principal, query: unknown): string {
  const q = typeof query === 'string' ? query.trim() : '';
  const problem = q.length === 0 ? `Type an account name, alias or web domain, e.g. ${cmd(viewer, 'who-owns acme')}` : q.length > MAX_QUERY ? `Keep the search under ${MAX_QUERY} characters` : null;
  if (problem) throw new DomainError('invalid_input', `${problem}.`, { query: problem });
  return q;
}

/** How to use who-owns. */
function usage(viewer: Principal): Reply {
  const c = (command: string) => cmd(viewer, command);
  return reply(`How to use ${c('who-owns')}`, [
    text(`Type an account name, alias or web domain: ${c('who-owns acme')}, ${c('who-owns Acme Corporation')}, ${c('who-owns acme.com')}. Part of a name, a typo, a missing accent or a letter written out (Mueller for Müller) still finds it.`),
    text(`The answer says who owns the account and why, by product line, with its live claims. Only you see it. ${c('roe help')} lists every command.`, 'muted'),
  ]);
}

/** Deal sizes as the answer shows them (one formatter: making one costs more than many uses). */
const AMOUNT = new Intl.NumberFormat('en-US');

/** The matched accounts as buttons to pick from, named so that two of one name differ. */
function pickButtons(deps: HandlerDeps, matches: readonly AccountMatch[]): Block {
  const labels = matchLabels(deps, matches);
  return { type: 'actions', actions: matches.map((m, i) => ({ action: ACTIONS.pickAccount, label: labels[i]!, value: m.accountId })) };
}

/** `/who-owns <text>`: the account's answer, a choice between close matches, or suggestions. */
export function whoOwns(deps: HandlerDeps, viewer: Principal, query: string): Reply {
  refuseUnknown(viewer, 'look up accounts');
  const typed = readQuery(viewer, query);
  // A contact's address at gmail.com says nothing of their company: Google is no answer.
  const personal = personalMailDomain(typed);
  if (personal) return personalAddress(viewer, typed, personal);
  // A link to a company's LinkedIn or Crunchbase page is looked up by the company it names.
  const q = lookupText(typed);
  // One snapshot for the whole answer (the account, its claims and cases read together), under
  // one read lock: it only reads. A link to an account's record in the CRM is that account, not
  // the CRM's own domain (Salesforce, should it be an account); a text that is no such link costs
  // a pattern test.
  return deps.ctx.store.reading(() => {
    const linked = linkedAccount(deps, typed);
    return linked ? showAccount(deps, viewer, linked.id) : answer(deps, viewer, q);
  });
}

/** The answer to an e-mail address at a personal mail provider: no account, and what to type instead. */
function personalAddress(viewer: Principal, typed: string, domain: string): Reply {
  const c = (command: string) => cmd(viewer, command);
  return reply('A personal mail address does not tell the company', [
    text(`${personalMailProblem(typed, domain)} Type the company's name or its web domain instead: ${c('who-owns acme')} or ${c('who-owns acme.com')}.`),
    text(`To look up ${domain} itself, type ${c(`who-owns ${domain}`)}.`, 'muted'),
  ]);
}

/**
 * Why a text that matched nothing could not: it holds no name at all (`""`), or only a company
 * form the search leaves out (`corp`, `GmbH`): said before what to type instead. Null otherwise.
 */
function nothingToSearch(q: string): string | null {
  if (!/[\p{L}\p{N}]/u.test(q)) return 'There is no name in that to look for: type';
  if (normalizeName(q) === '') return `"${q}" is only a company form (Inc., Corp., GmbH…), which the search leaves out: type`;
  return null;
}

function answer(deps: HandlerDeps, viewer: Principal, q: string): Reply {
  // Only the results shown are read: one account's answer needs that account alone.
  const ranking = deps.matcher.rank(q, OFFERED);
  let anyExact = false;
  for (let i = 0; i < ranking.length; i++) if (ranking.exact(i)) anyExact = true;
  // "/who-owns help" is a question about the command, unless an account is called that.
  if (!anyExact && asksForHelp(q)) return usage(viewer);
  // An account's id (the CRM's, as copied from its record), as /claim with it fills the account
  // in: looked up only when no name, alias or domain is exactly what was typed.
  const byId = anyExact ? undefined : deps.ctx.store.accounts.get(q);
  if (byId) return showAccount(deps, viewer, byId.id);
  // A name several accounts share, typed as the list of them shows it ("Zephyr Labs (NA)"), is that one.
  if (ranking.length > 1 && q.endsWith(')')) {
    const shown = toldApart(deps, q, Array.from({ length: ranking.length }, (_, i) => ranking.match(i)));
    if (shown) return showAccount(deps, viewer, shown.id, ranking);
  }
  // One result stands for the account (see answerOf: "acme co" beside Acme Consulting does not).
  const answer = answerOf(deps, q, ranking);
  if (answer >= 0) return showAccount(deps, viewer, ranking.match(answer).accountId, ranking);
  if (ranking.length > 0) {
    const matches = Array.from({ length: ranking.length }, (_, i) => ranking.match(i));
    // One account matching some of the words ("acme usa": USAA, whose alias starts "usa"): what
    // the looser search finds is offered too (Acme), as when nothing matched.
    const partial = matches.length === 1;
    if (partial) matches.push(...deps.matcher.suggest(q, 3).filter((s) => s.accountId !== matches[0]!.accountId));
    // As many as are offered: more may match, and the one sought may be among those not shown.
    const capped = matches.length >= OFFERED;
    const heading = partial ? `No account matches "${q}" in full` : capped ? `The ${OFFERED} accounts closest to "${q}"` : `${matches.length} accounts match "${q}"`;
    const ask = partial ? `${heading}. Did you mean:` : capped ? `${heading} (more may match: type more of the name, or the web domain). Which one?` : `${heading}. Which one?`;
    return reply(heading, [
      text(ask),
      pickButtons(deps, matches),
    ]);
  }
  const suggestions = deps.matcher.suggest(q, 3);
  const blocks: Block[] = [text(`No account matches "${q}".`)];
  const nothing = nothingToSearch(q);
  if (suggestions.length > 0) {
    blocks.push(text('Did you mean:', 'muted'));
    blocks.push(pickButtons(deps, suggestions));
  } else {
    blocks.push(text(`${nothing ?? 'Try'} part of the name, an alias, or the web domain (acme.com).`, 'muted'));
  }
  if (!nothing) blocks.push(text(notListed(viewer), 'muted'));
  return reply(`No account matches "${q}"`, blocks);
}

/** What to do about a company that is not an account yet: a claim needs one, and accounts come from the CRM's import. */
function notListed(viewer: Principal): string {
  const who = viewer.kind === 'internal' ? 'Accounts come from the CRM: ask whoever imports them to add it' : 'Ask your partner manager to have it added';
  return `Not in the account list? ${who}, then claim it with ${cmd(viewer, 'claim')}.`;
}

/** One "Owner" fact of the answer, with its why and (for the company's people) its criteria trace. */
interface OwnerEntry {
  label: string;
  /** The product line(s) it covers, for headings; null for the whole account. */
  scope: string | null;
  value: string;
  /** Its part of the one-line summary. */
  brief: string;
  pending: boolean;
  /** Who holds it and by which rule, to fold a line into the account-wide owner it agrees with. */
  key: string | null;
  why: string | null;
  trace: RuleVerdict[];
  /** Whether the trace's pick decided (a case the criteria settled), or only recommended (a case with an arbitrator); absent: as the rule is `auto`. */
  decided?: boolean;
}

const asRule = (rule: string | null): RuleVerdict['rule'] | null => rule as RuleVerdict['rule'] | null;

/** "dispute #3", or "case #7" for a claim waiting for approval (as this viewer may know it). */
const caseName = (viewer: Principal, d: Dispute) => `${approvalShown(viewer, d) ? 'case' : 'dispute'} #${d.id}`;

/**
 * The owners to show: each product line with live claims or an open case on its own (its
 * grandfathered criteria, the closed case that decided it, or "pending" while a case is open),
 * then the account-wide rules under today's policy for the other product lines. A line that
 * agrees with the account-wide owner under today's policy is folded into it.
 */
function ownerEntries(view: OwnershipView, vp: Viewpoint, explainOpts: ExplainOptions): OwnerEntry[] {
  const grandfathered = (version: string) => (version === view.policyVersion ? '' : ` Grandfathered: judged under policy ${version}, in force when the claim was registered.`);
  const picked = (trace: readonly RuleVerdict[]) => {
    const v = trace.find((t) => t.outcome === 'picked');
    return v ? explainVerdict(v, explainOpts) : null;
  };
  const entry = (scope: string | null, value: string, rest: Omit<OwnerEntry, 'label' | 'scope' | 'value' | 'brief' | 'pending'> & { pending?: boolean; brief?: string }): OwnerEntry => ({
    ...(rest.decided !== undefined ? { decided: rest.decided } : {}),
    label: scope ? `Owner (${scope})` : 'Owner',
    scope,
    value,
    brief: rest.brief ?? (scope ? `${scope}: ${value}` : value),
    pending: rest.pending ?? false,
    key: rest.key,
    why: rest.why,
    trace: rest.trace,
  });
  const byCriteria = (scope: string | null, d: Decision, version: string): OwnerEntry => {
    if (!d.winner) return entry(scope, 'Undecided: the criteria pick no single owner', { key: null, why: null, trace: d.trace });
    const value = `${vp.party(d.winner)} (${ruleTitle(d.rule!)}${d.auto ? '' : ', recommendation: an arbitrator decides'})`;
    const why = `${picked(d.trace) ?? ''}${grandfathered(version)}`.trim();
    return entry(scope, value, { key: version === view.policyVersion ? `${d.winner}/${d.rule}` : null, why: why || null, trace: d.trace });
  };
  // A closed case that gave the line to its holder is credited, whatever the criteria over what
  // is left say: ruled by the arbitrator, or settled by the rule that picked then.
  const byCase = (scope: string, by: Dispute, ruledUntil?: Date): OwnerEntry => {
    const party = vp.party(by.winner!);
    if (by.status === 'ruled') {
      const arbitrator = by.ruledBy ? vp.person(by.ruledBy) : 'the arbitrator';
      const rec = asRule(by.recommendationRule);
      const asRecommended = by.winner === by.recommendation && rec ? `, as the criteria recommended (${ruleTitle(rec)})` : '';
      // No claim holds the line now, and the ruling still stands: say until when, and what it means.
      const stands = ruledUntil ? ` No claim holds it now; the ruling stands for a new claim by ${party} until ${vp.date(ruledUntil)}.` : '';
      const why = `${arbitrator} ruled dispute #${by.id} for ${party}${by.ruledAt ? ` on ${vp.date(by.ruledAt)}` : ''}${asRecommended}.${stands}`;
      return entry(scope, `${party} (ruled by ${arbitrator} in dispute #${by.id})`, { key: null, why, trace: by.trace, decided: false });
    }
    const rule = asRule(by.recommendationRule);
    const why = `${picked(by.trace) ?? ''}${grandfathered(by.policyVersion)}`.trim();
    const key = rule && by.policyVersion === view.policyVersion ? `${by.winner}/${rule}` : null;
    return entry(scope, `${party} (${rule ? `${ruleTitle(rule)}, ` : ''}settled in dispute #${by.id})`, { key, why: why || null, trace: by.trace });
  };
  // An open case: the line is being decided; the recommendation is only that (masked as any party).
  const pending = (line: ProductLineOwnership, open: Dispute): OwnerEntry => {
    // A claim waiting for approval: said so, as its card and the queue do (no recommendation over other parties).
    if (approvalShown(vp.viewer, open)) {
      return entry(line.productLine, `pending: ${approvalClaims(open)} of ${vp.party(open.parties[0]!)} awaiting approval in case #${open.id}, with ${vp.person(open.arbitrator)}`, {
        brief: `${line.productLine} pending (awaiting approval in case #${open.id})`,
        pending: true,
        key: null,
        why: null,
        trace: open.trace,
        decided: false,
      });
    }
    const rec = open.recommendation;
    const rule = asRule(open.recommendationRule) ?? (rec && line.decision.winner === rec ? line.decision.rule : null);
    const recText = rec ? ` (recommendation: ${vp.party(rec)}${rule ? `, ${ruleTitle(rule)}` : ''})` : '';
    return entry(line.productLine, `pending: dispute #${open.id} is with ${vp.person(open.arbitrator)}${recText}`, {
      brief: `${line.productLine} pending (dispute #${open.id})`,
      pending: true,
      key: null,
      why: null,
      trace: open.trace,
      decided: false,
    });
  };

  // One party's protected registration, with no other party on the line and nothing the criteria
  // would give it to instead: it holds the line, whether the criteria name it on their own or
  // not (a policy whose first-registration only recommends, or has no such rule).
  const held = (line: ProductLineOwnership): OwnerEntry | null => {
    const parties = new Set(line.claims.map((c) => c.claim.claimant));
    const holding = line.claims.find((c) => c.claim.status === 'protected');
    const d = line.decision;
    if (parties.size !== 1 || !holding || (d.winner !== null && (d.winner !== holding.claim.claimant || d.auto))) return null;
    const party = vp.party(holding.claim.claimant);
    return entry(line.productLine, `${party} (protected registration)`, {
      key: null,
      why: `The registration of ${party} is protected ${vp.until(holding.protectedUntil)}, and no other party has a live claim on this product line.${grandfathered(line.policyVersion)}`,
      trace: d.trace,
    });
  };
  const lines = view.lines.map((l) => (l.openCase ? pending(l, l.openCase) : l.decidedBy ? byCase(l.productLine, l.decidedBy, l.ruledUntil) : (held(l) ?? byCriteria(l.productLine, l.decision, l.policyVersion))));
  const wide = view.accountDecision.winner ? byCriteria(null, view.accountDecision, view.policyVersion) : null;
  // Nobody holds the account as a whole: the lines nobody claimed are open, and said so beside
  // the ones that are held (a partner reading only "Owner (Analytics)" could take it all as taken).
  if (!wide) return lines.length > 0 && view.otherProductLines.length > 0 ? [...lines, entry('other product lines', 'Nobody: open to registration', { key: null, why: null, trace: [], brief: 'other product lines: open' })] : lines;
  const own = lines.filter((l) => l.key !== wide.key);
  if (own.length === 0) return [wide];
  if (own.length === lines.length && view.otherProductLines.length === 0) return own;
  const other = 'other product lines';
  return [...own, { ...wide, label: `Owner (${other})`, scope: other, brief: `${other}: ${wide.value}` }];
}

/**
 * The "Arbitrator" fact: the coverage rule's arbitrator and, when an open case of the account
 * has moved up its escalation chain (or otherwise sits with someone else), who has it now, as
 * the owner line says: "Pat Okafor (dispute #1 is now with Morgan Lee)".
 */
function arbitratorWords(viewer: Principal, vp: Viewpoint, view: OwnershipView): string {
  const elsewhere = view.openDisputes.filter((d) => d.arbitrator !== view.arbitrator);
  const named = vp.person(view.arbitrator);
  if (elsewhere.length === 0) return named;
  return `${named} (${elsewhere.map((d, i) => `${caseName(viewer, d)} ${i === 0 ? 'is now ' : ''}with ${vp.person(d.arbitrator)}`).join(', ')})`;
}

/** The ownership answer for one account, as this viewer may see it. */
export function showAccount(deps: HandlerDeps, viewer: Principal, accountId: string, found?: Ranking): Reply {
  refuseUnknown(viewer, 'look up accounts');
  const view = viewOwnership(deps.ctx, accountId);
  const vp = viewpoint(deps, viewer);
  const explainOpts = explainOptions(vp);
  const { account } = view;
  const entries = ownerEntries(view, vp, explainOpts);
  const facts = [
    { label: 'Engagement model', value: `${MODEL_LABEL[view.model]} (coverage "${view.coverageName}")` },
    ...(entries.length ? entries.map(({ label, value }) => ({ label, value })) : [{ label: 'Owner', value: 'Nobody: open to registration' }]),
    { label: 'Arbitrator', value: arbitratorWords(viewer, vp, view) },
  ];
  const blocks: Block[] = [{ type: 'facts', facts }];
  for (const o of entries) {
    if (o.why) blocks.push(text(`Why${entries.length > 1 && o.scope ? ` (${o.scope})` : ''}: ${o.why}`, 'muted'));
  }
  const claims = view.lines.flatMap((l) => l.claims);
  blocks.push({
    type: 'list',
    title: 'Live claims',
    items:
      claims.length === 0
        ? [{ text: 'None' }]
        : claims.map(({ claim, protectedUntil, dormantAt }) => {
            const mine = vp.seesDeal(claim.claimant);
            // A pending claim names the case it waits in, as this viewer may know it (as the open cases below list it).
            const open = claim.status === 'pending' ? view.openDisputes.find((d) => d.claimIds.includes(claim.id)) : undefined;
            const waits = open ? waitingIn(viewer, open) : 'in a dispute or awaiting approval';
            // Whoever sees the deal reads when it goes dormant, should that come first (as /roe mine says it):
            // the protection's end alone would read as safe until then.
            const status = claim.status === 'protected' ? `protected${mine ? protectedWords(vp, protectedUntil, dormantAt) : ` ${vp.until(protectedUntil)}`}` : `pending (${waits})`;
            if (!mine && vp.party(claim.claimant) === 'another party') {
              return { text: claim.status === 'protected' ? `${claim.productLine}: protected by another party ${vp.until(protectedUntil)}` : `${claim.productLine}: another party's claim is pending${open ? ` (${caseWords(viewer, open)})` : ''}` };
            }
            const amount = mine && claim.opportunity.amount !== null ? `, ${AMOUNT.format(claim.opportunity.amount)}` : '';
            return { text: `#${claim.id} ${vp.party(claim.claimant)}: ${claim.productLine}, ${status}`, detail: `${claim.route}, stage ${claim.opportunity.stage}${amount}` };
          }),
  });
  if (view.openDisputes.length > 0) {
    // A case past its due time (the last of its chain keeps it) says so, as its card and the queue do.
    const now = deps.ctx.clock.now();
    // A claim waiting for approval is listed as one (to those who may know it), not as a dispute.
    const approvals = view.openDisputes.filter((d) => approvalShown(viewer, d));
    blocks.push({
      type: 'list',
      title: approvals.length === 0 ? 'Open disputes' : approvals.length === view.openDisputes.length ? 'Waiting for approval' : 'Open disputes and approvals',
      items: view.openDisputes.map((d) => ({
        text: `#${d.id} ${d.productLine}: ${approvalShown(viewer, d) ? `approval of ${approvalClaims(d)}, ` : ''}with ${vp.person(d.arbitrator)}${d.dueAt ? `, due ${vp.deadline(d.dueAt)}${pastDue(d, now) ? ' (overdue)' : ''}` : ''}`,
      })),
    });
  }
  if (viewer.kind === 'internal') {
    for (const o of entries.length ? entries : [{ scope: null, trace: view.accountDecision.trace }]) {
      if (o.trace.length === 0) continue;
      blocks.push({
        type: 'list',
        title: entries.length > 1 && o.scope ? `Criteria (${o.scope})` : 'Criteria',
        items: o.trace.map((v) => ({ text: `${ruleTitle(v.rule)}: ${outcomeLabel(v, ('decided' in o ? o.decided : undefined) ?? v.auto)}`, detail: explainVerdict(v, explainOpts) })),
      });
    }
  }
  blocks.push({
    type: 'actions',
    actions: [
      { action: ACTIONS.openClaim, label: 'Claim', value: account.id },
      { action: ACTIONS.openDispute, label: 'Dispute', value: account.id },
    ],
  });
  const summary =
    entries.length === 0 ? 'Nobody: open to registration' : entries.length === 1 && !entries[0]!.pending && entries[0]!.scope === null ? entries[0]!.value : entries.map((o) => o.brief).join('; ');
  // Headed so that two accounts of one name are told apart, as the list to pick from names them.
  const title = accountTitle(deps, account, found);
  return reply(`${title}: ${summary}`, blocks, { title });
}
