import type { Principal } from '../src/core/authz.js';
import { caseThatRejected } from '../src/core/claims/claims.service.js';
import { dormancyAt, expiryWarningDays } from '../src/core/claims/lifecycle.js';
import type { Policy } from '../src/core/policy/schema.js';
import { calendarOf } from '../src/core/context.js';
import { queueFor } from '../src/core/disputes/disputes.service.js';
import { isOverlapCase, liveClaims, otherClaimOfParty } from '../src/core/disputes/settle.js';
import { openCasesHolding } from '../src/core/disputes/review.js';
import { pastDue, runningSla } from '../src/core/sla/sla.service.js';
import { ruleTitle } from '../src/core/ownership/explain.js';
import { flagConsequence, lastDays, percent, PER_PARTY_NOTE, readStats, statsBasis, statsPeriod } from '../src/core/stats.js';
import { DIRECT, DIRECT_NAME, type Claim, type Dispute } from '../src/core/types.js';
import { nearMiss } from '../src/core/spelling.js';
import { plural } from '../src/core/words.js';
import { logClaimActivity } from './activity.js';
import type { HandlerDeps } from './deps.js';
import { cmd, dormantSince, forParty, onConsole, onTeams, ownUserKeys, protectedWords, unknownAdvice, viewpoint } from './deps.js';
import { ACTIONS, clip, reply, text, type Block, type Reply } from './replies/model.js';
import { approvalClaims, caseAbout, caseWords, waitingIn } from './dispute-card.js';
import { flagLines } from './flag.js';
import { caseCard } from './rule.js';
import { findAccount } from './resolve-account.js';
import { parseNumberId } from './validate.js';

export const ROE_SUBCOMMANDS = ['help', 'mine', 'queue', 'case', 'activity', 'stats', 'policy'] as const;

/** `/roe help`: what the bot does and every command. */
export function help(viewer: Principal): Reply {
  const c = (command: string) => cmd(viewer, command);
  const teams = onTeams(viewer);
  // A partner's user never rules (arbitrators are the company's people named in the policy): no
  // queue, no ruling buttons; nor does someone the bot cannot place (an organisation not linked
  // yet, a guest), who is first told why this help is all they get.
  const partner = viewer.kind !== 'internal';
  const blocks: Block[] = [
    text(`roe-bot applies ${partner ? 'the' : 'our'} partner rules of engagement: who owns an account, deal registrations, and disputes settled by the written criteria or by the named arbitrator.`),
    {
      type: 'list',
      title: 'Commands',
      items: [
        { text: c('who-owns <name, alias or domain>'), detail: 'Who owns an account, and why.' },
        { text: c('claim [account]'), detail: 'Register a deal on an account.' },
        { text: c('dispute [account]'), detail: 'Dispute who owns an account.' },
        { text: c('roe mine [page]'), detail: `Your claims, when their protection ends and when they go dormant without activity, ${PAGE_SIZE} a page: ${c('roe mine 2')} shows the next ${PAGE_SIZE}.` },
        ...(partner ? [] : [{ text: c('roe queue [page]'), detail: `Cases waiting for your ruling (arbitrators): disputes, and claims waiting for your approval, ${PAGE_SIZE} a page.` }]),
        { text: c('roe case <number>'), detail: partner ? 'A case your organisation is a party to, as it stands.' : 'A case (a dispute, or a claim waiting for approval) as it stands; an arbitrator rules on it from there.' },
        { text: c('roe activity <number>'), detail: 'Log activity on a claim (a call, a meeting): it keeps the claim from going dormant. Its protection still ends when its period is over.' },
        { text: c('roe stats [from [to]]'), detail: `${partner ? 'Your organisation’s claims, disputes, rulings and open cases.' : 'Claims, disputes, rulings and open cases per partner; open cases per arbitrator.'} Over some days: ${c('roe stats 2026-10-01 2026-12-31')}.` },
        { text: c('roe policy'), detail: 'The rules in force.' },
      ],
    },
    {
      type: 'list',
      title: 'Also',
      items: [
        { text: 'Examples', detail: `${c('who-owns acme.com')}, ${c('claim Acme Corporation')}, ${c('dispute acme')}` },
        ...(teams
          ? [{ text: 'In a channel or group chat', detail: 'Mention me first: @roe-bot who-owns acme. Only you see the answer.' }]
          : onConsole(viewer)
            ? [{ text: 'In this console', detail: '/help lists its own commands too: /rule, /case, /activity, /answer, /snooze, /home, /as and /whoami.' }]
            : [
              { text: 'Dispute ownership (message shortcut)', detail: 'From the ⋯ menu of a message: a dispute with that message as evidence.' },
              { text: 'Home', detail: partner ? `Your claims, as ${c('roe mine')} lists them.` : 'Your claims, and for arbitrators the queue with due times.' },
            ]),
        // What comes with buttons rather than a command (but in the console, whose /help has its commands).
        ...(onConsole(viewer)
          ? []
          : [
              { text: 'Keeping a claim', detail: `A claim goes dormant without activity: log it with the Log activity button of the warning that comes before, or of ${c('roe mine')}, or with ${c('roe activity <number>')}.` },
              { text: 'Questions on your case', detail: 'An arbitrator’s question comes to your chat with me: answer it with its Answer button. Only the arbitrator reads your answer.' },
            ]),
        ...(partner ? [] : [{ text: 'Arbitrators', detail: `A case comes to you as a card in ${onConsole(viewer) ? 'your direct messages' : 'your chat with me'}: Approve the recommendation, Award to another party (with a rationale; for a claim waiting for approval, Reject) or Ask for information. Reminders come before the SLA ends; then the case escalates.` }]),
      ],
    },
  ];
  if (viewer.kind === 'unknown') {
    const { why, ask } = unknownAdvice(viewer);
    blocks.unshift(text(`${why}, so this help is all I can offer. ${ask}`, 'warning'));
  }
  return reply('roe-bot help', blocks, { title: 'roe-bot' });
}

