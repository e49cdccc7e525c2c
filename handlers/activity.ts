import type { Principal } from '../src/core/authz.js';
import { ClaimDormant, logActivity } from '../src/core/claims/claims.service.js';
import { dormancyAt, protectionEnd } from '../src/core/claims/lifecycle.js';
import { DomainError } from '../src/core/errors.js';
import type { HandlerDeps } from './deps.js';
import { cmd, protectedWords, teamsKeyByEntraId, viewpoint } from './deps.js';
import { reply, text, type Reply } from './replies/model.js';
import { leadingId } from './validate.js';

/** The "Log activity" button: renews a claim's protection against dormancy. */
export function logClaimActivity(deps: HandlerDeps, viewer: Principal, value: unknown): Reply {
  // A button's value may say where it was clicked after the claim's number (`12:mine:1`).
  const id = leadingId(value);
  if (id === null) throw new DomainError('invalid_input', `Name the claim by its number (your claims and their numbers are in ${cmd(viewer, 'roe mine')}).`);
  const vp = viewpoint(deps, viewer);
  // A company person's claims from another platform are theirs too (the core knows the ids the
  // policy gives): under a Teams user id the policy names only by its Entra object id, which only
  // the handlers can map.
  const own = viewer.kind === 'internal' && viewer.personKey !== null ? teamsKeyByEntraId(deps, vp.version.policy.people, viewer.personKey) : [];
  let claim;
  try {
    claim = deps.ctx.store.transaction(() => logActivity(deps.ctx, viewer, id, { ownUserKeys: own }));
  } catch (e) {
    // A dormant claim's refusal says since when, as this viewer reads dates.
    if (e instanceof ClaimDormant) throw new DomainError(e.code, e.dated((at) => vp.date(at)), e.fields);
    // A number that is not one of a partner's claims (mistyped, or another party's): where theirs are listed.
    if (e instanceof DomainError && e.code === 'forbidden' && viewer.kind === 'external') throw new DomainError(e.code, `${e.message} ${cmd(viewer, 'roe mine')} lists yours, with their numbers.`, e.fields);
    throw e;
  }
  // Until when it now holds, as /roe mine says it: the warning that sent them here named the old date.
  const terms = deps.ctx.policies().termsFor(claim);
  const state = claim.status === 'protected' ? `It stays protected${protectedWords(vp, protectionEnd(claim, terms), dormancyAt(claim, terms))}.` : 'It is still waiting for a decision; the activity counts once it is protected.';
  return reply(`Activity logged on claim #${id}`, [
    text(`Activity logged on claim #${claim.id} (${vp.date(claim.lastActivityAt)}). ${state}`, 'good'),
    // A claim from the CRM had nobody in chat to tell: now it has them.
    // So had one whose filer left and was forgotten.
    ...(claim.adopted
      ? [text(`${claim.adopted === 'import' ? "It came from the CRM's import, with nobody in chat to warn" : 'Whoever filed it is no longer known here (they left, and were forgotten), so nobody in chat was warned of it'}: its warnings and notices now come to you${viewer.kind === 'internal' ? `, and ${cmd(viewer, 'roe mine')} lists it` : ''}.`, 'muted')]
      : []),
  ]);
}
