import type { ChatIdentity, Principal } from '../../src/core/authz.js';

/** How often one team or tenant is named in the log again. */
const NOTICE_EVERY_MS = 10 * 60_000;
const MAX_NOTED = 1_000;

/**
 * Wraps a principal resolver so that a user of an organisation that is neither the company's nor
 * any partner's (who may only ask for help) has that organisation's id logged at info, once per
 * organisation every ten minutes: the id an admin puts in the partners CSV, or among the company's
 * own, to let its people in. Only the id is logged (no user, no name); guests are not logged, as
 * no id would let them in.
 */
export function notingUnlinked(
  resolve: (identity: ChatIdentity) => Principal,
  note: (orgId: string) => void,
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
    note(org);
    return p;
  };
}