/**
 * How many items a page of `/roe mine` and `/roe queue` lists (App Home shows their first
 * pages). The page is cut here, not by the platforms, so that page 2 starts where page 1 ended
 * in Slack, Teams and the console alike: few enough that each shows a page whole (Teams' 40
 * items a list, Slack's 50 blocks; with names near their length limits, Teams' card shortens
 * what each item says rather than leave one out).
 */
export const PAGE_SIZE = 25;

/** The page a `/roe mine|queue` argument names: 1 when none is given; null when it is no page number. */
export function pageNumber(given: string): number | null {
  if (given === '') return 1;
  return /^\d{1,9}$/.test(given) && Number(given) > 0 ? Number(given) : null;
}

/** `/roe mine x`: the help, under a line saying what a page number is. */
function notAPage(viewer: Principal, sub: 'mine' | 'queue', given: string): Reply {
  const r = help(viewer);
  const warning = `"${clip(given, 40)}" is not a page number: ${cmd(viewer, `roe ${sub}`)} shows the first ${PAGE_SIZE}, ${cmd(viewer, `roe ${sub} 2`)} the next ${PAGE_SIZE}. Here is what I can do:`;
  return { ...r, blocks: [text(warning, 'warning'), ...r.blocks] };
}

/** The items of page `page` (from 1) of `all`, and where they stand in it; null past the last page. */
function pageOf<T>(all: readonly T[], page: number): { items: T[]; first: number; last: number } | null {
  if (page > Math.max(1, Math.ceil(all.length / PAGE_SIZE))) return null;
  const from = (page - 1) * PAGE_SIZE;
  const items = all.slice(from, from + PAGE_SIZE);
  return { items, first: from + 1, last: from + items.length };
}

/** The command that shows page `page` of `sub`: the bare command for the first. */
const pageCommand = (viewer: Principal, sub: 'mine' | 'queue', page: number) => cmd(viewer, page === 1 ? `roe ${sub}` : `roe ${sub} ${page}`);

/**
 * The line under a page: which items of how many it shows (past the first page) and the
 * command for the next, if any. `counted` is page 1's "…and N more not listed" when it has one.
 */
function pageLine(viewer: Principal, sub: 'mine' | 'queue', page: number, p: { first: number; last: number }, total: number, noun: [string, string], counted?: string): Block | null {
  const rest = total - p.last;
  const next = rest > 0 ? `${pageCommand(viewer, sub, page + 1)} shows the next ${rest === 1 ? 'one' : Math.min(rest, PAGE_SIZE)}.` : '';
  if (page === 1) return rest > 0 ? text(`${counted ?? `…and ${plural(rest, `more ${noun[0]}`, `more ${noun[1]}`)} not listed.`} ${next}`, 'muted') : null;
  const which = `${p.first === p.last ? noun[0] : noun[1]} ${p.first === p.last ? p.first : `${p.first}–${p.last}`} of ${total.toLocaleString('en-US')}`;
  return text(`${which[0]!.toUpperCase()}${which.slice(1)}${rest > 0 ? `. ${next}` : ': the last page.'}`, 'muted');
}

