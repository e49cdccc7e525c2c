import type { Principal } from '../src/core/authz.js';
import type { AccountMatch } from '../src/core/matching/matcher.js';
import { DomainError } from '../src/core/errors.js';
import type { Decision, Dispute, RuleVerdict } from '../src/core/types.js';
import { explainVerdict, outcomeLabel, ruleTitle } from '../src/core/ownership/explain.js';
import { viewOwnership } from '../src/core/ownership/view.js';
import type { HandlerDeps } from './deps.js';
import { refuseUnknown, viewpoint } from './deps.js';
import { ACTIONS, reply, text, type Block, type Reply } from './replies/model.js';

const MODEL_LABEL = { 'partner-led': 'Partner-led', 'co-sell': 'Co-sell', 'direct-led': 'Direct-led' } as const;

const MAX_QUERY = 200;

/** The search as typed, trimmed; an empty or overlong one (or no text at all) is refused on the `query` field. */
function readQuery(query: unknown): string {
  const q = typeof query === 'string' ? query.trim() : '';
  const problem = q.length === 0 ? 'Type an account name, alias or web domain, e.g. /who-owns acme' : q.length > MAX_QUERY ? `Keep the search under ${MAX_QUERY} characters` : null;
  if (problem) throw new DomainError('invalid_input', `Please fix: query: ${problem}`, { query: problem });
  return q;
}

/** Deal sizes as the answer shows them (one formatter: making one costs more than many uses). */
const AMOUNT = new Intl.NumberFormat('en-US');

/** A matched account's name: the match's own text when it matched on the name, else the account's. */
function accountName(deps: HandlerDeps, m: AccountMatch): string {
  if (m.matchedOn === 'name') return m.matchedText;
  return deps.ctx.store.accounts.get(m.accountId)?.name ?? m.matchedText;
}

/** `/who-owns <text>`: the account's answer, a choice between close matches, or suggestions. */
export function whoOwns(deps: HandlerDeps, viewer: Principal, query: string): Reply {
  refuseUnknown(viewer, 'look up accounts');
  const q = readQuery(query);
  // Only the results shown are read: one account's answer needs that account alone.
  const ranking = deps.matcher.rank(q, 5);
  let exactCount = 0;
  let firstExact = -1;
  for (let i = 0; i < ranking.length; i++) {
    if (!ranking.exact(i)) continue;
    exactCount++;
    if (firstExact < 0) firstExact = i;
  }
  if (exactCount === 1 || ranking.length === 1) return showAccount(deps, viewer, ranking.match(exactCount === 1 ? firstExact : 0).accountId);
  if (ranking.length > 1) {
    const matches = Array.from({ length: ranking.length }, (_, i) => ranking.match(i));
    return reply(`${matches.length} accounts match "${q}"`, [
      text(`${matches.length} accounts match "${q}". Which one?`),
      {
        type: 'actions',
        actions: matches.map((m) => ({ action: ACTIONS.pickAccount, label: accountName(deps, m), value: m.accountId })),
      },
    ]);
  }
  const suggestions = deps.matcher.suggest(q, 3);
  const blocks: Block[] = [text(`No account matches "${q}".`)];
  if (suggestions.length > 0) {
    blocks.push(text('Did you mean:', 'muted'));
    blocks.push({ type: 'actions', actions: suggestions.map((m) => ({ action: ACTIONS.pickAccount, label: accountName(deps, m), value: m.accountId })) });
  } else {
    blocks.push(text('Try part of the name, an alias, or the web domain (acme.com).', 'muted'));
  }
  return reply(`No account matches "${q}"`, blocks);
}

