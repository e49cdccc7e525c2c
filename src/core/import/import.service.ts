import { DateTime } from 'luxon';
import type { DomainContext } from '../context.js';
import { DomainError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { DIRECT, IMPORTED_BY, sameProductLine, type Claim, type ClaimStatus, type Partner } from '../types.js';
import { reviewPartner } from '../claims/consequences.js';
import { closedOn } from '../claims/close-partner.js';
import { cancelLifecycle, planLifecycle } from '../claims/lifecycle.service.js';
import { PARTNER_ROUTES_IN_WORDS, routeFits } from '../claims/route.js';
import { inOpenCase, openCasesHolding, reviewCasesOf } from '../disputes/review.js';
import { isOverlapCase, recentRulingAgainst } from '../disputes/settle.js';
import { addDays, isClosed, isLive, termsOf } from '../claims/lifecycle.js';
import { accountRow, claimRowIn, decodeCsv, leftOut, parseCsv, partnerRow, readCsv, sizeProblem, toAccount, toPartner, type ClaimRow, type CsvFile, type CsvResult, type PartnerRow, type RowError } from './csv.js';
import { putInCase } from './pending.js';
import { lastDays, plural } from '../words.js';

export type ImportKind = 'accounts' | 'partners' | 'claims';
export interface ImportReport {
  kind: ImportKind;
  inserted: number;
  updated: number;
  /** Claims the file gives again exactly as stored: nothing changes, and nothing is recorded. */
  unchanged: number;
  /** Pending claims of the file put in a case (a new one, or one joined). */
  inCases: number;
  /** Those cases, by id. */
  disputes: number[];
  /**
   * Of those, the pending claims that wait for approval (a case of their party alone, as the
   * import leaves it: coverage that requires approval, or a flagged partner), and their cases.
   */
  inApprovals: number;
  approvals: number[];
  /** What those cases changed, and a partner flagged or no longer so (the events given to {@link ImportOptions.announce}). */
  events: DomainEvent[];
  /**
   * A partners file: the ids of partners stored that it leaves out, by id. They are kept as they
   * were (an import never deletes), which an admin removing a partner that left should be told.
   */
  notInFile?: string[];
  /** A partners file: the partners taken out of the programme that it brought back in (see {@link ImportOptions.reopen}), by id. */
  reopened?: string[];
}

export interface ImportOptions {
  /**
   * Announces what the cases opened or joined for pending claims changed (the arbitrator's
   * card, the other parties' messages), and a flag set or lifted by a violation the file dates
   * otherwise: called inside the import's transaction, as a handler announces the events of a
   * user's action in its own, so that they are queued with the change or not at all. Without it
   * they are only returned, in the report.
   */
  announce?: (events: readonly DomainEvent[]) => void;
  /** Called first in the import's transaction, once its rows passed every check: what must be written with the import or not at all (the policy version it judges by). */
  beforeWrite?: () => void;
  /**
   * A partners file: the ids of partners taken out of the programme (`roe partner close`) that
   * it brings back in, each given in the file. Without it, a closed partner's row that gives a
   * Slack team or Teams tenant is refused: a file that still has them (a CRM's nightly export)
   * would otherwise undo the closing without a word.
   */
  reopen?: readonly string[];
}

/** The most problems of a refused file its message lists, in line order (the error holds them all). */
const PROBLEMS_LISTED = 100;

export class ImportError extends DomainError {
  constructor(
    readonly file: string,
    readonly errors: RowError[],
  ) {
    // A file of another kind is said in one line: its rows were not read, so nothing else is told.
    const whole = errors.length === 1 && errors[0]!.wholeFile ? errors[0]!.message : null;
    // A column wrong in every row of a large file (dates as a spreadsheet shows them) is not a
    // million lines on the terminal: the first problems are listed, and how many more there are.
    const listed = errors.slice(0, PROBLEMS_LISTED).map((e) => `  line ${e.line}: ${e.message}`);
    if (errors.length > PROBLEMS_LISTED) listed.push(`  and ${(errors.length - PROBLEMS_LISTED).toLocaleString('en-US')} more, not listed (fix those above and import again)`);
    super('invalid_input', whole !== null ? `${file}: ${whole}` : `${file}: ${errors.length.toLocaleString('en-US')} problem${errors.length > 1 ? 's' : ''}, nothing imported:\n${listed.join('\n')}`);
  }
}

/**
 * The text of a CSV file from its bytes, for `importCsv`. Throws an ImportError naming the
 * file and the first line that is not UTF-8; a UTF-8 byte order mark is accepted.
 */
export function csvText(fileName: string, bytes: Uint8Array): string {
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) throw new ImportError(fileName, decoded.errors);
  return decoded.text;
}