/** A page past the last: says so, and which page shows the last items. */
function pastTheEnd(viewer: Principal, sub: 'mine' | 'queue', page: number, has: string, total: number): Reply {
  const lastPage = Math.ceil(total / PAGE_SIZE);
  const shows = lastPage === 1 ? `${pageCommand(viewer, sub, 1)} shows ${total === 1 ? 'it' : 'them all'}` : `${pageCommand(viewer, sub, lastPage)} shows the last ones`;
  return reply(`Page ${page} is empty`, [text(`${has}: page ${page.toLocaleString('en-US')} is empty; ${shows}.`, 'warning')]);
}

/**
 * What a case is, in a list of cases: an approval (one party's claim waiting for an arbitrator's
 * yes or no) is no dispute, though both are cases ({@link isOverlapCase}).
 */
function caseNouns(cases: readonly Dispute[]): [string, string] {
  if (cases.every(isOverlapCase)) return ['dispute', 'disputes'];
  return cases.some(isOverlapCase) ? ['case', 'cases'] : ['approval', 'approvals'];
}

/** A pending claim in an open case, as `/roe mine` says what it waits on: " (in dispute #3)", " (awaiting approval in case #7)". */
const pendingWords = (viewer: Principal, open: Dispute | undefined): string => (open ? ` (${waitingIn(viewer, open)})` : '');

/**
 * A protected claim in an open case (one that may take the line from it), as `/roe mine` says it:
 * "; in dispute #3". Only the viewer's own claims are listed there, so the case is one they are a
 * party to.
 */
function protectedIn(open: Dispute | undefined): string {
  if (!open) return '';
  return isOverlapCase(open) ? `; in dispute #${open.id}` : `; in case #${open.id}`;
}

/**
 * `/roe mine [page]`: the viewer's party's claims with protection ends: live ones (protected,
 * pending) first, then the closed (dormant ones among them); newest first in each, {@link PAGE_SIZE}
 * a page. The first page counts the rest; each names the command for the next. A claim one of the
 * company's people filed for a partner names that partner; a pending one names the case it waits
 * in, a protected one the open case it is in. "Log activity" for the protected claims that go
 * dormant soonest, each button naming its claim's account and product line (such a claim may be
 * past those listed).
 */
