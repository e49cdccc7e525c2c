import { flagStanding } from '../src/core/claims/consequences.js';
import type { PartyId } from '../src/core/types.js';
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
export function flagLines(deps: HandlerDeps, vp: Viewpoint, partnerId: PartyId, opts: { lead?: string; still?: string } = {}): Block[] {
  const flag = flagStanding(deps.ctx, partnerId, deps.ctx.clock.now());
  if (!flag) return [];
  const own = vp.viewer.kind === 'external';
  const whose = own ? 'Your organisation' : vp.party(partnerId);
  const { window_days, flagged } = vp.version.policy.consequences;
  const does = flagged === 'require-approval' ? 'so its new claims wait for an arbitrator’s approval while the flag holds' : 'which the company’s partner managers are told of; its claims are decided as any other';
  const lines = [text(`${opts.lead ?? ''}${whose} is flagged for repeated violations, ${does}.`, 'muted')];
  if (flag.violations.length > 0) {
    const names = flag.violations.map((c) => `#${c.id} ${deps.ctx.store.accounts.get(c.accountId)?.name ?? c.accountId} (${c.productLine})`);
    const one = flag.violations.length === 1;
    const these = one ? 'this violation' : `these ${plural(flag.violations.length, 'violation')}`;
    lines.push(text(`The flag counts ${these} within the ${lastDays(window_days)}, ${one ? 'a' : 'each a'} claim filed against another party’s protection and lost in an arbitrator’s ruling: ${names.join(', ')}.`, 'muted'));
  }
  const lifts = flag.liftsAt ? `The flag lifts by itself on ${vp.date(flag.liftsAt)}, unless more violations follow.` : '';
  const still = opts.still ?? (flagged === 'require-approval' ? 'A claim filed while it holds still waits for its approval once it lifts.' : '');
  if (lifts || still) lines.push(text([lifts, still].filter(Boolean).join(' '), 'muted'));
  return lines;
}