/**
 * Throws an ImportError naming the file when its `size` (in bytes, before it is read) is more
 * than `max`, what an import takes (see {@link sizeProblem}): a file too large is refused
 * before it is read, rather than fill the memory part way through.
 */
export function refuseIfTooLarge(fileName: string, size: number, max?: number): void {
  const problem = sizeProblem(size, max);
  if (problem) throw new ImportError(fileName, [problem]);
}

/**
 * A CSV file of `kind` checked as far as it can be without the database (its separator, its
 * header, its quotes; see {@link readCsv}), for `importCsv`. Throws an ImportError naming the
 * file and its problem, as `importCsv` would: a file of another kind, or no CSV, is refused
 * before the database is opened (or made).
 */
export function csvFile(kind: ImportKind, fileName: string, text: string): CsvFile {
  const read = readCsv(kind, text);
  if (!read.ok) throw new ImportError(fileName, read.errors);
  return read.file;
}

/**
 * Imports one CSV file in one transaction. Every row is checked (including references to
 * partners and accounts) before anything is written; importing the same file again updates
 * the rows by id instead of duplicating them. A claim the file leaves pending is put in a
 * case (see {@link putInCase}), whose events are given to `options.announce`. `text` is the
 * file's text, or the file as {@link csvFile} read it already.
 */