export function mine(deps: HandlerDeps, viewer: Principal, page = 1): Reply {
  const vp = viewpoint(deps, viewer);
  const now = deps.ctx.clock.now();
  const book = deps.ctx.policies();
  const claims =
    viewer.kind === 'external'
      ? deps.ctx.store.claims.forClaimant(viewer.partnerId)
      : viewer.kind === 'internal'
        ? deps.ctx.store.claims.createdBy(ownUserKeys(deps, vp.version.policy.people, viewer))
        : [];
  if (claims.length === 0) return reply('No claims', [text(`You have no claims. Register one with ${cmd(viewer, 'claim')}.`)]);
  const rows = claims.map((c) => ({ c, status: book.statusOf(c, now) }));
  // A dormant claim protects nothing: it is listed with the closed ones, saying since when.
  const live = (status: Claim['status']) => status === 'protected' || status === 'pending';
  rows.sort((a, b) => Number(live(b.status)) - Number(live(a.status)) || b.c.registeredAt.getTime() - a.c.registeredAt.getTime() || b.c.id - a.c.id);
  const onPage = pageOf(rows, page);
  if (!onPage) return pastTheEnd(viewer, 'mine', page, `${viewer.kind === 'external' ? `${vp.party(viewer.partnerId)} has` : 'You have'} ${plural(rows.length, 'claim')}`, rows.length);
  const shown = onPage.items;
  const about = (c: Claim) => `${deps.ctx.store.accounts.get(c.accountId)?.name ?? c.accountId} (${c.productLine})`;
  // A claim of the same party live on the line holds the account for them: nothing to file.
  const dormantAdvice = (c: Claim) => {
    const held = otherClaimOfParty(liveClaims(deps.ctx, c.accountId, c.productLine, now), c);
    if (!held) return 'file a new claim to hold the account again';
    return held.status === 'protected' ? `claim #${held.id} of ${vp.party(c.claimant)} holds the account` : `claim #${held.id} of ${vp.party(c.claimant)} is waiting for a decision`;
  };
  // A claim filed for another party (the company's people file for partners) says whose it is.
  const forWhom = (c: Claim) => forParty(vp, c.claimant);
  const waitsIn = (c: Claim) => openCasesHolding(deps.ctx, c)[0];
  // The case that rejected it, as the DMs and the thread numbered it (none: the CRM's file did).
  // Whoever lists a claim is its party's, or filed it: told an approval was one.
  const rejectedIn = (c: Claim) => {
    const d = caseThatRejected(deps.ctx, c);
    if (!d) return '';
    return d.status === 'settled' ? ` (lost dispute #${d.id}, which the criteria settled)` : isOverlapCase(d) ? ` (ruled lost in dispute #${d.id})` : ` (not approved in case #${d.id})`;
  };
  const liveCount = rows.filter((r) => live(r.status)).length;
  const blocks: Block[] = [
    // A partner's people learn of their organisation's flag here too (the announcement is the company's).
    ...(viewer.kind === 'external' ? flagLines(deps, vp, viewer.partnerId) : []),
    {
      type: 'list',
      title: `${viewer.kind === 'external' ? `Claims of ${vp.party(viewer.partnerId)}` : 'Your claims'}: ${plural(liveCount, 'live claim')}, ${plural(claims.length - liveCount, 'closed', 'closed')}`,
      items: shown.map(({ c, status }) => {
        const until =
          c.protectedUntil && status === 'protected'
            ? `${protectedWords(vp, c.protectedUntil, dormancyAt(c, book.termsFor(c)))}${protectedIn(waitsIn(c))}`
            : status === 'dormant'
              ? `${dormantSince(vp, dormancyAt(c, book.termsFor(c)), now)}: it protects nothing (${dormantAdvice(c)})`
              : status === 'pending'
                ? pendingWords(viewer, waitsIn(c))
                : status === 'rejected'
                  ? rejectedIn(c)
                  : '';
        return { text: `#${c.id} ${about(c)}${forWhom(c)}: ${status}${until}`, detail: `${c.opportunity.name}, stage ${c.opportunity.stage}` };
      }),
    },
  ];
  // Live claims come first: those past page 1 are its live claims left over, then closed ones.
  const hidden = rows.length - shown.length;
  const hiddenLive = Math.max(0, liveCount - shown.length);
  const line = pageLine(viewer, 'mine', page, onPage, rows.length, ['claim', 'claims'], `…and ${plural(hidden, 'more claim')} not listed (${hiddenLive} live, ${hidden - hiddenLive} closed).`);
  if (line) blocks.push(line);
  const renewable = rows
    .filter((r) => r.status === 'protected')
    .sort((a, b) => dormancyAt(a.c, book.termsFor(a.c)).getTime() - dormancyAt(b.c, book.termsFor(b.c)).getTime())
    .slice(0, 5);
  if (renewable.length > 0) {
    blocks.push(text('Log activity to keep a claim from going dormant (those going dormant soonest):', 'muted'));
    // Each names its claim: those going dormant soonest are often older than the claims listed.
    // Its value says it was clicked on this page of the list (`12:mine:1`), which Teams draws again under what was done.
    blocks.push({ type: 'actions', actions: renewable.map(({ c }) => ({ action: ACTIONS.logActivity, label: `Log activity on #${c.id} ${about(c)}`, value: `${c.id}:mine:${page}` })) });
  }
  return reply(plural(claims.length, 'claim'), blocks);
}

/** Cases of the queue with an Open button: the soonest due. */
const QUEUE_BUTTONS = 10;

/**
 * `/roe queue [page]`: open disputes the viewer may rule on, soonest due first, {@link PAGE_SIZE}
 * a page; the first page counts the rest, each names the command for the next.
 */
