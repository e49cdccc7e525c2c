import type { ChatIdentity, FormerPartner, Principal } from '../../src/core/authz.js';

/** How often one team or tenant is named in the log again. */
const NOTICE_EVERY_MS = 10 * 60_000;
const MAX_NOTED = 1_000;

/**
 * Wraps a principal resolver so that a user of an organisation that is neither the company's nor
 * any partner's (who may only ask for help) has that organisation's id logged at info, once per
 * organisation every ten minutes: the id an admin puts in the partners CSV, or among the company's
 * own, to let its people in; or, for one that was a partner's until it left the programme, that
 * partner (`former`), whose workspace the partners CSV would not let in again. Only the id is
 * logged (no user, no name); guests are not logged, as no id would let them in.
 */
export function notingUnlinked(
  resolve: (identity: ChatIdentity) => Principal,
  note: (orgId: string, former: FormerPartner | null) => void,
  nowMs: () => number = Date.now,
): (identity: ChatIdentity) => Principal {
  const noted = new Map<string, number>();
  return (identity) => {
    const p = resolve(identity);
    if (p.kind !== 'unknown' || p.guest || !identity.orgId) return p;
    const org = identity.orgId;
    const at = noted.get(org);
    const now = nowMs();
    if (at !== undefined && now - at < NOTICE_EVERY_MS) return p;
    noted.delete(org);
    noted.set(org, now);
    if (noted.size > MAX_NOTED) noted.delete(noted.keys().next().value!);
    note(org, p.formerPartner ?? null);
    return p;
  };
}