export function importCsv(ctx: DomainContext, kind: ImportKind, fileName: string, text: string | CsvFile, options: ImportOptions = {}): ImportReport {
  const { store } = ctx;
  let now = ctx.clock.now();
  /**
   * Runs `beforeWrite` (the CLI records the policy version in force there), then takes the time
   * again: what the import writes comes after it in the ledger, in time as in order.
   */
  const prepareWrite = () => {
    if (!options.beforeWrite) return;
    options.beforeWrite();
    now = ctx.clock.now();
  };
  const report: ImportReport = { kind, inserted: 0, updated: 0, unchanged: 0, inCases: 0, disputes: [], inApprovals: 0, approvals: [], events: [] };
  const count = (r: 'inserted' | 'updated' | 'unchanged') => void (report[r] += 1);
  // A file that changes nothing (a nightly sync of the same rows) leaves nothing in the ledger.
  const changed = () => report.inserted + report.updated > 0;
  const totals = () => ({ kind: report.kind, inserted: report.inserted, updated: report.updated });

  if (kind === 'partners') {
    // Reserved ids (direct, none) are refused with the row's own checks (partnerRow).
    const parsed = parseCsv('partners', text, partnerRow);
    const reopen = new Set(options.reopen ?? []);
    const problems = () => [...sharedOrgs(store.partners.all(), checkable(parsed).sort((a, b) => a.line - b.line)), ...closedPartnerRows(ctx, parsed, reopen)].sort((a, b) => a.line - b.line);
    const mark = store.writesByOthers();
    refuseIfAny(fileName, parsed, problems());
    store.transaction(() => {
      checkAgainIfWritten(store, mark, () => refuseIfAny(fileName, parsed, problems()));
      prepareWrite();
      const keep = leftOut('partners', parsed.columns);
      for (const r of parsed.rows) count(store.partners.upsert(toPartner(r.value), keep));
      if (changed()) store.ledger.append({ at: now, kind: 'import.partners', subject: 'partners', actor: 'import', policyVersion: null, payload: totals() });
      // Brought back into the programme: recorded, and its flag looked at again (its review stopped while it was out).
      report.reopened = [...reopen].sort();
      for (const id of report.reopened) {
        const closure = store.partners.closure(id)!;
        const partner = store.partners.get(id)!;
        store.partners.setClosed(id, null);
        store.ledger.append({ at: now, kind: 'partner.reopened', subject: `partner:${id}`, actor: 'import', policyVersion: null, payload: { closedAt: closure.at.toISOString(), linked: { slack: partner.slackTeamId !== null, teams: partner.teamsTenantId !== null } } });
        report.events.push(...reviewPartner(ctx, id, now));
      }
      // A partner closed is out of the programme already: not one to suggest closing.
      const inFile = new Set(parsed.rows.map((r) => r.value.id));
      report.notInFile = store.partners.all().flatMap((p) => (inFile.has(p.id) || store.partners.closure(p.id) ? [] : [p.id])).sort();
      if (report.events.length > 0) options.announce?.(report.events);
    });
    return report;
  }

  const isParty = (id: string | null) => id === null || id === DIRECT || store.partners.get(id) !== undefined;
  /**
   * Why a partner id names no partner, and what to do: a CRM that writes "Northwind" for the
   * partner "northwind" is told which one, as importing the partners again would not help.
   */
  const unknownPartner = (id: string, otherwise: string) => {
    const cased = store.partners.all().find((p) => p.id.toLowerCase() === id.toLowerCase());
    return cased ? `unknown partner "${id}": partner ids match letter case; did you mean "${cased.id}"?` : `unknown partner "${id}" (${otherwise})`;
  };
  if (kind === 'accounts') {
    const parsed = parseCsv('accounts', text, accountRow);
    const errors: RowError[] = [];
    // A column that failed its own check is missing from a row's values (undefined), and not checked further.
    for (const { line, value } of checkable(parsed)) {
      if (value.incumbent_partner === DIRECT) errors.push({ line, message: `incumbent_partner: "${DIRECT}" is not a partner; leave it empty for a customer served directly (named_owner "${DIRECT}" reserves the account for direct sales)` });
      else if (value.incumbent_partner && !store.partners.get(value.incumbent_partner)) errors.push({ line, message: `incumbent_partner: ${unknownPartner(value.incumbent_partner, 'import partners first')}` });
      if (value.named_owner !== undefined && !isParty(value.named_owner)) errors.push({ line, message: `named_owner: ${unknownPartner(value.named_owner!, 'import partners first, or "direct" for direct sales')}` });
    }
    refuseIfAny(fileName, parsed, errors);
    const keep = leftOut('accounts', parsed.columns);
    // The rows the database already holds as the file gives them are found before the write
    // lock is taken: a nightly sync that changes a few accounts of many holds it for those only,
    // so the bot's own writes (a claim filed meanwhile) are not refused as busy the while.
    const { before, head, changes } = store.reading(() => ({
      before: store.accounts.fingerprint(),
      head: store.ledger.headSeq(),
      changes: parsed.rows.filter((r) => !store.accounts.asStored(toAccount(r.value), keep)),
    }));
    store.transaction(() => {
      prepareWrite();
      // Accounts changed since (by a second import, which records itself with them; or seen in
      // their update times): every row is compared again, under the lock.
      const changedMeanwhile = store.accounts.fingerprint() !== before || store.ledger.appendedSince(head, 'import.accounts');
      const rows = changedMeanwhile ? parsed.rows : changes;
      report.unchanged += parsed.rows.length - rows.length;
      for (const r of rows) count(store.accounts.upsert(toAccount(r.value), keep));
      if (changed()) store.ledger.append({ at: now, kind: 'import.accounts', subject: 'accounts', actor: 'import', policyVersion: null, payload: totals() });
    });
    return report;
  }

  const book = ctx.policies();
  // A date without a time is that day where the company is: midnight in the time zone of the
  // policy in force on that date. A date later than now is refused: nothing happened then yet.
  const parsed = parseCsv('claims', text, claimRowIn((day) => book.onDate(day).policy.timezone, now));
  const rows = parsed.rows;
  const same = (a: string) => (b: string) => a.toLowerCase() === b.toLowerCase();
  // What the file's rows may not do given what the database holds: checked before the write
  // lock is taken, and again inside it should another process have written meanwhile.
  const problems = (): RowError[] => {
    const errors: RowError[] = [];
    for (const { line, value } of checkable(parsed)) {
      if (value.account_id !== undefined && !store.accounts.get(value.account_id)) errors.push({ line, message: `account_id: unknown account "${value.account_id}" (import accounts first)` });
      if (value.claimant !== undefined && !isParty(value.claimant)) errors.push({ line, message: `claimant: ${unknownPartner(value.claimant, 'import partners first, or "direct" for direct sales')}` });
      // A partner out of the programme holds nothing: a live claim of its is refused (a re-import
      // of one closed since is not live: it keeps its closed status, see keepsStoredStatus).
      const closure = value.claimant === undefined || value.claimant === DIRECT ? null : store.partners.closure(value.claimant);
      if (closure && value.status !== undefined && !isClosed(value.status)) {
        const prior = value.id === undefined ? undefined : store.claims.byRequestKey(`import:${value.id}`);
        if (!prior || !isClosed(prior.status)) {
          const name = store.partners.get(value.claimant!)?.name ?? value.claimant!;
          errors.push({ line, message: `claimant: ${name} (${value.claimant}) left the programme on ${closedOn(ctx, closure.at)} (roe partner close), so a ${value.status} claim of it is not imported: give the claim as the CRM closed it (won, lost or expired), or leave the row out` });
        }
      }
      // As in chat: route direct is the direct team's own deals, never a partner's (known or not).
      if (value.claimant !== undefined && value.route !== undefined && !routeFits(value.claimant, value.route)) {
        errors.push({ line, message: `route: "${value.route}" is for the direct team's own deals; ${value.claimant} is a partner, whose claims go to market by ${PARTNER_ROUTES_IN_WORDS}` });
      }
      // Checked against the version in force when the claim was registered; when that date is
      // wrong itself, a value no version knows is still an error (the one in force now is named).
      const registered = value.registered_at;
      const versions = registered ? [book.inForceAt(registered)] : book.all;
      const policy = book.inForceAt(registered ?? now).policy;
      const { product_line: productLine, stage } = value;
      if (productLine !== undefined && !versions.some((v) => v.policy.product_lines.some(same(productLine)))) errors.push({ line, message: `product_line: "${productLine}" is not one of ${policy.product_lines.join(', ')}` });
      // furthest-stage can only rank the policy's stages: a CRM stage outside them is refused here.
      if (stage !== undefined && !versions.some((v) => v.policy.stages.some(same(stage)))) errors.push({ line, message: `stage: "${stage}" is not one of ${policy.stages.join(', ')}` });
      if (value.last_activity_at && registered && value.last_activity_at < registered) errors.push({ line, message: 'last_activity_at: is before registered_at' });
    }
    // A claim imported before is the same claim: on the same account and product line, for the
    // same party. Moved by a re-import, it would leave its case and its line's checks behind.
    for (const { line, value } of checkable(parsed)) {
      const prior = value.id === undefined ? undefined : store.claims.byRequestKey(`import:${value.id}`);
      if (!prior) continue;
      const moved = [
        value.account_id !== undefined && value.account_id !== prior.accountId ? `account_id ${prior.accountId}` : null,
        value.product_line !== undefined && !sameProductLine(value.product_line, prior.productLine) ? `product_line ${prior.productLine}` : null,
        value.claimant !== undefined && value.claimant !== prior.claimant ? `claimant ${prior.claimant}` : null,
      ].filter((m) => m !== null);
      if (moved.length > 0) {
        errors.push({ line, message: `id "${value.id}" was imported as claim #${prior.id} with ${moved.join(', ')}; a re-import cannot move a claim: keep its values in this row (with its real status, expired say, once it ended), and import the claim as it is now under a new id` });
      }
    }
    // A new protected claim must not make two parties protected on one account and product line.
    const protectedBy = new Map<string, { party: string; line: number | null }>();
    const keyOf = (account: string, product: string) => `${account}\u0000${product.toLowerCase()}`;
    // Rows with problems of their own are checked too, with what they hold (in line order).
    for (const { line, value } of checkable(parsed).sort((a, b) => a.line - b.line)) {
      const { id, account_id: accountId, product_line: productLine, claimant } = value;
      if (value.status !== 'protected' || id === undefined || accountId === undefined || productLine === undefined || claimant === undefined) continue;
      if (store.claims.byRequestKey(`import:${id}`)) continue;
      // A party that lost a ruling on the line does not get it back by a CRM's word, as in chat
      // (where its claim needs the arbitrator's approval): the ruling stands.
      const policy = book.inForceAt(now).policy;
      const ruling = recentRulingAgainst(ctx, accountId, productLine, claimant, termsOf(policy), now);
      if (ruling) {
        errors.push({ line, message: `status: a ruling on dispute #${ruling.id} went against ${claimant} on ${accountId} (${productLine}) within the ${lastDays(policy.registration.protection_days)}; import this one as pending (an arbitrator then approves it or not), rejected or expired` });
        continue;
      }
      const key = keyOf(accountId, productLine);
      // A case running on the line is deciding it: a new protected claim would take it over the case's head.
      const running = store.disputes.forAccount(accountId).find((d) => d.status === 'open' && sameProductLine(d.productLine, productLine));
      if (running) {
        // A party already in the case has its claim there: a second one would be refused as pending too.
        const advice = running.parties.includes(claimant) ? `${claimant} has a claim in it already; leave this one out, or import it as rejected or expired` : 'import this one as pending (it joins that case), rejected or expired';
        errors.push({ line, message: `status: dispute #${running.id} is deciding ${accountId} (${productLine}); ${advice}` });
        continue;
      }
      const held = protectedBy.get(key) ?? (() => {
        const c = store.claims.forAccount(accountId).find((x) => x.status === 'protected' && sameProductLine(x.productLine, productLine));
        return c ? { party: c.claimant, line: null } : undefined;
      })();
      if (held && held.party !== claimant) {
        errors.push({ line, message: `status: ${held.party} already holds a protected claim on ${accountId} (${productLine})${held.line ? ` (line ${held.line})` : ''}; import this one as pending (a case then decides between them), rejected or expired` });
      } else if (!held) protectedBy.set(key, { party: claimant, line });
    }
    errors.push(...pendingProblems(ctx, checkable(parsed), now));
    return errors;
  };
  const mark = store.writesByOthers();
  refuseIfAny(fileName, parsed, problems());
  store.transaction(() => {
    checkAgainIfWritten(store, mark, () => refuseIfAny(fileName, parsed, problems()));
    prepareWrite();
    const storedIds: number[] = [];
    /** Partners a violation of which the file dated otherwise. */
    const redated = new Set<string>();
    for (const { value } of rows) {
      const version = book.inForceAt(value.registered_at);
      const policy = version.policy;
      const productLine = policy.product_lines.find((p) => sameProductLine(p, value.product_line))!;
      const stage = policy.stages.find((s) => s.toLowerCase() === value.stage.toLowerCase())!;
      const protects = ['protected', 'dormant', 'expired', 'won', 'lost'].includes(value.status);
      const prior = store.claims.byRequestKey(`import:${value.id}`);
      // A claim imported before keeps the version it was registered under (grandfathering), also
      // once a version dated back to before its registration is loaded: the same registration,
      // imported again, is neither judged under other rules nor planned again from its warning.
      const own = prior && prior.registeredAt.getTime() === value.registered_at.getTime() ? book.forClaim(prior) : version;
      const claim = {
        accountId: value.account_id,
        claimant: value.claimant,
        route: value.route,
        productLine,
        opportunity: { name: value.opportunity, stage, amount: value.amount },
        evidence: value.evidence,
        status: value.status,
        registeredAt: value.registered_at,
        lastActivityAt: value.last_activity_at ?? value.registered_at,
        protectedUntil: protects ? addDays(value.registered_at, own.policy.registration.protection_days, termsOf(own.policy)) : null,
        policyVersion: own.version,
        // Someone in chat who took the claim on (logged activity on it) keeps it through a re-import.
        createdBy: prior?.createdBy ?? IMPORTED_BY,
        filedAs: prior?.filedAs ?? null,
        contested: false,
        violation: false,
        requestKey: `import:${value.id}`,
      };
      // A column the file leaves out says nothing: the claim keeps what it has there.
      if (prior && !parsed.columns?.includes('evidence')) claim.evidence = prior.evidence;
      if (prior && !parsed.columns?.includes('amount')) claim.opportunity.amount = prior.opportunity.amount;
      const id = prior ? prior.id : store.claims.insert(claim).id;
      if (prior) {
        // The CRM owns the opportunity's details; the bot owns what happened to the claim since
        // (a ruling, an approval, dormancy, expiry): a re-import never undoes that.
        const keep = keepsStoredStatus(prior, claim.status, inOpenCase(ctx, prior));
        store.claims.replace(prior.id, keep ? { ...claim, status: prior.status, protectedUntil: prior.protectedUntil, lastActivityAt: prior.lastActivityAt, contested: prior.contested, violation: prior.violation } : { ...claim, lastActivityAt: new Date(Math.max(claim.lastActivityAt.getTime(), prior.lastActivityAt.getTime())) });
      }
      const stored = store.claims.get(id)!;
      // A claim stored as it was keeps its planned lifecycle: planned again from the start, it
      // would give a dormancy warning already given for the same lapse again.
      const asItWas = prior !== undefined && prior.status === stored.status && prior.registeredAt.getTime() === stored.registeredAt.getTime() && prior.lastActivityAt.getTime() === stored.lastActivityAt.getTime() && prior.protectedUntil?.getTime() === stored.protectedUntil?.getTime() && prior.policyVersion === stored.policyVersion;
      if (!asItWas && (stored.status === 'protected' || stored.status === 'dormant')) planLifecycle(ctx, stored, termsOf(own.policy), now);
      // No longer protected or dormant (closed by the CRM, or pending): its timers go, and a warning still queued for
      // whoever took it on, which would ask for activity on a claim that takes none.
      else if (!asItWas) cancelLifecycle(ctx, id);
      // The CRM closed a claim a running case waits on: the server looks at the case again (and
      // tells its people if nothing is left to rule), at its next tick.
      if (prior && prior.status !== stored.status && isClosed(stored.status)) reviewCasesOf(ctx, stored, now);
      // Or changed what the criteria weigh (its stage, its registration): the case's recommendation is worked out again.
      else if (prior && !isClosed(stored.status) && (prior.opportunity.stage !== stored.opportunity.stage || prior.registeredAt.getTime() !== stored.registeredAt.getTime())) reviewCasesOf(ctx, stored, now, { changed: true });
      // A violation counts in the window by its registration date: the CRM's new date may take it
      // out of the window (or into it), so the partner's flag is looked at again, as stats count:
      // once the whole file is in (two rows moving its violations either way set and lift nothing).
      if (prior?.violation && prior.registeredAt.getTime() !== stored.registeredAt.getTime() && stored.claimant !== DIRECT) redated.add(stored.claimant);
      storedIds.push(id);
      // A row the CRM sends again as it was (a nightly sync) changes nothing, and records nothing.
      if (prior && sameClaim(prior, stored)) {
        report.unchanged += 1;
        continue;
      }
      count(prior ? 'updated' : 'inserted');
      // What was stored, which a re-import does not always take from the file (see above).
      store.ledger.append({
        at: now,
        kind: prior ? 'claim.import_updated' : 'claim.imported',
        subject: `claim:${id}`,
        actor: 'import',
        policyVersion: stored.policyVersion,
        // What the criteria weigh of it too (its stage), as a claim filed in chat records them.
        payload: { ref: value.id, account: stored.accountId, claimant: stored.claimant, route: stored.route, productLine: stored.productLine, stage: stored.opportunity.stage, status: stored.status, registeredAt: stored.registeredAt.toISOString() },
      });
    }
    // Before the pending claims go into cases: a flag set or lifted decides whether they wait for approval.
    for (const partner of redated) report.events.push(...reviewPartner(ctx, partner, now));
    // Every pending claim waits in an open case. Once the whole file is stored, so that a pending
    // claim meets the claims of the rows after it, each left pending outside a case (a new one,
    // one imported before imports did this) is put in one, in line order: a case opened for one
    // of them may take in the next. A re-import never moves a claim back to pending (see
    // keepsStoredStatus), so a claim decided since is never put in a case again.
    const waiting = storedIds.filter((id) => {
      const claim = store.claims.get(id)!;
      return claim.status === 'pending' && !inOpenCase(ctx, claim);
    });
    const cases = new Set<number>();
    for (const id of waiting) {
      const claim = store.claims.get(id)!;
      // Taken in by the case of an earlier one: already counted there.
      if (claim.status !== 'pending') continue;
      const holding = openCasesHolding(ctx, claim)[0];
      if (holding) {
        cases.add(holding.id);
        continue;
      }
      const placed = putInCase(ctx, claim, now);
      cases.add(placed.disputeId);
      report.events.push(...placed.events);
    }
    report.inCases = waiting.length;
    report.disputes = [...cases];
    // Each case as the whole file left it: a claim that opened one for approval may have been
    // joined by another party's since, which makes it a dispute.
    const approvals = new Set(report.disputes.filter((id) => !isOverlapCase(store.disputes.get(id)!)));
    report.approvals = [...approvals];
    report.inApprovals = waiting.filter((id) => {
      const holding = openCasesHolding(ctx, store.claims.get(id)!)[0];
      return holding !== undefined && approvals.has(holding.id);
    }).length;
    if (report.events.length > 0) options.announce?.(report.events);
  });
  return report;
}

