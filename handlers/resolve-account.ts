import { DomainError } from '../src/core/errors.js';
import { soleAnswer, type AccountMatch, type Ranking } from '../src/core/matching/matcher.js';
import { companyPageName, legalFormMayStartWord, legalFormOf, literalName, nameTokens, personalMailDomain } from '../src/core/matching/normalize.js';
import type { Account } from '../src/core/types.js';
import { matchLabels } from './account-labels.js';
import type { HandlerDeps } from './deps.js';
import { clip, type Field } from './replies/model.js';

/** Typed text as an answer quotes it back: a long one (pasted by mistake) is cut. */
const typed = (s: string) => clip(s.trim(), 100);

/** The account a prefilled form field names, or nothing when the text is empty, unknown or ambiguous. */
export function findAccount(deps: HandlerDeps, given: string): Account | undefined {
  if (!given.trim()) return undefined;
  try {
    return resolveAccount(deps, given);
  } catch {
    return undefined;
  }
}

/** `/claim help`, `/dispute ?`: a question about the command, not an account. */
export function asksForHelp(given: string): boolean {
  return /^(help|-h|--help|\?)$/i.test(given.trim());
}

/**
 * What a form's account field holds when the form is opened with `given`: the account it names,
 * filled in; else, when it names none (unknown, or several: the intro says which, see
 * {@link accountNotFound}), the text as typed, to be corrected rather than typed again; nothing
 * when nothing (or help) was typed.
 */
export function accountInitial(deps: HandlerDeps, given: string): Pick<Field, 'initial' | 'asTyped'> {
  const account = findAccount(deps, given);
  if (account) return { initial: { value: account.id, label: account.name } };
  const text = given.trim();
  if (!text || asksForHelp(text)) return {};
  return { initial: { value: text, label: typed(text) }, asTyped: true };
}

/**
 * What a form opened with an account named says when the text names no single account (the
 * resolver's own words: unknown, or which accounts it could be), above the field holding the
 * text as typed; null when it named one, or nothing (or help) was typed.
 */
export function accountNotFound(deps: HandlerDeps, given: string): string | null {
  if (!given.trim() || asksForHelp(given)) return null;
  try {
    resolveAccount(deps, given);
    return null;
  } catch (e) {
    if (!(e instanceof DomainError)) return null;
    return e.code === 'not_found' ? `No account matches "${typed(given)}": search for it in the Account field (a name, alias or web domain).` : e.message;
  }
}

/**
 * What is said of an e-mail address at a personal mail provider (`jane@gmail.com`) given for an
 * account: the provider's domain would name the provider (Google), not the company the person
 * works for, which the address does not tell.
 */
export function personalMailProblem(given: string, domain: string): string {
  return `"${typed(given)}" is an address at ${domain}, a personal mail provider, so it does not tell which company the person works for.`;
}

/**
 * The text an account typed is looked up by: the company a link to its LinkedIn or Crunchbase
 * page names ("acme corp" of linkedin.com/company/acme-corp), not the site; else the text.
 */
export function lookupText(given: string): string {
  return companyPageName(given) ?? given;
}

/** A link with a path (`https://acme.lightning.force.com/lightning/r/Account/…/view`, the scheme optional). */
const LINK_WITH_PATH = /^(?:https?:\/\/)?[^\s/@<>]+\.[^\s/@<>]+\/\S/i;

/**
 * The account a link to its record in the CRM names by its id, as the CRM's export gave it to the
 * import (`https://acme.lightning.force.com/lightning/r/Account/0015g00000Ab3xYAAR/view`, a
 * HubSpot or Dynamics record's link): a part of the link's path or query that is an account's id.
 * Only parts with a digit in them are tried: a record's id has one, while a site's pages (`about`,
 * `company/acme-corp`) are words. Undefined for any other text (a bare domain, a name): those
 * are searched, and a link whose parts name no account is searched by its address.
 */
