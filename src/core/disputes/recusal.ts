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
 * The person of the policy the bot resolved a chat user (user key) to when it last met them, if
 * any: how a Teams user whose policy `teams` id is their Entra object id is known as that person.
 */
export type PersonOf = (userKey: string) => string | null;

/**
 * A person's part in a case, from its claims' filers and its raiser (user keys): theirs when the
 * key is one of the chat ids `people` gives them (on the console, their key), or a user `personOf`
 * says is them. A claim they filed first, else its raising. Null when they have none.
 */
export function involvementOf(people: PolicyPeople, person: string, claims: readonly Pick<Claim, 'id' | 'createdBy'>[], raisedBy: string, personOf: PersonOf = () => null): Involvement | null {
  const keys = userKeysOfPerson(people, person);
  if (keys.length === 0) return null;
  const theirs = (userKey: string) => keys.includes(userKey) || personOf(userKey) === person;
  const filed = claims.find((c) => theirs(c.createdBy));
  if (filed) return { person, claim: filed.id };
  return theirs(raisedBy) ? { person, claim: null } : null;
}

/** What {@link stakesIn} reads of a case: who filed its claims, and whom the bot knows them and its raiser as. */
export interface Filers {
  /** Who filed each claim (`createdBy`), by claim id. */
  claims: ReadonlyMap<number, string>;
  /** The person key each of those users, and of the raisers asked about, was resolved to when the bot last met them (see {@link PersonOf}). */
  persons: ReadonlyMap<string, string>;
}

/** The filers of these claims, and the persons of those users and of `raisers`, read in one query. */
export function filersOf(ctx: DomainContext, ids: readonly number[], raisers: readonly string[] = []): Filers {
  const read = ctx.store.claims.filers(ids, raisers);
  return { claims: new Map(read.claims.map((c) => [c.id, c.createdBy])), persons: new Map(read.persons.map((p) => [p.userKey, p.personKey])) };
}

/**
 * Each person's part in case `d` now, by the people of the policy in force (null for none):
 * every claim it holds counts (one that closed was filed all the same). Who filed its claims is
 * read once (one query, with whom the bot knows them and the raiser as), and only when someone
 * the policy names is asked about; `filers`, when given (read for many cases at once), is read
 * instead and must hold every claim of the case, and its raiser.
 */
export function stakesIn(ctx: DomainContext, d: Pick<Dispute, 'claimIds' | 'raisedBy'>, filers?: Filers): (person: string) => Involvement | null {
  const people = ctx.policies().inForceAt(ctx.clock.now()).policy.people;
  let read: { claims: Pick<Claim, 'id' | 'createdBy'>[]; personOf: PersonOf } | undefined;
  return (person) => {
    if (userKeysOfPerson(people, person).length === 0) return null;
    if (!read) {
      const by = filers ?? filersOf(ctx, d.claimIds, [d.raisedBy]);
      // In the case's order of its claims: the first one a person filed is the one named.
      read = { claims: d.claimIds.flatMap((id) => (by.claims.has(id) ? [{ id, createdBy: by.claims.get(id)! }] : [])), personOf: (k) => by.persons.get(k) ?? null };
    }
    return involvementOf(people, person, read.claims, d.raisedBy, read.personOf);
  };
}

/**
 * What someone's part in a case is, said of them by `name`: "Pat Okafor filed claim #5 in this
 * case", "Pat Okafor raised this case".
 */
export function involvementWords(name: string, i: Involvement): string {
  return i.claim !== null ? `${name} filed claim #${i.claim} in this case` : `${name} raised this case`;
}

/**
 * Several people's parts in a case, the case said once: "Pat Okafor filed claim #4 and Dana
 * Reyes claim #5 in this case", "Pat Okafor raised this case and Dana Reyes filed claim #5 in
 * it" (who raised it first). One person's as {@link involvementWords} says it.
 */
export function involvementsWords(list: readonly Involvement[], name: (person: string) => string): string {
  if (list.length === 1) return involvementWords(name(list[0]!.person), list[0]!);
  const and = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? ''));
  const raisers = list.filter((i) => i.claim === null).map((i) => name(i.person));
  const filers = list.filter((i) => i.claim !== null).map((i, n) => `${name(i.person)} ${n === 0 ? 'filed ' : ''}claim #${i.claim}`);
  if (raisers.length === 0) return `${and(filers)} in this case`;
  const raised = `${and(raisers)} raised this case`;
  // A comma before the filers' own "and": "Pat Okafor raised this case, and Dana Reyes filed claim #5 and Morgan Lee claim #6 in it".
  return filers.length > 0 ? `${raised}${filers.length > 1 ? ',' : ''} and ${and(filers)} in it` : raised;
}

/** A ledger payload's `recused` list: who was passed over, and why. */
export function recusedPayload(recused: readonly Involvement[]): { recused?: Involvement[] } {
  return recused.length > 0 ? { recused: recused.map((r) => ({ person: r.person, claim: r.claim })) } : {};
}

/**
 * A ledger payload's `involved`: the part in the case of the one it goes to (or stays with), who
 * rules on it all the same because nobody of its chain is free of one. Absent when they have none.
 */
export function involvedPayload(involved: Involvement | null): { involved?: Involvement } {
  return involved ? { involved: { person: involved.person, claim: involved.claim } } : {};
}
