import { z } from 'zod';
import { ownParty, type Principal } from '../src/core/authz.js';
import { canonicalProductLine } from '../src/core/claims/claims.service.js';
import { raiseDispute } from '../src/core/disputes/disputes.service.js';
import { DomainError } from '../src/core/errors.js';
import { DIRECT } from '../src/core/types.js';
import { claimFor, commandsAsTyped, partyChoice, settledAdvice, type SubmitMeta } from './claim.js';
import { explainVerdict } from '../src/core/ownership/explain.js';
import type { HandlerDeps } from './deps.js';
import { explainOptions, refuseUnknown, viewpoint } from './deps.js';
import { announce, isPrivateChat, threadWord } from './notify.js';
import { FORMS, reply, text, type Form, type Reply } from './replies/model.js';
import { accountInitial, accountNotFound, resolveAccount } from './resolve-account.js';
import { fieldProblem, parseForm, parseNumberId } from './validate.js';

/**
 * The dispute form, with the account prefilled when one was named (as typed, when it names no
 * single account); `evidence` prefilled, e.g. with a link to the message it was raised from. One
 * of the company's people chooses the party it is raised for (a partner not in chat, say), as the
 * claim form's "Claim for"; a partner's user raises it for their own partner, never chosen.
 */
export function disputeForm(deps: HandlerDeps, viewer: Principal, accountText = '', evidence = ''): Form {
  refuseUnknown(viewer, 'raise disputes');
  const policy = viewpoint(deps, viewer).version.policy;
  return {
    id: FORMS.dispute,
    title: 'Dispute ownership',
    submitLabel: 'Raise dispute',
    intro: [accountNotFound(deps, accountText), 'The ownership criteria run first; if they do not settle it, the arbitrator rules.'].filter(Boolean).join(' '),
    fields: [
      { id: 'account', label: 'Account', kind: 'account', required: true, ...accountInitial(deps, accountText), placeholder: 'Search accounts' },
      ...(viewer.kind === 'internal' ? [partyChoice(deps, 'Dispute for')] : []),
      { id: 'product', label: 'Product line', kind: 'select', required: true, options: policy.product_lines.map((p) => ({ value: p, label: p })) },
      { id: 'against', label: 'Claim disputed (number)', kind: 'text', required: false, maxLength: 20, placeholder: 'e.g. 12', hint: 'Leave it empty to dispute whoever holds the account for this product line. A number is only checked (it must be another party’s live claim there): the dispute weighs every live claim on the line either way.' },
      { id: 'reason', label: 'Reason', kind: 'multiline', required: true, maxLength: 2000, placeholder: viewer.kind === 'internal' ? 'Why should the account go to the party you raise it for?' : 'Why should the account be yours?', ...(viewer.kind === 'internal' ? { hint: 'Read by your colleagues, the arbitrator and, for a partner, that partner’s people: never by another partner.' } : {}) },
      { id: 'evidence', label: 'Evidence', kind: 'multiline', required: false, maxLength: 3000, ...(evidence ? { initial: { value: evidence, label: evidence } } : {}) },
    ],
    state: {},
  };
}

const disputeSchema = z.object({
  account: z.string({ error: 'Required' }).trim().min(1, 'Required'),
  product: z.string({ error: 'Required' }).trim().min(1, 'Required'),
  against: z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const n = parseNumberId(s);
      if (n === null) {
        ctx.addIssue({ code: 'custom', message: 'A claim number, e.g. 12' });
        return z.NEVER;
      }
      return n;
    }),
  reason: z.string({ error: 'Required' }).trim().min(5, 'Say why, in a sentence (at least 5 characters)').max(2000, 'At most 2,000 characters'),
  // Only spaces is no evidence: the case card would quote it as an empty one.
  evidence: z.string().trim().max(3000, 'At most 3,000 characters').optional().default(''),
});