export function linkedAccount(deps: HandlerDeps, given: string): Account | undefined {
  const s = given.trim();
  if (!LINK_WITH_PATH.test(s)) return undefined;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(s) ? s : `https://${s}`);
  } catch {
    return undefined;
  }
  const decoded = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const parts = [...url.pathname.split('/').map(decoded), ...url.searchParams.values()];
  for (const part of parts.slice(0, 32)) {
    if (part.length < 3 || !/\d/.test(part)) continue;
    const account = deps.ctx.store.accounts.get(part);
    if (account) return account;
  }
  return undefined;
}

/**
 * An account from what a person gave: its id (from a picker, or the CRM's, typed or in a link to
 * its record) or its name, alias or domain (typed). Ambiguous or unknown text, or an e-mail
 * address at a personal mail provider, is a clear error on the `account` field.
 */
export function resolveAccount(deps: HandlerDeps, given: string, field = 'account'): Account {
  const trimmed = given.trim();
  if (!trimmed) throw new DomainError('invalid_input', 'Name the account.', { [field]: 'Required' });
  const byId = deps.ctx.store.accounts.get(trimmed) ?? linkedAccount(deps, trimmed);
  if (byId) return byId;
  const personal = personalMailDomain(trimmed);
  if (personal) {
    throw new DomainError('invalid_input', `${personalMailProblem(trimmed, personal)} Give the company's name or its web domain.`, { [field]: "A personal mail address: give the company's name or web domain" });
  }
  const value = lookupText(trimmed);
  const matches = deps.matcher.search(value, 5);
  // A name several accounts share is told apart in the list by its domain, region or id
  // ("Globex (EMEA)"): typed as the list shows it (a field with no picker, as in Teams), it is
  // that account, before any other whose name it is but for punctuation ("Globex EMEA").
  const shown = toldApart(deps, trimmed, matches);
  if (shown) return shown;
  const answer = answerOf(deps, value, rankingOf(matches));
  const pick = answer >= 0 ? matches[answer] : undefined;
  if (pick) {
    const account = deps.ctx.store.accounts.get(pick.accountId);
    if (account) return account;
  }
  if (matches.length === 1) {
    const name = deps.ctx.store.accounts.get(matches[0]!.accountId)?.name ?? matches[0]!.accountId;
    throw new DomainError('invalid_input', `No account matches "${typed(value)}" in full. Did you mean ${name}? Give its name in full, or its web domain.`, { [field]: `Did you mean ${name}?` });
  }
  if (matches.length > 1) {
    const names = matchLabels(deps, matches);
    throw new DomainError('invalid_input', `"${typed(value)}" matches several accounts: ${names.join(', ')}. Give more of the name, or the web domain.`, { [field]: `Several accounts match: ${names.join(', ')}` });
  }
  throw new DomainError('not_found', `No account matches "${typed(value)}". Try part of the name, an alias or the web domain.`, { [field]: `No account matches "${typed(value)}"` });
}

/**
 * The account of `matches` whose label in the list of them ({@link matchLabels}) is `typed`, when
 * that label tells it apart from another of the same name (`Zephyr Labs (NA)`): the labels of
 * one list are unique, and never another account's own name.
 */
export function toldApart(deps: HandlerDeps, typed: string, matches: readonly AccountMatch[]): Account | undefined {
  // Such a label ends with what tells it apart, in brackets.
  if (matches.length < 2 || !typed.endsWith(')')) return undefined;
  const key = typed.toLowerCase();
  const at = matchLabels(deps, matches).findIndex((n) => n.trim().toLowerCase() === key);
  const account = at >= 0 ? deps.ctx.store.accounts.get(matches[at]!.accountId) : undefined;
  return account && account.name.trim().toLowerCase() !== key ? account : undefined;
}

/** Search results as a {@link Ranking}. */
function rankingOf(matches: readonly AccountMatch[]): Ranking {
  return { length: matches.length, exact: (i) => matches[i]!.exact, score: (i) => matches[i]!.score, match: (i) => matches[i]! };
}