/**
 * Whether a re-import keeps a stored claim's status and protection instead of the file's. The
 * bot owns what happened to the claim since it was imported: a status it moved the claim to (a
 * ruling, dormancy, expiry) stands against the status the CRM still has; and the CRM's
 * `pending` (where every claim starts) never moves a claim that is no longer pending back to
 * pending: an approval or a ruling is not undone, nor argued again in a new case, by importing
 * the same file again. A claim counted a violation keeps what it has.
 */
export function keepsStoredStatus(prior: Pick<Claim, 'status' | 'violation'>, fileStatus: ClaimStatus, waitsInCase: boolean): boolean {
  const botMoved = prior.status !== 'protected' && prior.status !== 'pending' && prior.status !== fileStatus;
  const backToPending = fileStatus === 'pending' && prior.status !== 'pending';
  // A claim waiting in a running case is the arbitrator's to decide: the file may close it (the
  // case is then looked at again), not make it protected or dormant over the others in the case.
  const overTheCase = waitsInCase && prior.status === 'pending' && !isClosed(fileStatus);
  return botMoved || backToPending || overTheCase || prior.violation;
}

type ClaimValues = Partial<ClaimRow>;

/**
 * The problems of the rows that would put a claim in a case as pending (a new claim, or a stored
 * one still pending outside any case), in line order:
 * - one whose protection would already have ended (registered_at + protection_days, counted as
 *   the import counts it), which the file should say is expired: a case over it could only take
 *   the line from a current holder, on a registration long gone;
 * - a new one, pending or protected, of a party that already holds a live claim on the account
 *   and product line (stored, live as the lifecycle says; or a pending or protected row of the
 *   file), as filing in chat refuses: in one case, a ruling for nobody would reject both; and
 *   two protected ones would stretch the party's protection. A row that re-imports a claim
 *   (same CRM id) is that claim, not a second one.
 */