export function queue(deps: HandlerDeps, viewer: Principal, page = 1): Reply {
  // A partner's user rules on nothing: told where their organisation's claims and cases are
  // instead, in the summary too (what a notification or a screen reader gives first).
  if (viewer.kind === 'external') {
    return reply(`The queue holds the cases arbitrators rule on; ${cmd(viewer, 'roe mine')} lists your organisation’s claims and cases`, [text(`Only arbitrators have a queue of cases to rule on. ${cmd(viewer, 'roe mine')} lists the claims of ${viewpoint(deps, viewer).party(viewer.partnerId)} and the cases they are in; ${cmd(viewer, 'roe case <number>')} shows one as it stands.`)]);
  }
  if (viewer.kind !== 'internal' || !viewer.personKey) return reply('Only arbitrators named in the policy have a queue', [text('Only arbitrators named in the policy have a queue.')]);
  const vp = viewpoint(deps, viewer);
  const all = queueFor(deps.ctx, viewer.personKey);
  if (all.length === 0) return reply('Your queue is empty', [text('No cases are waiting for your ruling: no disputes, no claims waiting for approval.')]);
  // A claim waiting for approval is no dispute: the queue counts cases by what they are.
  const noun = caseNouns(all);
  const onPage = pageOf(all, page);
  if (!onPage) return pastTheEnd(viewer, 'queue', page, `You have ${plural(all.length, ...noun)} waiting`, all.length);
  const open = onPage.items;
  const line = pageLine(viewer, 'queue', page, onPage, all.length, noun);
  const now = deps.ctx.clock.now();
  const due = (d: (typeof open)[number]) => {
    if (!d.dueAt) return '';
    if (pastDue(d, now)) return `: OVERDUE since ${vp.deadline(d.dueAt)}`;
    // In the business hours the SLA is counted in.
    const left = calendarOf(runningSla(deps.ctx, d)?.version ?? deps.ctx.policies().inForceAt(d.createdAt)).businessTimeBetween(now, d.dueAt);
    return `: due ${vp.deadline(d.dueAt)} (${businessLeft(left)} of business time left)`;
  };
  const assigned = (d: (typeof open)[number]) => (d.arbitrator !== viewer.personKey ? ` (assigned to ${vp.person(d.arbitrator)})` : '');
  // Each case's account read once, for its line and its button's label.
  const about = new Map(open.map((d) => [d.id, caseAbout(deps, d)]));
  return reply(`${plural(all.length, ...noun)} waiting`, [
    {
      type: 'list',
      title: 'Waiting for your ruling',
      items: open.map((d) => ({
        text: `#${d.id} ${about.get(d.id)}${due(d)}`,
        // A claim waiting for approval has no recommendation over other parties: it is approved or rejected, as its card offers.
        detail: isOverlapCase(d)
          ? `Recommendation: ${d.recommendation ? vp.party(d.recommendation) : 'none'}${assigned(d)}`
          : `Approval of ${approvalClaims(d)} of ${vp.party(d.parties[0]!)}${assigned(d)}`,
      })),
    },
    ...(line ? [line] : []),
    // Opened from here too: a case of someone below in its chain (or whose card went to the
    // person's other platform) has no card of theirs in their direct messages.
    { type: 'actions', actions: open.slice(0, QUEUE_BUTTONS).map((d) => ({ action: ACTIONS.openCase, label: `Open #${d.id}`, value: String(d.id), accessibilityLabel: `Open ${caseWords(viewer, d)}: ${about.get(d.id)}` })) },
    // Where the cards went: in Teams' words in Teams; at the console (`roe console` on a server's
    // database), which cannot tell whether its person's cards went to Slack, to Teams or to its
    // own "DM to …", as direct messages, true of all three (its help says it so too).
    text(`${open.some((d) => d.arbitrator === viewer.personKey) ? `The cases assigned to you were sent to ${onTeams(viewer) ? 'your chat with me' : onConsole(viewer) ? 'your direct messages' : 'your direct messages with the bot'}, each with its ruling buttons; ` : ''}Open shows a case with its ruling buttons${open.length > QUEUE_BUTTONS ? ` (the ${QUEUE_BUTTONS} due soonest${page > 1 ? ' on this page' : ''} have one; ${cmd(viewer, 'roe case <number>')} opens any)` : ''}.`, 'muted'),
  ]);
}

/** Business time left, as "5 h 20 min" (whole minutes, rounded down; "under a minute" below one). */
function businessLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : ''].filter(Boolean).join(' ');
}

/**
 * `/roe stats`: KPIs overall, per party and per arbitrator for the company's people; a partner's
 * user sees their own organisation's numbers only (totals over every partner would tell, with
 * few partners, another partner's disputes and violations by subtraction), and no arbitrator's.
 */
