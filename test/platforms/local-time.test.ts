/**
 * A global team reads the bot's times: a rep in Tokyo, a partner manager in London, an
 * arbitrator in San Francisco. Slack and Teams show a moment (a due time, a ruling's time) in
 * each reader's own time zone, saying so; the console and the plain notification text keep the
 * policy's zone, named ("Dec 2, 2026, 10:00 AM EST").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { roe } from '../../handlers/roe.js';
import { tick } from '../../src/app/scheduler.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { renderReply as renderConsole } from '../../handlers/platforms/console/render.js';
import { renderReply as renderSlack } from '../../handlers/platforms/slack/render.js';
import { renderReply as renderTeams } from '../../handlers/platforms/teams/render.js';
import { moment, momentsAsText, pieces } from '../../handlers/replies/moment.js';
import { reply, text, type Reply } from '../../handlers/replies/model.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { submitClaim } from '../../handlers/claim.js';
import { markdownOf } from '../support/fake-connector.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

const DUE = new Date('2026-12-02T15:00:00Z'); // Wednesday 10:00 in New York: Pat's SLA of 16 business hours from Monday 10:00
const SLACK_DUE = `<!date^${DUE.getTime() / 1000}^{date_short_pretty} at {time} your time|Dec 2, 2026, 10:00 AM EST>`;
const TEAMS_DUE = '{{DATE(2026-12-02T15:00:00Z, SHORT)}} at {{TIME(2026-12-02T15:00:00Z)}} your time';
const NONCHARACTERS = /[\uFDD0-\uFDEF]/;

/** Pat's queue and the card of the case in it, as the handlers answer them. */
function patsQueueAndCase(): { queue: Reply; card: Reply } {
  rt = testRuntime();
  const d = openArbitratedCase(rt);
  expect(d.dueAt).toEqual(DUE);
  const pat = as.person(rt, 'pat');
  return { queue: roe(rt.deps, pat, 'queue'), card: roe(rt.deps, pat, `case ${d.id}`) };
}

const slackTexts = (r: Reply) => JSON.stringify(renderSlack(r).blocks);
const teamsTexts = (r: Reply) => markdownOf(renderTeams(r)).join('\n');

describe('a due time in /roe queue and on a case card', () => {
  it('Slack shows it in the reader’s own time (a date token), with the policy’s time as its fallback', () => {
    const { queue, card } = patsQueueAndCase();
    const blocks = renderSlack(queue).blocks as unknown as { text?: { type: string; text: string } }[];
    const line = blocks.find((b) => b.text?.text.includes('due '))!;
    expect(line.text).toMatchObject({ type: 'mrkdwn' });
    expect(line.text!.text).toContain(`Soylent Corp (Analytics): due ${SLACK_DUE} (16 h of business time left)`);
    // The case card's Due fact too.
    expect(slackTexts(card)).toContain(`*Due*\\n${SLACK_DUE}`);
    // The notification text is plain: the policy's time, its zone named.
    expect(renderSlack(queue).text).not.toMatch(NONCHARACTERS);
  });

  it('Teams shows it in the reader’s own time (DATE and TIME), on the line and in the Due fact', () => {
    const { queue, card } = patsQueueAndCase();
    expect(teamsTexts(queue)).toContain(`Soylent Corp (Analytics): due ${TEAMS_DUE} (16 h of business time left)`);
    expect(teamsTexts(card)).toContain(TEAMS_DUE);
    expect(JSON.stringify(renderTeams(card))).not.toMatch(NONCHARACTERS);
  });

  it('the console shows the policy’s time, its zone named, and nothing else', () => {
    const { queue, card } = patsQueueAndCase();
    expect(renderConsole(queue)).toContain('Soylent Corp (Analytics): due Dec 2, 2026, 10:00 AM EST (16 h of business time left)');
    expect(renderConsole(card)).toContain('Dec 2, 2026, 10:00 AM EST');
    expect(renderConsole(queue) + renderConsole(card)).not.toMatch(NONCHARACTERS);
  });
});