/** The ownership answer for one account, as this viewer may see it. */
export function showAccount(deps: HandlerDeps, viewer: Principal, accountId: string): Reply {
  refuseUnknown(viewer, 'look up accounts');
  const view = viewOwnership(deps.ctx, accountId);
  const vp = viewpoint(deps, viewer);
  const explainOpts = { nameOf: vp.party, formatDate: vp.date };
  const { account } = view;
  // A line a case gave to its holder is credited to that case: ruled by the arbitrator, or
  // settled by the rule that picked then (the criteria over what is left would name another).
  const owner = (label: string, d: Decision, by: Dispute | null = null) => {
    const party = vp.party(d.winner!);
    if (by?.status === 'ruled') {
      const arbitrator = by.ruledBy ? vp.person(by.ruledBy) : 'the arbitrator';
      const asRecommended = by.winner === by.recommendation && by.recommendationRule ? `, as the criteria recommended (${ruleTitle(by.recommendationRule as RuleVerdict['rule'])})` : '';
      return { label, value: `${party} (ruled by ${arbitrator} in dispute #${by.id})`, why: `${arbitrator} ruled dispute #${by.id} for ${party}${by.ruledAt ? ` on ${vp.date(by.ruledAt)}` : ''}${asRecommended}.`, trace: by.trace };
    }
    const trace = by ? by.trace : d.trace;
    const rule = by?.recommendationRule ? (by.recommendationRule as RuleVerdict['rule']) : d.rule!;
    const picked = trace.find((v) => v.outcome === 'picked');
    return {
      label,
      value: by ? `${party} (${ruleTitle(rule)}, settled in dispute #${by.id})` : `${party} (${ruleTitle(rule)}${d.auto ? '' : ', recommendation: an arbitrator decides'})`,
      why: picked ? explainVerdict(picked, explainOpts) : null,
      trace,
    };
  };
  // The account-wide rules (named owner, direct-reserved, incumbent) decide for every product line.
  const accountWide = view.accountDecision.winner ? view.accountDecision : null;
  const owners = accountWide ? [owner('Owner', accountWide)] : view.lines.filter((l) => l.decision.winner).map((l) => owner(`Owner (${l.productLine})`, l.decision, l.decidedBy));
  const facts = [
    { label: 'Engagement model', value: `${MODEL_LABEL[view.model]} (coverage "${view.coverageName}")` },
    ...(owners.length ? owners.map(({ label, value }) => ({ label, value })) : [{ label: 'Owner', value: 'Nobody: open to registration' }]),
    { label: 'Arbitrator', value: vp.person(view.arbitrator) },
  ];
  const blocks: Block[] = [{ type: 'facts', facts }];
  for (const o of owners) {
    if (o.why) blocks.push(text(`Why${owners.length > 1 ? ` (${o.label.replace(/^Owner \((.*)\)$/, '$1')})` : ''}: ${o.why}`, 'muted'));
  }
  const claims = view.lines.flatMap((l) => l.claims);
  blocks.push({
    type: 'list',
    title: 'Live claims',
    items:
      claims.length === 0
        ? [{ text: 'None' }]
        : claims.map(({ claim, protectedUntil }) => {
            const mine = vp.seesDeal(claim.claimant);
            const status = claim.status === 'protected' ? `protected until ${vp.date(protectedUntil)}` : 'pending (in a dispute or awaiting approval)';
            if (!mine && vp.party(claim.claimant) === 'another party') {
              return { text: claim.status === 'protected' ? `${claim.productLine}: protected by another party until ${vp.date(protectedUntil)}` : `${claim.productLine}: another party's claim is pending` };
            }
            const amount = mine && claim.opportunity.amount !== null ? `, ${AMOUNT.format(claim.opportunity.amount)}` : '';
            return { text: `#${claim.id} ${vp.party(claim.claimant)}: ${claim.productLine}, ${status}`, detail: `${claim.route}, stage ${claim.opportunity.stage}${amount}` };
          }),
  });
  if (view.openDisputes.length > 0) {
    blocks.push({
      type: 'list',
      title: 'Open disputes',
      items: view.openDisputes.map((d) => ({ text: `#${d.id} ${d.productLine}: with ${vp.person(d.arbitrator)}${d.dueAt ? `, due ${vp.dateTime(d.dueAt)}` : ''}` })),
    });
  }
  if (viewer.kind === 'internal') {
    for (const o of owners.length ? owners : [{ label: 'Owner', trace: view.accountDecision.trace }]) {
      if (o.trace.length === 0) continue;
      blocks.push({
        type: 'list',
        title: owners.length > 1 ? `Criteria (${o.label.replace(/^Owner \((.*)\)$/, '$1')})` : 'Criteria',
        items: o.trace.map((v) => ({ text: `${ruleTitle(v.rule)}: ${outcomeLabel(v)}`, detail: explainVerdict(v, explainOpts) })),
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
  const summary = owners.length ? owners.map((o) => o.value).join('; ') : 'Nobody: open to registration';
  return reply(`${account.name}: ${summary}`, blocks, { title: account.name });
}