export function stats(deps: HandlerDeps, viewer: Principal, days: string[] = []): Reply {
  const vp = viewpoint(deps, viewer);
  // One snapshot (a command run by hand, in another process, may write between two reads), with a row for every partner.
  const policy = vp.version.policy;
  const now = deps.ctx.clock.now();
  // A period: its first day and, if given, its last, in the policy's time zone (as `roe stats --since --until`).
  const period = days.length > 2 ? { error: `give at most two days, the first and the last (got ${days.length})` } : statsPeriod(days[0] && clip(days[0], 40), days[1] && clip(days[1], 40), policy.timezone, now, { since: 'the first day', until: 'the last day' });
  if (period && 'error' in period) {
    const r = help(viewer);
    const usage = `${cmd(viewer, 'roe stats')} counts over all time, ${cmd(viewer, 'roe stats 2026-10-01')} from that day to now, ${cmd(viewer, 'roe stats 2026-10-01 2026-12-31')} over those days (${policy.timezone}).`;
    return { ...r, blocks: [text(`${period.error.charAt(0).toUpperCase()}${period.error.slice(1)}. ${usage}`, 'warning'), ...r.blocks] };
  }
  const s = readStats(deps.ctx.store, policy, now, period ?? undefined).stats;
  const hours = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)} h`);
  // The figures mix periods (all time or the period asked for, the violations' window, now) and kinds of time: said under them.
  const basis = text(statsBasis(policy, period ?? undefined), 'muted');
  const facts = (t: { claims: number; disputes: number; autoShare: number | null; medianHoursToRuling: number | null; slaBreaches: number; violations: number; openCases: number; overdueCases: number }) => [
    { label: 'Claims', value: String(t.claims) },
    { label: 'Disputes', value: String(t.disputes) },
    { label: 'Settled automatically', value: percent(t.autoShare) },
    { label: 'Median time to ruling (calendar time)', value: hours(t.medianHoursToRuling) },
    { label: 'SLA breaches (one per escalation)', value: String(t.slaBreaches) },
    { label: period ? 'Violations' : `Violations (${lastDays(policy)})`, value: String(t.violations) },
    { label: 'Open cases (waiting for an arbitrator)', value: String(t.openCases) },
    { label: 'Overdue (past their SLA)', value: String(t.overdueCases) },
  ];
  const waiting = (t: { openCases: number; overdueCases: number }) => `${plural(t.openCases, 'open case')}, ${t.overdueCases.toLocaleString('en-US')} overdue`;
  if (viewer.kind === 'external') {
    const own = s.parties.find((r) => r.party === viewer.partnerId) ?? { claims: 0, disputes: 0, autoShare: null, medianHoursToRuling: null, slaBreaches: 0, violations: 0, openCases: 0, overdueCases: 0, flagged: false };
    // A flag says what it does, which claims it counts and when it lifts, as /roe mine says it.
    return reply('Rules of engagement: stats', [{ type: 'facts', facts: [{ label: 'Organisation', value: `${vp.party(viewer.partnerId)}${own.flagged ? ' (flagged)' : ''}` }, ...facts(own)] }, ...(own.flagged ? flagLines(deps, vp, viewer.partnerId) : []), basis], { title: 'Stats' });
  }
  const internal = viewer.kind === 'internal';
  const rows = internal ? s.parties : [];
  return reply('Rules of engagement: stats', [
    { type: 'facts', facts: facts(s.overall) },
    {
      type: 'list',
      title: 'By party',
      items: rows.map((r) => ({
        text: `${r.party === DIRECT ? DIRECT_NAME : vp.party(r.party)}${r.flagged ? ' (flagged)' : ''}`,
        detail: `${plural(r.claims, 'claim')}, ${plural(r.disputes, 'dispute')}, ${percent(r.autoShare)} settled automatically, median ruling ${hours(r.medianHoursToRuling)} (calendar), ${plural(r.slaBreaches, 'SLA breach', 'SLA breaches')}, ${plural(r.violations, 'violation')}, ${waiting(r)}`,
      })),
    },
    ...(rows.length > 0 ? [text(PER_PARTY_NOTE, 'muted')] : []),
    basis,
    ...(internal ? [{ type: 'list' as const, title: 'By arbitrator', items: s.arbitrators.map((a) => ({ text: vp.person(a.arbitrator), detail: waiting(a) })) }] : []),
  ], { title: 'Stats' });
}

/** The policy's registration terms in words: how long protection lasts, its warnings, and dormancy. */
function protectionFacts(r: Policy['registration']): string {
  const endWarning = expiryWarningDays(r);
  const end = endWarning > 0 ? ` (warning ${plural(endWarning, 'day')} before it ends; logged activity does not extend it)` : ' (logged activity does not extend it)';
  return `${plural(r.protection_days, 'day')}${end}; dormant after ${plural(r.dormant_after_days, 'day')} without activity (${r.dormancy_warning_days > 0 ? `warning ${plural(r.dormancy_warning_days, 'day')} before` : 'no warning before'})`;
}

/** `/roe policy`: the rules in force, in words. */
export function policy(deps: HandlerDeps, viewer: Principal): Reply {
  const vp = viewpoint(deps, viewer);
  const p = vp.version.policy;
  return reply(`Policy ${p.version}`, [
    {
      type: 'facts',
      facts: [
        { label: 'Version', value: `${p.version}, effective ${p.effective}` },
        { label: 'Protection', value: protectionFacts(p.registration) },
        { label: 'Arbitration SLA', value: `${p.sla.arbitration} of business time (${p.business_hours.days.join(', ')} ${p.business_hours.start}-${p.business_hours.end}, ${p.timezone})` },
        { label: 'Product lines', value: p.product_lines.join(', ') },
        // What a ruling leaves behind (settle.ts recentRulingAgainst): told to whoever would meet it, before they file.
        { label: 'Rulings', value: `a ruling stands for ${plural(p.registration.protection_days, 'day')} on its account and product line: until then a new claim there by a party it went against needs an arbitrator’s approval` },
        {
          label: 'Violations',
          // As stats and consequences count them: a claim that lost a ruling (settle.ts marks it), not one the criteria settled.
          value: `a claim filed against another party’s protection that an arbitrator rules against is a violation (a claim the criteria reject on their own is not); a partner with ${plural(p.consequences.violations_to_flag, 'violation')} within ${plural(p.consequences.window_days, 'day')} is flagged: ${flagConsequence(p)}`,
        },
      ],
    },
    { type: 'list', title: 'Coverage (first match wins)', items: p.coverage.map((c) => ({ text: `${c.name}: ${c.model}`, detail: `${Object.entries(c.when).map(([k, v]) => `${k}=${String(v)}`).join(', ') || 'every other account'}; arbitrator ${vp.person(c.arbitrator)}${c.escalation.length ? `, then ${c.escalation.map(vp.person).join(', ')}` : ''}${c.requires_approval ? '; claims need an arbitrator’s approval' : ''}` })) },
    { type: 'list', title: 'Ownership criteria (in order)', items: p.criteria.map((c, i) => ({ text: `${i + 1}. ${ruleTitle(c.rule)} (${c.rule})`, detail: c.auto ? 'decides automatically' : 'recommends; the arbitrator decides' })) },
  ], { title: 'Rules of engagement' });
}

/**
 * `/roe case <number>`: a dispute as it stands, for those who may see it (a party's people, the
 * company's). One the viewer may rule on (any of the queue, not only the ten with an Open button)
 * comes with its ruling buttons through an Open button, as the queue's cases do: in Slack it
 * posts the case to their direct messages with the bot, where its buttons then update it in
 * place (a command's answer is only theirs to see, and cannot be updated so); in Teams it shows
 * the case card. The console shows the buttons at once.
 */
function openCase(deps: HandlerDeps, viewer: Principal, given: string): Reply {
  // "0" names no dispute: it is asked for, as a word is (not refused as a forged button would be).
  const n = /^#?\d{1,9}$/.test(given) ? parseNumberId(given) : null;
  const id = n === null ? null : String(n);
  // Only a person of the policy has a queue to find it in (see queue); anyone else, a partner's user too, finds it with the account.
  const find = viewer.kind === 'internal' && viewer.personKey ? `${cmd(viewer, 'roe queue')} lists those waiting for your ruling.` : `${cmd(viewer, 'who-owns <account>')} names the disputes of an account.`;
  if (!id) return reply('Which dispute?', [text(`Give the dispute's number: ${cmd(viewer, 'roe case 12')}. ${find}`, 'warning')]);
  const card = caseCard(deps, viewer, id);
  if (onConsole(viewer) || !card.blocks.some((b) => b.type === 'actions')) return card;
  return { ...card, blocks: [...card.blocks.filter((b) => b.type !== 'actions'), { type: 'actions', actions: [{ action: ACTIONS.openCase, label: `Open #${id} to rule`, value: id }] }] };
}

