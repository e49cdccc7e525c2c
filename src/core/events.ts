import type { Involvement } from './disputes/recusal.js';
import type { Claim, Decision, Dispute, PartyId } from './types.js';

/** A chat platform a person of the policy may be reached on. */
export type ChatPlatform = 'slack' | 'teams';

/** What a user action changed, for the handlers to announce. */
export type DomainEvent =
  | { type: 'claim.protected'; claim: Claim }
  | { type: 'claim.pending'; claim: Claim; disputeId: number }
  | { type: 'claim.rejected'; claim: Claim; disputeId: number }
  | { type: 'dispute.opened'; dispute: Dispute }
  | { type: 'dispute.settled'; dispute: Dispute; decision: Decision }
  /** `recused`: those of the chain passed over, before its assignee, for their part in the case (recusal). */
  | { type: 'dispute.assigned'; dispute: Dispute; recused?: readonly Involvement[] }
  | { type: 'dispute.ruled'; dispute: Dispute }
  | { type: 'dispute.info_requested'; dispute: Dispute; question: string; by: string }
  /** `party`'s answer to a question on the case, sent by the user `by` (`name` as their chat shows them): for whoever rules on it alone. */
  | { type: 'dispute.info_answered'; dispute: Dispute; party: PartyId; answer: string; by: string; name: string }
  | { type: 'dispute.reminder'; dispute: Dispute }
  /**
   * `left`: handed on because the policy in force no longer names `from`, not for a breach.
   * `recused`: those passed over for their part in the case; `from` among them when it moved
   * because a claim `from` filed joined it. `unreachable`: handed on because `from` could not be
   * reached on these platforms (their user deactivated or gone), not for a breach.
   */
  | { type: 'dispute.escalated'; dispute: Dispute; from: string; left?: boolean; recused?: readonly Involvement[]; unreachable?: readonly ChatPlatform[] }
  /**
   * The case card (or reminder) of `dispute`'s assignee `person` bounced on the platforms of
   * `bounced` (their user deactivated or gone) and the case did not move: `tryOn`, another
   * platform where the policy gives them an id, is where their card goes now; null when nobody
   * else may take the case (the last of its chain), which then goes to the escalation channel.
   */
  | { type: 'dispute.unreachable'; dispute: Dispute; person: string; bounced: readonly ChatPlatform[]; tryOn: ChatPlatform | null }
  | { type: 'dispute.chain_exhausted'; dispute: Dispute }
  | { type: 'dispute.withdrawn'; dispute: Dispute }
  /**
   * The criteria now recommend `dispute.recommendation` instead of `from` on a running case: a
   * claim of it closed (`closed`), the CRM changed a claim's stage or registration (`changed`), or
   * the party recommended left the partner programme (`left`: see partiesOutOfProgramme).
   */
  | { type: 'dispute.recommendation_changed'; dispute: Dispute; from: PartyId | null; why: 'closed' | 'changed' | 'left' }
  | { type: 'claim.dormancy_warning'; claim: Claim; dormantAt: Date }
  | { type: 'claim.dormant'; claim: Claim }
  /** The claim's protection ends at `endsAt`, which logged activity does not move. */
  | { type: 'claim.expiry_warning'; claim: Claim; endsAt: Date }
  /**
   * `toldDormant`: its lifecycle made it dormant before (claim.dormant, since its last activity):
   * its owner was told then that it protects nothing, and its expiry tells them nothing new.
   */
  | { type: 'claim.expired'; claim: Claim; toldDormant: boolean }
  /** `liftsAt`: when the flag lifts by itself unless more violations follow (its violations leave the window). */
  | { type: 'partner.flagged'; partnerId: string; violations: number; liftsAt: Date }
  | { type: 'partner.unflagged'; partnerId: string; violations: number };
