import { userKeysOfPerson, type PolicyPeople } from '../authz.js';
import type { DomainContext } from '../context.js';
import type { Claim, Dispute } from '../types.js';

/**
 * Why a person of the policy has a personal stake in a case, so that they may not rule on it
 * (recusal): they filed one of its claims (`claim`), or raised it (`claim` null). Recorded as
 * such in the ledger's `recused` lists.
 */
export interface Involvement {
  person: string;
  claim: number | null;
}

/**
 * A person's part in a case, from its claims' filers and its raiser (user keys) and the chat ids
 * `people` gives them (on the console, their key): a claim they filed first, else its raising.
 * Null when they have none.
 */
export function involvementOf(people: PolicyPeople, person: string, claims: readonly Pick<Claim, 'id' | 'createdBy'>[], raisedBy: string): Involvement | null {
  const keys = userKeysOfPerson(people, person);
  if (keys.length === 0) return null;
  const filed = claims.find((c) => keys.includes(c.createdBy));
  if (filed) return { person, claim: filed.id };
  return keys.includes(raisedBy) ? { person, claim: null } : null;
}

/**
 * `person`'s part in case `d` now, by the people of the policy in force: every claim it holds
 * counts (one that closed was filed all the same). Null when they have none.
 */
export function involvedIn(ctx: DomainContext, d: Pick<Dispute, 'claimIds' | 'raisedBy'>, person: string): Involvement | null {
  return stakesIn(ctx, d)(person);
}

/** Who filed each claim (`createdBy` by claim id): what {@link stakesIn} reads of a case's claims. */
export type Filers = ReadonlyMap<number, string>;

/** The filers of these claims, read in one query. */
export function filersOf(ctx: DomainContext, ids: readonly number[]): Filers {
  return new Map(ctx.store.claims.filers(ids).map((c) => [c.id, c.createdBy]));
}

/**
 * {@link involvedIn} for several people of one case: who filed its claims is read once (one
 * query), and only when someone the policy names is asked about; `filers`, when given (read for
 * many cases at once), is read instead and must hold every claim of the case.
 */
export function stakesIn(ctx: DomainContext, d: Pick<Dispute, 'claimIds' | 'raisedBy'>, filers?: Filers): (person: string) => Involvement | null {
  const people = ctx.policies().inForceAt(ctx.clock.now()).policy.people;
  let claims: Pick<Claim, 'id' | 'createdBy'>[] | undefined;
  return (person) => {
    if (userKeysOfPerson(people, person).length === 0) return null;
    if (!claims) {
      const by = filers ?? filersOf(ctx, d.claimIds);
      // In the case's order of its claims: the first one a person filed is the one named.
      claims = d.claimIds.flatMap((id) => (by.has(id) ? [{ id, createdBy: by.get(id)! }] : []));
    }
    return involvementOf(people, person, claims, d.raisedBy);
  };
}

/**
 * What someone's part in a case is, said of them by `name`: "Pat Okafor filed claim #5 in this
 * case", "Pat Okafor raised this case".
 */
export function involvementWords(name: string, i: Involvement): string {
  return i.claim !== null ? `${name} filed claim #${i.claim} in this case` : `${name} raised this case`;
}

/** A ledger payload's `recused` list: who was passed over, and why. */
export function recusedPayload(recused: readonly Involvement[]): { recused?: Involvement[] } {
  return recused.length > 0 ? { recused: recused.map((r) => ({ person: r.person, claim: r.claim })) } : {};
}