/** What `/roe` answers to (and, typed to the bot in Teams, the commands beside it). */
const ROE_WORDS = ['mine', 'queue', 'case', 'activity', 'stats', 'policy', 'help'] as const;
const COMMAND_WORDS = ['who-owns', 'claim', 'dispute'] as const;

/**
 * The line above the help for a word no command answers to: the command it is a slip for, when one
 * is near (`minee`: `/roe mine`; in Teams `who-own`: `who-owns`), or, for `answer`, how a question
 * is answered where there is no such command (the console has `/answer N`).
 */
function unknownCommand(deps: HandlerDeps, viewer: Principal, word: string, typed: string): Block[] {
  if (word === 'answer' && !onConsole(viewer)) {
    return [text('There is no answer command: an arbitrator’s question comes to your chat with me with an Answer button, and only the arbitrator reads your answer. Here is what else I can do:', 'warning')];
  }
  const near = nearMiss(word, [...ROE_WORDS, ...COMMAND_WORDS]);
  if (near === undefined && viewer.kind !== 'unknown') {
    // An account's name typed alone (in Teams, to the bot as to a colleague; `/roe acme`): what
    // to type for its answer, and a button that shows it.
    const account = findAccount(deps, typed);
    if (account) {
      return [
        text(`Unknown command "${word}". To see who owns ${account.name}, type ${cmd(viewer, `who-owns ${account.name}`)}, or open it here:`, 'warning'),
        { type: 'actions', actions: [{ action: ACTIONS.pickAccount, label: account.name, value: account.id }] },
        text('Here is what else I can do:', 'muted'),
      ];
    }
  }
  const suggested = near === undefined ? '' : ` (did you mean ${cmd(viewer, (COMMAND_WORDS as readonly string[]).includes(near) ? near : `roe ${near}`)}?)`;
  return [text(`Unknown command "${word}"${suggested}. Here is what I can do:`, 'warning')];
}