function pendingProblems(ctx: DomainContext, rows: readonly { line: number; value: ClaimValues }[], now: Date): RowError[] {
  const { store } = ctx;
  const book = ctx.policies();
  const errors: RowError[] = [];
  const sorted = [...rows].sort((a, b) => a.line - b.line);
  // The stored claim each row imports again (same CRM id), by line; and its status in the file, by claim id.
  const priors = new Map<number, Claim>();
  const fileStatus = new Map<number, ClaimStatus>();
  for (const { line, value } of sorted) {
    const prior = value.id === undefined ? undefined : store.claims.byRequestKey(`import:${value.id}`);
    if (prior) priors.set(line, prior);
    if (prior && value.status !== undefined) fileStatus.set(prior.id, value.status);
  }
  const keyOf = (v: ClaimValues) => `${v.account_id}\u0000${v.product_line!.toLowerCase()}\u0000${v.claimant}`;
  // The file's new rows that are live (pending or protected) once stored, by party, account and product line.
  const liveRows = new Map<string, { line: number; value: ClaimValues }[]>();
  for (const r of sorted) {
    const v = r.value;
    if (v.account_id === undefined || v.product_line === undefined || v.claimant === undefined || v.id === undefined) continue;
    if ((v.status === 'pending' || v.status === 'protected') && !priors.has(r.line)) {
      const k = keyOf(v);
      const rows = liveRows.get(k);
      if (rows) rows.push(r);
      else liveRows.set(k, [r]);
    }
  }
  const live = (c: Claim) => isLive(book.statusOf(c, now));
  /** A stored claim this file closes (a re-import with a status that is not live and that the claim takes). */
  const closedByFile = (c: Claim) => {
    const status = fileStatus.get(c.id);
    return status !== undefined && !isLive(status) && !keepsStoredStatus(c, status, inOpenCase(ctx, c));
  };
  const day = (t: Date, zone: string) => DateTime.fromJSDate(t, { zone }).toISODate();
  for (const { line, value } of sorted) {
    if (value.status !== 'pending' && value.status !== 'protected') continue;
    const prior = priors.get(line);
    // A stored claim the file's pending leaves as it is: decided since, or waiting in its case already.
    if (prior && (prior.status !== 'pending' || inOpenCase(ctx, prior))) continue;
    const registered = value.registered_at;
    if (registered && value.status === 'pending') {
      const policy = book.inForceAt(registered).policy;
      const terms = termsOf(policy);
      const end = addDays(registered, policy.registration.protection_days, terms);
      if (end.getTime() <= now.getTime()) {
        errors.push({
          line,
          message: `status: pending, but its protection would have ended on ${day(end, policy.timezone)} (registered ${day(registered, policy.timezone)}, ${plural(policy.registration.protection_days, 'day')} of protection): import it as expired (or with its real status)`,
        });
      }
    }
    const { account_id: accountId, product_line: productLine, claimant } = value;
    if (prior || accountId === undefined || productLine === undefined || claimant === undefined) continue;
    const held = store.claims
      .forAccount(accountId)
      .find((c) => c.claimant === claimant && sameProductLine(c.productLine, productLine) && live(c) && !closedByFile(c));
    if (held) {
      errors.push({
        line,
        message: `status: ${claimant} already holds a live claim on ${accountId} (${productLine}): claim #${held.id} (${book.statusOf(held, now)}); a second one of the same party is refused, as in chat: import this row with its real status (expired, lost, rejected) or leave it out`,
      });
      continue;
    }
    // A pending row beside a protected one of the party is the second; of two protected rows, the later.
    const other = (liveRows.get(keyOf(value)) ?? []).find((r) => r.line !== line && (value.status === 'protected' ? r.value.status === 'protected' && r.line < line : r.value.status === 'protected' || r.line < line));
    if (other) {
      errors.push({
        line,
        message: `status: ${claimant} already has a ${other.value.status} claim on ${accountId} (${productLine}) on line ${other.line} (id ${other.value.id}); a second one of the same party is refused, as in chat: keep one row for it, or import this one with its real status (expired, lost, rejected)`,
      });
    }
  }
  return errors;
}