/**
 * Which of a search's results the text stands for, or -1 when the person must choose: the one
 * {@link soleAnswer} picks, or, of results equally exact once "the" and legal forms are set
 * aside, the one named word for word ({@link literalMatch}); neither when the text's last word,
 * a legal form, may as well start a word of another result ({@link lastWordStartsAnother}).
 * Who-owns and the forms' account field answer alike.
 */
export function answerOf(deps: HandlerDeps, typed: string, results: Ranking): number {
  const idAt = (i: number) => results.match(i).accountId;
  const startsAnother = (i: number) => lastWordStartsAnother(deps, typed, results.length, idAt, i);
  const sole = soleAnswer(results, typed, (i) => literalMatch(deps, typed, [idAt(i)]) !== undefined);
  if (sole >= 0 && !startsAnother(sole)) return sole;
  // soleAnswer picks none of several exact results: the one typed word for word may stand.
  const exact: number[] = [];
  for (let i = 0; i < results.length; i++) if (results.exact(i)) exact.push(i);
  if (exact.length < 2) return -1;
  const literal = literalMatch(deps, typed, exact.map(idAt));
  const at = literal ? exact.find((i) => idAt(i) === literal.id)! : -1;
  return at >= 0 && !startsAnother(at) ? at : -1;
}

/**
 * Whether the text's last word, which reads as a legal form and so was set aside to find the
 * answer (`acme co` as Acme Inc.), may as well start a word of another result's name (Acme
 * Consulting), or is the legal form of another result and not the answer's (`acme gmbh`: Acme
 * Analytics GmbH beside Acme Corporation): then it is no answer but a choice. Not when the
 * answer is named word for word.
 */
function lastWordStartsAnother(deps: HandlerDeps, typed: string, count: number, idAt: (i: number) => string, answer: number): boolean {
  const names = (i: number) => {
    const a = deps.ctx.store.accounts.get(idAt(i));
    return a ? [a.name, ...a.aliases] : [];
  };
  // The other results' names and aliases, read only when the last word is a legal form, and once.
  let read: string[] | undefined;
  const others = (): string[] => (read ??= Array.from({ length: count }, (_, i) => (i === answer ? [] : names(i))).flat());
  const form = legalFormOf(typed);
  const anotherForm = () => form !== null && !names(answer).some((n) => legalFormOf(n) === form) && others().some((n) => legalFormOf(n) === form);
  // Word for word only: "zeta inc" is Zeta Incorporated abbreviated, but may as well start Zeta Incubator.
  return (legalFormMayStartWord(typed, others) || anotherForm()) && !literalMatch(deps, typed, [idAt(answer)], { wordForWord: true });
}

/** A name as typed, but for case, accents and punctuation: a leading "the" and legal forms kept. */
const literalKey = (s: string) => nameTokens(s, { keepLegalSuffixes: true, keepLeadingThe: true }).join(' ');

/**
 * Of accounts the matcher found equally exact ("The Standard" and "Standard", "Acme" and
 * "Acme SE", once "the" and legal forms are set aside), the one whose name or alias is what was
 * typed, word for word; else, when none is, the one it is with a legal form written out or
 * abbreviated (`acme limited` is Acme Ltd beside Acme Corp: see literalName), unless
 * `wordForWord`; none when not exactly one is.
 */
function literalMatch(deps: HandlerDeps, typed: string, accountIds: readonly string[], { wordForWord = false } = {}): Account | undefined {
  const accounts = accountIds.map((id) => deps.ctx.store.accounts.get(id)).filter((a): a is Account => a !== undefined);
  for (const key of wordForWord ? [literalKey] : [literalKey, literalName]) {
    const typedKey = key(typed);
    const found = accounts.filter((a) => [a.name, ...a.aliases].some((n) => key(n) === typedKey));
    if (found.length > 0) return found.length === 1 ? found[0] : undefined;
  }
  return undefined;
}