/** `/roe <sub>`: dispatch, with help for anything unknown. */
export function roe(deps: HandlerDeps, viewer: Principal, args: string): Reply {
  const [first, given = ''] = args.trim().split(/\s+/);
  const sub = first?.toLowerCase() ?? '';
  if (viewer.kind === 'unknown' && sub !== '' && sub !== 'help') return help(viewer);
  switch (sub) {
    case 'mine':
    case 'queue': {
      // An optional page number, read as `case` reads its number: the word after the command.
      const page = pageNumber(given);
      if (page === null) return notAPage(viewer, sub, given);
      return sub === 'mine' ? mine(deps, viewer, page) : queue(deps, viewer, page);
    }
    case 'case':
      return openCase(deps, viewer, given);
    // Any claim, not only those going dormant soonest that /roe mine has buttons for.
    case 'activity':
      return logClaimActivity(deps, viewer, given);
    case 'stats':
      return stats(deps, viewer, args.trim().split(/\s+/).slice(1));
    case 'policy':
      return policy(deps, viewer);
    case '':
    case 'help':
    case '?':
      return help(viewer);
    default: {
      const r = help(viewer);
      return { ...r, blocks: [...unknownCommand(deps, viewer, sub, args.trim()), ...r.blocks] };
    }
  }
}

/** App Home: the viewer's claims, and for an arbitrator their queue. */
export function home(deps: HandlerDeps, viewer: Principal): Reply {
  if (viewer.kind === 'unknown') return help(viewer);
  // The command most people need, and where the others are: App Home is where a newcomer looks.
  const commands = text(`Before you call on an account, ${cmd(viewer, 'who-owns acme')} tells who owns it and why. ${cmd(viewer, 'roe help')} lists every command.`, 'muted');
  const claims = mine(deps, viewer).blocks;
  if (viewer.kind !== 'internal' || !viewer.personKey) return reply('roe-bot', [...claims, commands], { title: 'roe-bot' });
  // Cases waiting for their ruling come first, when there are any: an arbitrator's work, above
  // their own claims (often none: "You have no claims" was the first thing they read).
  const waiting = queueFor(deps.ctx, viewer.personKey).length > 0;
  const cases = queue(deps, viewer).blocks;
  return reply('roe-bot', [...(waiting ? [...cases, { type: 'divider' } as const, ...claims] : [...claims, { type: 'divider' } as const, ...cases]), commands], { title: 'roe-bot' });
}