/**
 * The rows whose references are checked: those that passed their own checks, and those that
 * did not with the values of their columns that did (the others undefined), so that one run
 * lists every problem of a row.
 */
function checkable<T>(parsed: CsvResult<T>): { line: number; value: Partial<T> }[] {
  return [...parsed.rows, ...(parsed.partial ?? [])];
}

/** Whether two reads of a claim hold the same values, dates included (both come from the store, field for field). */
function sameClaim(a: Claim, b: Claim): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Runs `check` again, inside the import's transaction, when another process (the bot filing a
 * claim, a second import) has committed since `mark`: the file was checked against the
 * database as it was then, and two parties could otherwise both be made protected on a line.
 * The transaction holds the write lock, so nothing changes between this check and the writes.
 */
function checkAgainIfWritten(store: DomainContext['store'], mark: number, check: () => void): void {
  if (store.writesByOthers() !== mark) check();
}

/**
 * Throws an ImportError when the file has any problem: those of its rows (`parsed`) and those
 * of the references of the rows that passed their own checks (`references`), in line order, so
 * that one run lists them all. A problem with the file as a whole has no rows to check further.
 */
function refuseIfAny(fileName: string, parsed: CsvResult<unknown>, references: readonly RowError[]): void {
  const errors = [...(parsed.ok ? [] : parsed.errors), ...references];
  // Stable: a line's own problems stay before those of its references.
  if (errors.length) throw new ImportError(fileName, errors.sort((a, b) => a.line - b.line));
}