export function submitDispute(deps: HandlerDeps, viewer: Principal, values: Record<string, unknown>, meta: SubmitMeta): Reply {
  // A form sent by someone who may only ask for help (a stale card, a guest) is refused as its opening is.
  refuseUnknown(viewer, 'raise disputes');
  // The party one of the company's people raises it for (a partner's user's own is never chosen:
  // a `claimant` in their form is ignored), looked up once: by name, it reads every partner.
  let raisedFor: string | undefined;
  // A product line the policy does not have, or a party nobody is, is named with the form's other problems.
  const input = parseForm(disputeSchema, values, (v): Record<string, string> => {
    const book = deps.ctx.policies();
    const problems: Record<string, string> = {};
    const product = fieldProblem('product', v.product, (given) => canonicalProductLine(book, book.inForceAt(deps.ctx.clock.now()), given));
    if (product) problems.product = product;
    const party = viewer.kind === 'internal' ? fieldProblem('claimant', v.claimant, (given) => (raisedFor = claimFor(deps, given))) : null;
    if (party) problems.claimant = party;
    return problems;
  });
  // Nothing chosen is the direct team; a partner's user raises it for their own partner.
  const party = viewer.kind === 'internal' ? (raisedFor ?? DIRECT) : ownParty(viewer);
  return deps.ctx.store.transaction(() => {
    const account = resolveAccount(deps, input.account);
    // The number only checks the claim meant: one of the party raising it is none to dispute.
    const named = input.against !== undefined ? deps.ctx.store.claims.get(input.against) : undefined;
    if (named && party && named.claimant === party) {
      const name = viewpoint(deps, viewer).party(party);
      if (party === ownParty(viewer)) throw new DomainError('invalid_input', `Claim #${named.id} is a claim of your own (${name}): a dispute is raised against another party. Give another party’s claim number, or leave the field empty.`, { against: `Claim #${named.id} is your own: give another party’s claim number, or leave it empty` });
      throw new DomainError('invalid_input', `Claim #${named.id} is a claim of ${name}, the party you raise this dispute for: a dispute is raised against another party. Give another party’s claim number, or leave the field empty.`, { against: `Claim #${named.id} is ${name}’s own: give another party’s claim number, or leave it empty` });
    }
    const { dispute, events } = commandsAsTyped(viewer, () =>
      raiseDispute(deps.ctx, viewer, {
        accountId: account.id,
        productLine: input.product,
        againstClaimId: input.against,
        reason: input.reason,
        evidence: input.evidence,
        origin: meta.origin,
        requestKey: meta.requestKey,
        raisedAs: party ?? undefined,
      }),
    );
    announce(deps, events, meta.origin, viewer.userKey);
    const vp = viewpoint(deps, viewer);
    const closed = deps.ctx.store.disputes.get(dispute.id) ?? dispute;
    // Raised for a partner by a colleague: whose case it is, as a claim filed for one names it.
    const forPartner = viewer.kind === 'internal' && closed.raisedAs !== null && closed.raisedAs !== DIRECT ? ` for ${vp.party(closed.raisedAs)}` : '';
    if (closed.status === 'settled') {
      // Why, as a claim the criteria refuse is told; and, when it went against the raiser, what can change it.
      const why = closed.trace.find((v) => v.outcome === 'picked');
      const lost = closed.winner !== closed.raisedAs;
      return reply(`Dispute #${dispute.id}${forPartner} settled by the criteria`, [
        text(`Dispute #${dispute.id} on ${account.name} (${dispute.productLine})${forPartner} was settled at once by the criteria: ${closed.winner ? vp.party(closed.winner) : 'nobody'} owns it.`, lost ? 'attention' : 'good'),
        ...(why ? [text(`Why: ${explainVerdict(why, explainOptions(vp))}`)] : []),
        ...(lost ? [settledAdvice(viewer)] : []),
      ]);
    }
    return reply(`Dispute #${dispute.id} raised${forPartner}`, [
      text(`Dispute #${dispute.id} on ${account.name} (${dispute.productLine})${forPartner} is with ${vp.person(dispute.arbitrator)}${dispute.dueAt ? `, due ${vp.deadline(dispute.dueAt)}` : ''}.`),
      // Raised in a direct chat (the raiser's with the bot, or a Slack DM between people, which the bot cannot post in): updates come to the raiser's chat with the bot.
      text(meta.origin && isPrivateChat(meta.origin) ? 'Updates will follow in your chat with me.' : `Updates will follow in the ${threadWord(meta.origin)} where it was raised.`, 'muted'),
    ]);
  });
}
