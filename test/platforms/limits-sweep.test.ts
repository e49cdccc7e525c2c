/**
 * Every reply, form and queued notification of a database at its limits, rendered for Slack and
 * Teams and checked against the platforms' limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimForm } from '../../handlers/claim.js';
import { disputeForm } from '../../handlers/dispute.js';
import * as slack from '../../handlers/platforms/slack/render.js';
import * as teams from '../../handlers/platforms/teams/render.js';
import { isReply, type Form, type Reply } from '../../handlers/replies/model.js';
import { home, roe } from '../../handlers/roe.js';
import { askForm, awardForm, caseCard } from '../../handlers/rule.js';
import { showAccount, whoOwns } from '../../handlers/who-owns.js';
import { as } from '../support/runtime.js';
import { checkSlackMessage, checkSlackView, checkTeamsCard, utf16Bytes } from '../support/limits.js';
import { bigCase, buildWorld, claimAs, exact, MARKUP, type World } from '../support/limits-world.js';

let w: World;
let caseId: number;
beforeAll(() => {
  w = buildWorld({ partners: 120 });
  // A claim on each other product line (one party each: protected), then a case of 60 parties.
  claimAs(w, 100, w.productLines[1]!, 'qualified');
  claimAs(w, 101, w.productLines[2]!, 'qualified');
  caseId = bigCase(w, 60);
});
afterAll(() => w?.rt.close());

const viewers = () => ({ pat: as.person(w.rt, 'pat'), sam: as.person(w.rt, 'sam'), partner: as.partner(w.rt, w.partners[0]!.id), late: as.partner(w.rt, w.partners[59]!.id) });

function checkReplyBoth(name: string, r: Reply): { slack: string[]; teams: string[]; teamsBytes: number } {
  const s = slack.renderReply(r);
  const t = teams.renderReply(r);
  return {
    slack: [...checkSlackMessage(s, `${name} (slack)`), ...checkSlackView(slack.homeView(r), `${name} (home)`), ...checkSlackView(slack.resultView(r, 'Done'), `${name} (result)`)],
    teams: checkTeamsCard(t, `${name} (teams)`),
    teamsBytes: utf16Bytes(t),
  };
}

function checkFormBoth(name: string, f: Form): { slack: string[]; teams: string[]; teamsBytes: number } {
  const card = teams.renderForm(f, {});
  return { slack: checkSlackView(slack.renderForm(f, { channel: 'C0SHARED', message: { channel: 'D0PAT', ts: '1764000000.000100' }, thread: '1764000000.000100' }), `${name} (slack)`), teams: checkTeamsCard(card, `${name} (teams)`), teamsBytes: utf16Bytes(card) };
}

describe('replies at the limits', () => {
  it('who-owns, roe help/mine/queue/stats/policy, home and the case card fit Slack and Teams for every viewer', () => {
    const problems: string[] = [];
    for (const [who, v] of Object.entries(viewers())) {
      const replies: [string, Reply][] = [
        ['who-owns name', whoOwns(w.rt.deps, v, w.big.name)],
        ['who-owns query 200', whoOwns(w.rt.deps, v, exact(MARKUP, 200))],
        ['show account', showAccount(w.rt.deps, v, w.big.id)],
        ...(['help', 'mine', 'queue', 'stats', 'policy', exact('x', 150)] as const).map((s): [string, Reply] => [`roe ${s.slice(0, 10)}`, roe(w.rt.deps, v, s)]),
        ['home', home(w.rt.deps, v)],
      ];
      if (who !== 'sam') replies.push(['case card', caseCard(w.rt.deps, v, String(caseId))]);
      for (const [name, r] of replies) {
        const c = checkReplyBoth(`${who}: ${name}`, r);
        problems.push(...c.slack, ...c.teams);
      }
    }
    expect(problems).toEqual([]);
  });

  it('forms (claim, dispute, award, ask) fit a Slack modal and a Teams card', () => {
    const { pat, sam, partner } = viewers();
    const problems: string[] = [];
    const forms: [string, Form][] = [
      ['claim (internal)', claimForm(w.rt.deps, sam, w.big.name)],
      ['claim (partner)', claimForm(w.rt.deps, partner, w.big.name)],
      ['claim unknown', claimForm(w.rt.deps, sam, exact(MARKUP, 200))],
      ['dispute', disputeForm(w.rt.deps, partner, w.big.name, `Raised from this message: https://x.slack.com/archives/C0/p1\n"${exact(MARKUP, 1000)}"`)],
      ['award', awardForm(w.rt.deps, pat, String(caseId))],
      ['ask', askForm(w.rt.deps, pat, String(caseId))],
    ];
    for (const [name, f] of forms) {
      const c = checkFormBoth(name, f);
      problems.push(...c.slack, ...c.teams);
    }
    expect(problems).toEqual([]);
  });
});

describe('every queued notification', () => {
  it('renders within the limits on Slack and on Teams', () => {
    const rows = w.rt.db.sqlite.prepare('select id, target, body from outbox order by id').all() as { id: number; target: string; body: string }[];
    expect(rows.length).toBeGreaterThan(50);
    const problems: string[] = [];
    let rendered = 0;
    for (const row of rows) {
      const body: unknown = JSON.parse(row.body);
      if (!isReply(body)) continue;
      rendered += 1;
      problems.push(...checkSlackMessage(slack.renderReply(body), `outbox #${row.id} ${row.target}`));
      problems.push(...checkTeamsCard(teams.renderReply(body), `outbox #${row.id} (teams)`));
    }
    // Messages, not rows skipped: a sweep that rendered none would find no problem.
    expect(rendered).toBeGreaterThan(50);
    expect(problems).toEqual([]);
    // Every message of the world rendered twice: seconds of work, more on a loaded machine.
  }, 60_000);
});