/**
 * The problems of a partners file with partners taken out of the programme (`roe partner close`):
 * a closed partner's row that gives a Slack team or Teams tenant links it again, which only
 * `reopen` (naming it) may do; an id in `reopen` must be a closed partner the file gives.
 */
function closedPartnerRows(ctx: DomainContext, parsed: CsvResult<PartnerRow>, reopen: ReadonlySet<string>): RowError[] {
  const { store } = ctx;
  const errors: RowError[] = [];
  const rows = checkable(parsed);
  for (const { line, value } of rows) {
    if (value.id === undefined || reopen.has(value.id)) continue;
    const closure = store.partners.closure(value.id);
    const column = value.slack_team_id ? 'slack_team_id' : value.teams_tenant_id ? 'teams_tenant_id' : null;
    if (!closure || !column) continue;
    const day = closedOn(ctx, closure.at);
    errors.push({ line, message: `${column}: ${value.id} left the programme on ${day} (roe partner close), and a partners file does not link it again: leave its slack_team_id and teams_tenant_id empty, or bring it back into the programme with --reopen ${value.id}` });
  }
  for (const id of reopen) {
    const given = rows.find((r) => r.value.id === id);
    if (!given) errors.push({ line: 1, message: `--reopen ${id}: the file gives no partner "${id}"; bring a partner back with its row (and its slack_team_id or teams_tenant_id)` });
    else if (!store.partners.closure(id)) errors.push({ line: given.line, message: `--reopen ${id}: ${id} is ${store.partners.get(id) ? 'in the programme' : 'a new partner'}, not one taken out of it (roe partner close); import without --reopen` });
  }
  return errors;
}

