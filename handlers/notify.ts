import type { Principal } from '../src/core/authz.js';
import type { DomainEvent } from '../src/core/events.js';
import type { OutboxMessage } from '../src/core/ports.js';
import { DIRECT, type Dispute, type PartyId, type ThreadRef } from '../src/core/types.js';
import type { HandlerDeps } from './deps.js';
import { viewpoint } from './deps.js';
import { disputeCard, outcomeText } from './dispute-card.js';
import { reply, text, type Reply } from './replies/model.js';

type Platform = OutboxMessage['platform'];

/** The viewer a party's people read as: a partner sees only their own deals. */
function partyViewer(party: PartyId, userKey: string): Principal {
  return party === DIRECT ? { kind: 'internal', userKey, personKey: null, displayName: '' } : { kind: 'external', userKey, partnerId: party, displayName: '' };
}

/** Where to reach a person of the policy: the dispute's platform if they are on it. */
function personTarget(deps: HandlerDeps, personKey: string, prefer: Platform): { platform: Platform; user: string } | null {
  const p = viewpoint(deps, { kind: 'internal', userKey: '', personKey: null, displayName: '' }).version.policy.people[personKey];
  if (prefer === 'console') return { platform: 'console', user: personKey };
  const on = (pl: 'slack' | 'teams') => (pl === 'slack' ? p?.slack : p?.teams);
  for (const pl of [prefer, prefer === 'slack' ? 'teams' : 'slack'] as const) {
    const id = on(pl);
    if (id) return { platform: pl, user: id };
  }
  return null;
}

function splitUserKey(userKey: string): { platform: Platform; user: string } | null {
  const i = userKey.indexOf(':');
  const platform = userKey.slice(0, i);
  if (platform !== 'slack' && platform !== 'teams' && platform !== 'console') return null;
  return { platform, user: userKey.slice(i + 1) };
}

/** The viewer for a dispute's thread: a shared channel where a partner raised it sees what that partner may. */
function threadViewer(deps: HandlerDeps, d: Dispute): Principal {
  const raiserClaim = d.claimIds.map((id) => deps.ctx.store.claims.get(id)).find((c) => c && c.createdBy === d.raisedBy);
  if (raiserClaim && raiserClaim.claimant !== DIRECT) return partyViewer(raiserClaim.claimant, d.raisedBy);
  return { kind: 'internal', userKey: d.raisedBy, personKey: null, displayName: '' };
}

/**
 * Turns what a user action changed into messages in the outbox, inside the same
 * transaction: the thread of the dispute, a DM to the arbitrator, DMs to the parties.
 */
export function announce(deps: HandlerDeps, events: readonly DomainEvent[], origin: ThreadRef | null, actorKey?: string): void {
  const now = deps.ctx.clock.now();
  const stamp = now.getTime();
  const out: OutboxMessage[] = [];
  const toThread = (d: Dispute, body: Reply, tag: string) => {
    const where = d.origin ?? origin;
    if (!where) return;
    out.push({ platform: where.platform, target: { kind: 'dispute-thread', disputeId: d.id }, body, dedupeKey: `thread:${d.id}:${tag}:${stamp}` });
  };
  const toParties = (d: Dispute, make: (viewer: Principal) => Reply, tag: string) => {
    const seen = new Set<string>();
    for (const id of d.claimIds) {
      const c = deps.ctx.store.claims.get(id);
      if (!c || seen.has(c.createdBy) || c.createdBy === actorKey) continue;
      seen.add(c.createdBy);
      const target = splitUserKey(c.createdBy);
      if (!target) continue;
      out.push({ platform: target.platform, target: { kind: 'user', user: target.user }, body: make(partyViewer(c.claimant, c.createdBy)), dedupeKey: `dm:${d.id}:${tag}:${c.createdBy}:${stamp}` });
    }
  };
  const platformOf = (d: Dispute): Platform => (d.origin ?? origin)?.platform ?? 'slack';

  for (const e of events) {
    switch (e.type) {
      case 'dispute.opened': {
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        const viewer = threadViewer(deps, d);
        toThread(d, { ...disputeCard(deps, viewer, d, { withActions: false }), visibility: 'public' }, 'opened');
        break;
      }
      case 'dispute.settled': {
        const d = deps.ctx.store.disputes.get(e.dispute.id) ?? e.dispute;
        const justOpened = events.some((o) => o.type === 'dispute.opened' && o.dispute.id === d.id);
        // A case settled the moment it opened: its announcement already shows the outcome.
        if (!justOpened) toThread(d, reply(`Dispute #${d.id} settled`, [text(outcomeText(deps, threadViewer(deps, d), d), 'good')], { visibility: 'public' }), 'settled');
        toParties(d, (v) => disputeCard(deps, v, d, { withActions: false }), 'settled');
        break;
      }
      case 'dispute.assigned': {
        const d = e.dispute;
        const vp = viewpoint(deps, threadViewer(deps, d));
        toThread(d, reply(`Dispute #${d.id} is with ${vp.person(d.arbitrator)}`, [text(`The criteria did not settle this on their own. ${vp.person(d.arbitrator)} will rule${d.dueAt ? ` by ${vp.dateTime(d.dueAt)}` : ''}.`)], { visibility: 'public' }), 'assigned');
        const target = personTarget(deps, d.arbitrator, platformOf(d));
        if (target) {
          const arb: Principal = { kind: 'internal', userKey: `${target.platform}:${target.user}`, personKey: d.arbitrator, displayName: '' };
          out.push({ platform: target.platform, target: { kind: 'user', user: target.user }, body: disputeCard(deps, arb, d, { withActions: true }), dedupeKey: `arbitrator:${d.id}:${d.arbitrator}:${d.escalationLevel}` });
        }
        break;
      }
      case 'dispute.ruled': {
        const d = e.dispute;
        toThread(d, reply(`Dispute #${d.id} ruled`, [text(outcomeText(deps, threadViewer(deps, d), d), 'good')], { visibility: 'public' }), 'ruled');
        toParties(d, (v) => reply(`Ruling on dispute #${d.id}`, [text(outcomeText(deps, v, d), 'good')]), 'ruled');
        break;
      }
      case 'dispute.info_requested': {
        const d = e.dispute;
        const vp = viewpoint(deps, threadViewer(deps, d));
        toThread(d, reply(`${vp.person(e.by)} asks for more information`, [text(`${vp.person(e.by)} asks: ${e.question}`), text('Reply in this thread.', 'muted')], { visibility: 'public' }), 'ask');
        toParties(d, () => reply(`Question on dispute #${d.id}`, [text(`${vp.person(e.by)} asks: ${e.question}`)]), 'ask');
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