describe('moments in text', () => {
  const at = moment(DUE, 'America/New_York');

  it('read as the policy’s words wherever a platform cannot show the reader’s time', () => {
    expect(momentsAsText(`due ${at}.`)).toBe('due Dec 2, 2026, 10:00 AM EST.');
    expect(pieces(`due ${at}.`)).toEqual([{ text: 'due ' }, { at: DUE, shown: 'Dec 2, 2026, 10:00 AM EST' }, { text: '.' }]);
  });

  it('a mark typed into a name counts only for the very moment its words name: any other is dropped, its words shown as typed', () => {
    const forged = `Dec 2, 2026, 10:00 AM EST\uFDD0t0@America/New_York\uFDD1`;
    expect(pieces(`Acme ${forged}`)).toEqual([{ text: 'Acme Dec 2, 2026, 10:00 AM EST' }]);
    const r = reply('x', [text(`Opportunity ${forged} \uFDD0 due ${at}`)]);
    const slack = slackTexts(r);
    expect(slack).toContain(`Opportunity Dec 2, 2026, 10:00 AM EST  due ${SLACK_DUE}`);
    expect(slack.match(/<!date/g)).toHaveLength(1);
    expect(teamsTexts(r).match(/\{\{DATE/g)).toHaveLength(1);
  });

  it('a Slack line holding characters mrkdwn would format is plain text, its moment in the policy’s words', () => {
    const r = reply('x', [text(`Deal *URGENT* :tada: due ${at}`)]);
    const blocks = renderSlack(r).blocks as unknown as { text: { type: string; text: string } }[];
    expect(blocks[0]!.text).toEqual({ type: 'plain_text', text: 'Deal *URGENT* :tada: due Dec 2, 2026, 10:00 AM EST', emoji: false });
  });

  it('a line cut to a platform’s limit shows the policy’s words, never half a token', () => {
    const r = reply('x', [text(`${'a'.repeat(2_990)} due ${at}`)]);
    const slack = renderSlack(r).blocks as unknown as { text: { text: string } }[];
    expect(slack[0]!.text.text).not.toMatch(/<!date|[\uFDD0\uFDD1]/);
    expect(slack[0]!.text.text.length).toBeLessThanOrEqual(3_000);
    const teams = teamsTexts(reply('x', [text(`${'a'.repeat(1_990)} due ${at}`)]));
    expect(teams).not.toMatch(/\{\{|[\uFDD0\uFDD1]/);
  });
});

describe('a day that ends at midnight where the policy is (a claim the CRM dated by days)', () => {
  const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';

  it('names the zone it ends in: a rep in San Francisco has until 9 PM there, not their own midnight', () => {
    rt = testRuntime();
    // Registered Nov 20 and last active Nov 25, by days: protected through Feb 17, dormant from the first moment of Dec 25, New York time.
    importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-9,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,protected,2026-11-20,2026-11-25'].join('\n'));
    const id = rt.store.claims.byRequestKey('import:CRM-9')!.id;
    const mine = renderConsole(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'));
    expect(mine).toContain(`#${id} Soylent Corp (Analytics): protected through Feb 17, 2027 EST (goes dormant at the end of Dec 24, 2026 EST unless activity is logged)`);
    // The warning a week before, of a claim filed at midnight there, says the same.
    rt.clock.set('2026-11-30T05:00:00Z'); // midnight in New York
    const filed = submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Wayne BI', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    for (let day = 0; day < 23; day++) {
      rt.clock.advance(86_400_000);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    const summaries = (rt.db.sqlite.prepare('select body from outbox').all() as { body: string }[]).map((m) => (JSON.parse(m.body) as Reply).summary);
    expect(summaries).toContain(`Claim #${rt.store.claims.all().at(-1)!.id} on Wayne Enterprises goes dormant at the end of Dec 29, 2026 EST`);
    expect(filed.summary).toMatch(/protected/);
  });
});