/**
 * A Slack team or Teams tenant names one partner: its people are that partner's. Rows that
 * give one another partner already has (in the database or earlier in the file) are refused.
 */
function sharedOrgs(existing: readonly Partner[], rows: readonly { line: number; value: Partial<PartnerRow> }[]): RowError[] {
  const errors: RowError[] = [];
  const fields = [
    ['slack_team_id', 'Slack team', (p: Partner) => p.slackTeamId],
    ['teams_tenant_id', 'Teams tenant', (p: Partner) => p.teamsTenantId?.toLowerCase() ?? null],
  ] as const;
  for (const [column, what, of] of fields) {
    // Who holds each org id once the import is done: the file's rows replace their partners'.
    const holder = new Map<string, { id: string; name: string; line: number | null }>();
    const replaced = new Set(rows.map((r) => r.value.id).filter((id) => id !== undefined));
    for (const p of existing) {
      const org = of(p);
      if (org && !replaced.has(p.id)) holder.set(org, { id: p.id, name: p.name, line: null });
    }
    // A row with a problem of its own (in `rows` with the columns that passed) is checked too, once its id is right.
    for (const { line, value } of rows) {
      const org = value[column];
      if (!org || value.id === undefined) continue;
      const held = holder.get(org);
      if (held && held.id !== value.id) {
        errors.push({ line, message: `${column}: ${what} "${org}" is already ${held.name} (${held.id})'s${held.line ? ` on line ${held.line}` : ''}; each partner needs its own, since its people are recognised by it` });
      } else if (!held) holder.set(org, { id: value.id, name: value.name ?? value.id, line });
    }
  }
  return errors;
}
