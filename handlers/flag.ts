import { flagStanding } from '../src/core/claims/consequences.js';
import type { Claim, PartyId } from '../src/core/types.js';
import { lastDays, plural } from '../src/core/words.js';
import type { HandlerDeps, Viewpoint } from './deps.js';
import { text, type Block } from './replies/model.js';

/**
 * A flagged partner's flag as its own people (and the company's) read it: what it does, which of
 * its claims it counts (its own, nobody else's), and when it lifts by itself; none when the
 * partner is not flagged. `lead` is the first line's start when the caller says why it is shown
 * ("Why: "), `still` what becomes of the claim just filed once the flag lifts. The escalation
 * channel, which announces the flag, is the company's own: this is where the partner learns of it.
 */
export function flagLines(deps: HandlerDeps, vp: Viewpoint, partnerId: PartyId, opts: { lead?: string; still?: string; lostTo?: boolean } = {}): Block[] {
  const flag = flagStanding(deps.ctx, partnerId, deps.ctx.clock.now());
  if (!flag) return [];
  const own = vp.viewer.kind === 'external';
  const whose = own ? 'Your organisation' : vp.party(partnerId);
  const { window_days, flagged } = vp.version.policy.consequences;
  const does = flagged === 'require-approval' ? 'so its new claims wait for an arbitrator’s approval while the flag holds' : 'which the company’s partner managers are told of; its claims are decided as any other';
  const lines = [text(`${opts.lead ?? ''}${whose} is flagged for repeated violations, ${does}.`, 'muted')];
  // To the company's people who ask for it (a case's arbitrator): each violation with who won it, as a list.
  if (flag.violations.length > 0 && opts.lostTo && !own && vp.viewer.kind === 'internal') lines.push(violationsList(deps, vp, flag.violations, window_days));
  else if (flag.violations.length > 0) {
    // The newest named, as on the arbitrator's list: a long record stays within a message.
    const earlier = Math.max(0, flag.violations.length - VIOLATIONS_LISTED);
    const names = flag.violations.slice(earlier).map((c) => violationName(deps, c));
    if (earlier > 0) names.push(`and ${plural(earlier, 'earlier one')}`);
    const one = flag.violations.length === 1;
    const these = one ? 'this violation' : `these ${plural(flag.violations.length, 'violation')}`;
    lines.push(text(`The flag counts ${these} within the ${lastDays(window_days)}, ${one ? 'a' : 'each a'} claim filed against another party’s protection and lost in an arbitrator’s ruling: ${names.join(', ')}.`, 'muted'));
  }
  const lifts = flag.liftsAt ? `The flag lifts by itself on ${vp.date(flag.liftsAt)}, unless more violations follow.` : '';
  const still = opts.still ?? (flagged === 'require-approval' ? 'A claim filed while it holds still waits for its approval once it lifts.' : '');
  if (lifts || still) lines.push(text([lifts, still].filter(Boolean).join(' '), 'muted'));
  return lines;
}

/** A violation as the flag's lines name it: `#12 Acme Corporation (Analytics)`. */
function violationName(deps: HandlerDeps, c: Claim): string {
  return `#${c.id} ${deps.ctx.store.accounts.get(c.accountId)?.name ?? c.accountId} (${c.productLine})`;
}

/** The most violations {@link violationsList} names one by one (the newest): a card stays within Slack's and Teams' limits. */
const VIOLATIONS_LISTED = 10;

/**
 * A flagged partner's violations for the company's people only: each claim, its account, and the
 * party its ruling gave the account to (by the ruling's own ledger entry), the newest
 * {@link VIOLATIONS_LISTED} of them. Never for a partner's user: it names other parties.
 */
function violationsList(deps: HandlerDeps, vp: Viewpoint, violations: readonly Claim[], windowDays: number): Block {
  const shown = violations.slice(-VIOLATIONS_LISTED);
  // The ruling that rejected each: its last claim.rejected entry (only these claims' rejections are read, from their index).
  const rulings = new Map<string, { at: Date; dispute: unknown; winner: unknown }>();
  for (const e of deps.ctx.store.ledger.about(shown.map((c) => `claim:${c.id}`), ['claim.rejected'])) {
    const p = (e.payload ?? {}) as { dispute?: unknown; winner?: unknown };
    if (e.kind === 'claim.rejected') rulings.set(e.subject, { at: new Date(e.at), dispute: p.dispute, winner: p.winner });
  }
  const items = shown.map((c) => {
    const r = rulings.get(`claim:${c.id}`);
    const to = r && typeof r.winner === 'string' ? `, lost to ${vp.party(r.winner)}` : ', lost';
    const where = r ? `${typeof r.dispute === 'number' && r.dispute > 0 ? `Dispute #${r.dispute}, ruled` : 'Ruled'} ${vp.date(r.at)}; ` : '';
    return { text: `${violationName(deps, c)}${to}`, detail: `${where}registered ${vp.date(c.registeredAt)}` };
  });
  const earlier = violations.length - shown.length;
  if (earlier > 0) items.unshift({ text: `${plural(earlier, 'earlier violation')}, not listed here`, detail: `${plural(violations.length, 'violation')} in all` });
  return { type: 'list', title: `Violations the flag counts (claims lost in a ruling within the ${lastDays(windowDays)})`, items };
}
