import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/app/cli.js';
import { parseDocument } from 'yaml';
import { PolicyError, parsePolicy, parsePolicyWithWarnings } from '../../../src/core/policy/load.js';
import { slaDueAt } from '../../../src/core/sla/sla.service.js';
import { effectiveInstant } from '../../../src/core/policy/versions.js';
import { policyTextWith, ROOT } from '../../support/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-policy-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** `npx roe policy check FILE` on the example with these edits: what the admin reads, and the exit code. */
async function check(edits: [string | RegExp, string][]): Promise<{ code: number; out: string; err: string; file: string; text: string }> {
  const file = join(dir, `p${files++}.yaml`);
  const text = policyTextWith(edits);
  writeFileSync(file, text);
  return { ...(await checkFile(file)), file, text };
}

async function checkFile(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['policy', 'check', file], { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`), env: {}, stdin: process.stdin, stdout: process.stdout });
  return { code, out, err };
}

function problemsOf(text: string): string[] {
  try {
    parsePolicy(text);
  } catch (e) {
    if (e instanceof PolicyError) return e.problems;
    throw e;
  }
  return [];
}

/** The 1-based line of `text` where `at` first occurs. */
const lineOf = (text: string, at: string) => text.slice(0, text.indexOf(at)).split('\n').length;

describe('roe policy check lists every problem in one run', () => {
  it('a bad SLA duration is listed with bad reminders and a bad escalation channel, not after they are fixed', async () => {
    const r = await check([
      ['arbitration: 16h', 'arbitration: 16 hours'],
      ['reminders: [0.5, 0.8]', 'reminders: [1.5, 0.8]'],
      ['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: C0ESCAL'],
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${r.file}: line ${lineOf(r.text, 'arbitration:')}: sla.arbitration: invalid duration "16 hours": use e.g. 16h, 90m, 1h30m`);
    expect(r.err).toContain(`${r.file}: line ${lineOf(r.text, 'reminders:')}: sla.reminders[0]: 1.5 is not a fraction between 0 and 1`);
    expect(r.err).toContain(`${r.file}: line ${lineOf(r.text, 'escalation_channel:')}: sla.escalation_channel: expected a mapping of fields, got "C0ESCAL": write a channel per platform like { slack: C0ESCAL }`);
  });

  // Field errors that stopped the checks across fields: a fraction of a day (zod aborts on it),
  // a date of the wrong shape (aborted too), a misspelt model, an unknown field.
  const elsewhere: [string, [string, string], string][] = [
    ['a fraction of a day', ['protection_days: 90', 'protection_days: 1.5'], 'registration.protection_days: must be a whole number of days, got 1.5'],
    ['an effective date of the wrong shape', ['effective: 2026-01-01', 'effective: soon'], 'effective: expected a date like 2026-01-01'],
    ['a misspelt model', ['model: co-sell', 'model: cosell'], 'coverage[1].model: expected one of'],
    ['an unknown field', ['dormancy_warning_days: 7', 'dormancy_warning_days: 7\n  grace_days: 3'], 'registration: unknown field "grace_days"'],
  ];
  const crossField: [string, [string, string][], string][] = [
    ['business hours ending before they start', [['end: "17:00"', 'end: "08:00"']], 'business_hours.end: must be after start (09:00)'],
    ['a warning not before dormancy', [['dormancy_warning_days: 7', 'dormancy_warning_days: 30']], 'registration.dormancy_warning_days: must be less than dormant_after_days (30), got 30'],
    ['a last coverage rule that does not match every account', [['when: {}, model: partner-led', 'when: { tier: standard }, model: partner-led']], 'coverage[2].when: the last coverage rule must match every account (when: {})'],
    ['a criterion listed twice', [['rule: incumbent', 'rule: named-account']], 'criteria[2].rule: rule "named-account" is listed twice'],
    ['an unknown arbitrator', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]']], 'coverage[2].arbitrator: unknown person "robin"'],
    ['reminders out of order', [['reminders: [0.5, 0.8]', 'reminders: [0.8, 0.5]']], 'sla.reminders[1]: reminders must be in increasing order'],
    ['a product line named twice (a check of files only)', [['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Services, analytics]']], 'product_lines[3]: "analytics" repeats product_lines[1]'],
    ['a person twice in a chain (a check of files only)', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp, dana]']], 'coverage[2].escalation[2]: "dana" is already escalation[0] of this rule'],
    ['an empty escalation channel (a check of files only)', [['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: { slack: "" }']], 'sla.escalation_channel.slack: an empty channel id names no channel'],
  ];
  describe.each(elsewhere)('with %s', (_w, edit, fieldProblem) => {
    it.each(crossField)('%s is listed too', async (_n, edits, expected) => {
      const r = await check([edit, ...edits]);
      expect(r.code).toBe(1);
      expect(r.err.split('\n').filter((l) => l.includes(`: ${expected}`) || l.includes(`: ${fieldProblem}`)), r.err).toHaveLength(2);
    });
  });

  it('no field error anywhere hides a check across fields, of every policy or of files only', () => {
    const base = policyTextWith([
      ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]'],
      ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Services, analytics]'],
    ]);
    const leaves: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      if (path.length > 0) leaves.push(path);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(parseDocument(base).toJS(), []);
    // Every other field, made wrong in each way: what the two checks read (people, coverage[2], product_lines) aside.
    const others = leaves.filter(([top, i]) => top !== 'people' && top !== 'product_lines' && !(top === 'coverage' && (i === undefined || i === 2)));
    const hidden: string[] = [];
    for (const path of others) {
      for (const bad of [1.5, 'x', null, [], { a: 1 }]) {
        const doc = parseDocument(base);
        doc.setIn(path, bad);
        const found = problemsOf(doc.toString());
        if (!found.includes('coverage[2].arbitrator: unknown person "robin"') || !found.some((p) => p.startsWith('product_lines[3]: "analytics" repeats'))) hidden.push(`${path.join('.')}: ${JSON.stringify(bad)}`);
      }
    }
    expect(others.length).toBeGreaterThan(60);
    expect(hidden).toEqual([]);
  });

  it('a mistake is reported once: a check across fields leaves out a field that is itself wrong', async () => {
    const r = await check([['end: "17:00"', 'end: "5pm"']]);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'end: "5pm"')}: business_hours.end: expected a time like "09:00" ("24:00" for midnight), got "5pm"\n`);
  });
});

describe('roe policy check: the SLA is written in business hours', () => {
  it.each([
    ['2d', '"2d" is 48h of business time: a d counts 24 business hours, not a working day (09:00-17:00); write business hours, e.g. 16h for 2 working days'],
    ['1d 4h', '"1d 4h" is 28h of business time: a d counts 24 business hours, not a working day (09:00-17:00); write business hours, e.g. 12h for 1 working day and 4h'],
  ])('refuses arbitration: %s (a d counted 24 business hours, not a working day), saying what to write instead', async (written, expected) => {
    const r = await check([['arbitration: 16h', `arbitration: ${written}`]]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'arbitration:')}: sla.arbitration: ${expected}\n`);
  });

  // Counting a deadline steps one calendar day at a time: one years away held the bot up for
  // seconds at every case opened (1000000h of 09:00-17:00 took about 9 s), and policy check let it through.
  it.each<[string, [string, string][], string]>([
    ['100000h of 09:00-17:00 on weekdays', [['arbitration: 16h', 'arbitration: 100000h']], '"100000h" is more than ten years of these business hours (40h a week, so 20800h in ten years): counting a deadline that far off would hold the bot up; write at most 20800h'],
    ['2000h of six minutes a working day', [['arbitration: 16h', 'arbitration: 2000h'], ['end: "17:00"', 'end: "09:06"']], '"2000h" is more than ten years of these business hours (30m a week, so 260h in ten years): counting a deadline that far off would hold the bot up; write at most 260h'],
  ])('refuses an SLA longer than ten years of the business hours: %s', async (_case, edits, expected) => {
    const r = await check(edits);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'arbitration:')}: sla.arbitration: ${expected}\n`);
  });

  it.each([['20800h'], ['480h'], ['90m'], ['1h30m']])('accepts arbitration: %s', async (written) => {
    const r = await check([['arbitration: 16h', `arbitration: ${written}`]]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('a stored version with a "d" keeps loading with the SLA it had: 24 business hours a day', () => {
    const p = parsePolicy(policyTextWith([['arbitration: 16h', 'arbitration: 1d']]), undefined, { stored: true });
    const version = { version: p.version, effectiveAt: effectiveInstant(p), policy: p };
    // Monday 10:00 New York + 24 business hours of 09:00-17:00 = Thursday 10:00.
    expect(slaDueAt(version, new Date('2026-11-30T15:00:00Z')).toISOString()).toBe('2026-12-03T15:00:00.000Z');
  });
});

describe('roe policy check: risky people and registration terms', () => {
  it.each([
    ['Slack user id', ['pat: { name: Pat Okafor, slack: U0PAT', 'pat: { name: Pat Okafor, slack: U0DANA'], 'slack: U0DANA, teams: "29:pat"', 'people.pat.slack: "U0DANA" is also the Slack user id of dana (Dana Reyes): a Slack user would be taken for whichever of the two comes first; give each person their own'],
    ['Teams user id', ['teams: "29:sam"', 'teams: "29:vp"'], 'teams: "29:vp", email: sam', 'people.sam.teams: "29:vp" is also the Teams user id of vp (Morgan Lee): a Teams user would be taken for whichever of the two comes first; give each person their own'],
    ['email, in another letter case', ['email: morgan@example.com', 'email: Dana@Example.com'], 'email: Dana@Example.com', 'people.vp.email: "Dana@Example.com" is also the email of dana (Dana Reyes); give each person their own'],
  ] as [string, [string, string], string, string][])('refuses two people with one %s, naming both', async (_n, edit, at, expected) => {
    const r = await check([edit]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, at)}: ${expected}\n`);
  });

  it.each([
    ['after', 'dormant_after_days: 120'],
    ['on', 'dormant_after_days: 90'],
  ])('warns, without refusing it, of dormancy %s the end of protection, naming both values', (_n, written) => {
    const text = policyTextWith([['dormant_after_days: 30', written]]);
    const days = Number(written.split(': ')[1]);
    const { warnings } = parsePolicyWithWarnings(text, 'p.yaml');
    expect(warnings).toEqual([
      `p.yaml: line ${lineOf(text, 'dormant_after_days')}: warning: registration.dormant_after_days: ${days} is not less than protection_days (90): protection ends first, so no claim filed in chat ever goes dormant and no dormancy warning is sent (a claim imported with its last activity long before its registration still may); to release idle claims before their protection ends, make it less than 90`,
    ]);
    expect(parsePolicyWithWarnings(policyTextWith([])).warnings).toEqual([]);
  });

  it('roe policy check says the file is valid, with its warning on stderr, and exits 0', async () => {
    const r = await check([['dormant_after_days: 30', 'dormant_after_days: 120']]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${r.file}: valid (version`);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'dormant_after_days')}: warning: registration.dormant_after_days: 120 is not less than protection_days (90): protection ends first, so no claim filed in chat ever goes dormant and no dormancy warning is sent (a claim imported with its last activity long before its registration still may); to release idle claims before their protection ends, make it less than 90\n`);
  });
});

describe('roe policy check: holidays the calendar keeps closed anyway', () => {
  it.each([
    ['a Saturday, working days mon-fri', [['2026-12-25]', '2026-12-25, 2027-12-25]']], '2027-12-25', 6, 'is a Saturday, not a working day (days: mon, tue, wed, thu, fri), so listing it closes nothing: if the holiday is observed on a working day instead (such as Friday 2027-12-24 or Monday 2027-12-27), list that date'],
    ['a Sunday, working days mon-sat', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri, sat]'], ['2026-12-25]', '2026-12-25, 2026-12-27]']], '2026-12-27', 6, 'is a Sunday, not a working day (days: mon, tue, wed, thu, fri, sat), so listing it closes nothing: if the holiday is observed on a working day instead (such as Saturday 2026-12-26 or Monday 2026-12-28), list that date'],
    ['a Monday, working days tue-sat', [['days: [mon, tue, wed, thu, fri]', 'days: [tue, wed, thu, fri, sat]'], ['2026-09-07, ', '']], '2026-05-25', 1, 'is a Monday, not a working day (days: tue, wed, thu, fri, sat), so listing it closes nothing: if the holiday is observed on a working day instead (such as Saturday 2026-05-23 or Tuesday 2026-05-26), list that date'],
  ] as [string, [string, string][], string, number, string][])('warns of a holiday on %s, naming the date, its weekday and the working days around it; the file is valid', async (_n, edits, date, at, expected) => {
    const r = await check(edits);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${r.file}: valid (version`);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'holidays:')}: warning: business_hours.holidays[${at}]: ${date} ${expected}\n`);
  });

  it('holidays on working days get no warning', () => {
    expect(parsePolicyWithWarnings(policyTextWith([['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri, sat, sun]'], ['2026-12-25]', '2026-12-25, 2027-12-25]']])).warnings).toEqual([]);
  });
});

describe('roe policy check: a section whose lines lost their indentation', () => {
  it('says the section is empty and that its fields, now at the top level, go under it', async () => {
    const r = await check([[/^registration:\n(?: {2}.*\n)+/m, 'registration:\nprotection_days: 90\ndormant_after_days: 30\ndormancy_warning_days: 7\n']]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      [
        'invalid policy:',
        `  ${r.file}: line ${lineOf(r.text, 'registration:')}: registration: is empty: write its fields on the lines under it, indented with spaces`,
        `  ${r.file}: line ${lineOf(r.text, 'protection_days:')}: (top level): unknown fields "protection_days", "dormant_after_days", "dormancy_warning_days" (fields of registration: indent them under registration, with spaces)`,
        '',
      ].join('\n'),
    );
  });
});

describe('roe policy check: consequences, each field optional', () => {
  it('a file that changes one threshold keeps the defaults of the others', async () => {
    const r = await check([[/^consequences:\n(?: {2}.*\n)+/m, 'consequences:\n  violations_to_flag: 5\n']]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(parsePolicy(r.text).consequences).toEqual({ window_days: 180, violations_to_flag: 5, flagged: 'require-approval' });
  });
});

describe('roe policy check: an escalation channel that names none', () => {
  it.each([
    ['an empty Slack channel', 'escalation_channel: { slack: "" }', 'slack', 'the Slack channel id, like C0ESCAL'],
    ['a Slack channel of spaces', 'escalation_channel: { slack: "   " }', 'slack', 'the Slack channel id, like C0ESCAL'],
    ['an empty Teams channel', 'escalation_channel: { slack: C0ESCAL, teams: "" }', 'teams', 'the Teams channel\'s conversation id, like "19:…@thread.tacv2"'],
    ['a Teams channel of a tab', 'escalation_channel: { teams: "\\t" }', 'teams', 'the Teams channel\'s conversation id, like "19:…@thread.tacv2"'],
  ])('refuses %s, naming its path', async (_n, written, platform, example) => {
    const r = await check([['escalation_channel: { slack: C0ESCAL }', written]]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'escalation_channel:')}: sla.escalation_channel.${platform}: an empty channel id names no channel to post escalated cases to: write ${example}, or leave the field out for none\n`);
  });

  it('a stored version with an empty channel keeps loading', () => {
    expect(parsePolicy(policyTextWith([['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: { slack: "" }']]), undefined, { stored: true }).sla.escalation_channel).toEqual({ slack: '' });
  });
});

describe('roe policy check: coverage and people that cannot work as written', () => {
  it.each([
    ['a catch-all before the last rule', ['- { name: Strategic, when: { tier: strategic }', '- { name: Everyone, when: {}, model: partner-led, arbitrator: pat }\n  - { name: Strategic, when: { tier: strategic }'], [
      ['coverage[1].when', '- { name: Strategic', 'never matches an account: coverage[0] ("Everyone") comes first and matches every account, and the first rule that matches wins (only the last rule may match every account)'],
      ['coverage[2].when', '- { name: Enterprise', 'never matches an account: coverage[0] ("Everyone") comes first and matches every account, and the first rule that matches wins (only the last rule may match every account)'],
      ['coverage[3].when', '- { name: Default', 'never matches an account: coverage[0] ("Everyone") comes first and matches every account, and the first rule that matches wins (only the last rule may match every account)'],
    ]],
    ['a rule an earlier one covers (its values among the earlier one\'s, in any letter case)', ['- { name: Enterprise, when: { segment: enterprise }', '- { name: Enterprise, when: { segment: [enterprise, mid-market] }, model: co-sell, arbitrator: dana }\n  - { name: EMEA enterprise, when: { segment: Enterprise, region: emea }'], [
      ['coverage[2].when', '- { name: EMEA enterprise', 'never matches an account: coverage[1] ("Enterprise") comes first and matches every account this rule matches, and the first rule that matches wins'],
    ]],
    ['a product line too long to offer in Slack', ['product_lines: [Core Platform,', `product_lines: [${'Core Platform '.repeat(11)}xx,`], [['product_lines[0]', 'product_lines:', '156 characters, more than 150: each is a choice in the claim and dispute forms, which Slack cannot offer past 150']]],
    // A misspelt field of `when` (or `when` itself misspelt) leaves a rule that reads as matching every account: the misspelling is the one mistake.
    ['a misspelt field of an earlier rule\'s when, and nothing else', ['when: { tier: strategic }', 'when: { teir: strategic }'], [['coverage[0].when', 'teir', 'unknown field "teir" (did you mean "tier"?)']]],
    ['an earlier rule\'s when misspelt, and nothing else', ['when: { tier: strategic }', 'wehn: { tier: strategic }'], [['coverage[0]', 'wehn', 'unknown field "wehn" (did you mean "when"?)']]],
    ['an empty value', ['when: { tier: strategic }', 'when: { tier: "" }'], [['coverage[0].when.tier', 'when: { tier: "" }', 'an empty value matches no account (an account with no tier has none to match): name a value, or leave the field out']]],
    ['an empty value in a list', ['when: { segment: enterprise }', 'when: { segment: [enterprise, " "] }'], [['coverage[1].when.segment', 'when: { segment: [', 'an empty value matches no account (an account with no segment has none to match): name a value, or leave the field out']]],
  ] as [string, [string, string], [string, string, string][]][])('refuses %s, naming what is wrong', async (_n, edit, expected) => {
    const r = await check([edit]);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n').filter((l) => l !== 'invalid policy:');
    expect(lines).toEqual(expected.map(([path, at, message]) => `${expected.length > 1 ? '  ' : ''}${r.file}: line ${lineOf(r.text, at)}: ${path}: ${message}`));
  });

  it('a narrower rule before a wider one is fine: each can match', async () => {
    const r = await check([['- { name: Enterprise, when: { segment: enterprise }', '- { name: EMEA enterprise, when: { segment: enterprise, region: emea }, model: co-sell, arbitrator: dana }\n  - { name: Enterprise, when: { segment: enterprise }']]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('warns of direct-led coverage with no direct-reserved criterion: the criteria could never give such an account to the direct team', async () => {
    const r = await check([['  - { rule: direct-reserved, auto: true }\n', '']]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'model: direct-led')}: warning: coverage[0].model: "Strategic" is direct-led, but no criterion is direct-reserved: a partner's claim on its accounts opens a case against the direct team that the criteria never decide for the direct team (add "- rule: direct-reserved" to criteria)\n`);
  });

  it.each([
    ['left out', [['  escalation_channel: { slack: C0ESCAL }\n', '']] as [string, string][], 'arbitration: 16h'],
    ['naming none', [['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: {}']] as [string, string][], 'escalation_channel: {}'],
  ])('warns of a policy that names no escalation channel (%s): nobody but the log hears of a case nobody of its chain may take', async (_n, edits, at) => {
    const r = await check(edits);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      `${r.file}: line ${lineOf(r.text, at)}: warning: sla.escalation_channel: names no channel for Slack or Teams: a case past the end of its escalation chain is told to its last arbitrator alone, and one whose last arbitrator cannot be reached (their user deactivated or gone) to nobody in chat, only to the bot's log as an error; name a channel of your own, like escalation_channel: { slack: C0ESCAL } (partner flags are announced there too)\n`,
    );
  });

  it('a policy naming an escalation channel for one platform only gets no warning from the file alone', () => {
    expect(parsePolicyWithWarnings(policyTextWith([['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: { teams: "19:escal@thread.tacv2" }']])).warnings).toEqual([]);
  });

  it('warns of an arbitrator or escalation person no chat user can be, naming where the policy first names them', async () => {
    const r = await check([[/pat: \{ name: Pat Okafor[^}]*\}/, 'pat: { name: Pat Okafor, email: pat@example.com }']]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, 'arbitrator: pat')}: warning: coverage[2].arbitrator: pat (Pat Okafor) rules cases but has neither a Slack nor a Teams user id: in Slack and Teams their cases and reminders reach nobody, and nobody can rule as them (give "slack" or "teams" under people.pat)\n`);
  });
});

describe('roe policy check: problems in plain words, naming the value', () => {
  it.each([
    [['reminders: [0.5, 0.8]', 'reminders: [0.5, 1]'], 'sla.reminders[1]: 1 is not a fraction between 0 and 1 (0.5 reminds halfway to the deadline)'],
    [['reminders: [0.5, 0.8]', 'reminders: [0, 0.8]'], 'sla.reminders[0]: 0 is not a fraction between 0 and 1 (0.5 reminds halfway to the deadline)'],
    [['protection_days: 90', 'protection_days: 1.5'], 'registration.protection_days: must be a whole number of days, got 1.5'],
    [['protection_days: 90', 'protection_days: 0'], 'registration.protection_days: must be at least 1, got 0'],
    [['dormancy_warning_days: 7', 'dormancy_warning_days: -1'], 'registration.dormancy_warning_days: must be at least 0, got -1'],
    [['window_days: 180', 'window_days: 0.5'], 'consequences.window_days: must be a whole number of days, got 0.5'],
    [['violations_to_flag: 3', 'violations_to_flag: 2.5'], 'consequences.violations_to_flag: must be a whole number of violations, got 2.5'],
    [['violations_to_flag: 3', 'violations_to_flag: 0'], 'consequences.violations_to_flag: must be at least 1, got 0'],
    [['email: dana@example.com', 'email: dana-at-example'], 'people.dana.email: expected an email address like dana@example.com, got "dana-at-example"'],
    [['stages: [prospecting, qualified, proposal, negotiation, commit]', 'stages: []'], 'stages: name at least one stage, or leave the field out for the default'],
  ] as [[string, string], string][])('%j: %s', async (edit, expected) => {
    const r = await check([edit]);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, edit[1])}: ${expected}\n`);
  });

  it('never shows zod\'s own wording', async () => {
    const r = await check([
      ['protection_days: 90', 'protection_days: 2.5'],
      ['dormant_after_days: 30', 'dormant_after_days: -3'],
      ['dormancy_warning_days: 7', 'dormancy_warning_days: 1e300'],
      ['reminders: [0.5, 0.8]', 'reminders: [-1, 2, 0.5]'],
      ['window_days: 180', 'window_days: 0'],
      ['violations_to_flag: 3', 'violations_to_flag: 1.1'],
      ['email: sam@example.com', 'email: "@"'],
      ['stages: [prospecting, qualified, proposal, negotiation, commit]', 'stages: []'],
    ]);
    expect(r.err.trim().split('\n').length).toBeGreaterThanOrEqual(9);
    expect(r.err).not.toMatch(/Too (small|big)|expected int|Invalid (input|email)|>0|<1/);
  });
});

describe('roe policy check: YAML written by other tools', () => {
  it('a %YAML 1.1 line is refused, naming it: 1.1 reads dates and times otherwise (09:00 as 540, 2026-02-30 as March 2)', async () => {
    const file = join(dir, 'yaml11.yaml');
    writeFileSync(file, `%YAML 1.1\n---\n${policyTextWith([['effective: 2026-01-01', 'effective: 2026-02-30']])}`);
    const r = await checkFile(file);
    expect(r).toMatchObject({ code: 1, err: `${file}: line 1: %YAML 1.1: the policy is read as YAML 1.2 (the dates and times of 1.1 are read otherwise); remove this line\n` });
    // Written as 1.2, or without the line, the impossible date is named.
    writeFileSync(file, `%YAML 1.2\n---\n${policyTextWith([['effective: 2026-01-01', 'effective: 2026-02-30']])}`);
    expect((await checkFile(file)).err).toMatch(/effective: /);
    expect((await checkFile(file)).code).toBe(1);
  });

  it('a merge key (<<: *name) is named as one, with what to do instead', () => {
    const text = policyTextWith([['registration:', 'base: &base { protection_days: 90 }\nregistration:\n  <<: *base']]);
    expect(problemsOf(text)).toEqual(expect.arrayContaining([expect.stringContaining('unknown field "<<" (a merge key, <<: *name, is not read: write the fields out, or use an alias for a whole value)')]));
  });

  it('a file with old Mac line endings (CR alone) reads as one with LF', async () => {
    const file = join(dir, 'cr.yaml');
    writeFileSync(file, policyTextWith([]).replace(/\n/g, '\r'));
    expect(await checkFile(file)).toMatchObject({ code: 0, err: '', out: expect.stringContaining(': valid (version 2026.1') });
  });

  it.each(['EST', 'MST', 'HST', 'EST5EDT'])('timezone: %s (an abbreviation, not a region) is valid with a warning naming what to write', async (zone) => {
    const r = await check([['timezone: America/New_York', `timezone: ${zone}`]]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, `timezone: ${zone}`)}: warning: timezone: "${zone}" is an abbreviation or an offset, not a region: its clock may not follow daylight saving time, so business hours, SLAs and effective dates could be an hour off for part of the year; write the region, such as America/New_York or Europe/Berlin\n`);
  });

  it.each([
    ['a no-break space', 'Core\u00a0Platform', 'a no-break space'],
    ['two spaces', 'Core  Platform', 'two spaces in a row'],
    ['a zero-width space', 'Core\u200bPlatform', 'an invisible character'],
    ['a direction override', 'Core \u202ePlatform', 'an invisible character'],
  ])('a product line written with %s is refused: a look-alike would be another product line', (_, written, what) => {
    const text = policyTextWith([['product_lines: [Core Platform, Analytics, Services]', `product_lines: [Core Platform, Analytics, Services, "${written}"]`]]);
    expect(problemsOf(text)).toEqual([`product_lines[3]: "${written}" holds ${what}: write its words with single plain spaces (it is chosen in forms, typed in CSV files and compared as written, so a look-alike would be another product line)`]);
  });

  it.each([
    ['Etc/GMT+5', ' ("Etc/GMT+5" is 5 hours behind UTC: the sign is the reverse of what it reads)'],
    ['Etc/GMT-1', ' ("Etc/GMT-1" is 1 hour ahead of UTC: the sign is the reverse of what it reads)'],
  ])('timezone: %s (a fixed offset under Etc/, not a region) is valid with a warning naming its offset', async (zone, reversed) => {
    const r = await check([['timezone: America/New_York', `timezone: ${zone}`]]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`${r.file}: line ${lineOf(r.text, `timezone: ${zone}`)}: warning: timezone: "${zone}" is an abbreviation or an offset, not a region${reversed}: its clock may not follow daylight saving time, so business hours, SLAs and effective dates could be an hour off for part of the year; write the region, such as America/New_York or Europe/Berlin\n`);
  });

  it.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Etc/UTC', 'Etc/GMT'])('timezone: %s gets no warning', async (zone) => {
    expect((await check([['timezone: America/New_York', `timezone: ${zone}`]])).err).toBe('');
  });
});

describe('roe policy check: a file it cannot read', () => {
  it('is one line naming the file and the cause', async () => {
    const missing = join(dir, 'nope.yaml');
    const r = await checkFile(missing);
    expect(r).toEqual({ code: 1, out: '', err: `${missing}: cannot read the file (no such file)\n` });
  });

  it('a file with one problem is one line too; several are listed under a header', async () => {
    const one = await check([['arbitrator: pat,', 'arbitrator: robin,']]);
    expect(one.err).toBe(`${one.file}: line ${lineOf(one.text, 'arbitrator: robin')}: coverage[2].arbitrator: unknown person "robin"\n`);
    const two = await check([['arbitrator: pat,', 'arbitrator: robin,'], ['America/New_York', 'Mars/Olympus']]);
    expect(two.err.split('\n').slice(0, 1)).toEqual(['invalid policy:']);
    expect(two.err.trim().split('\n')).toHaveLength(3);
  });
});

describe('roe policy check: errors and warnings in one run, in the order of the file', () => {
  const EST = 'timezone: "EST" is an abbreviation or an offset, not a region: its clock may not follow daylight saving time, so business hours, SLAs and effective dates could be an hour off for part of the year; write the region, such as America/New_York or Europe/Berlin';
  const LATE_DORMANCY = 'registration.dormant_after_days: 120 is not less than protection_days (90): protection ends first, so no claim filed in chat ever goes dormant and no dormancy warning is sent (a claim imported with its last activity long before its registration still may); to release idle claims before their protection ends, make it less than 90';

  it('a file with an error shows its warning in the same run, both listed by their line', async () => {
    const r = await check([['timezone: America/New_York', 'timezone: EST'], ['window_days: 180', 'window_days: -5']]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(['invalid policy:', `  ${r.file}: line 7: warning: ${EST}`, `  ${r.file}: line 41: consequences.window_days: must be at least 1, got -5`, ''].join('\n'));
    expect([lineOf(r.text, 'timezone:'), lineOf(r.text, 'window_days:')]).toEqual([7, 41]);
  });

  it('two warnings are printed by their line, not in the order they are checked', async () => {
    const r = await check([['dormant_after_days: 30', 'dormant_after_days: 120'], ['timezone: America/New_York', 'timezone: EST']]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${r.file}: valid (version 2026.1, effective 2026-01-01, 3 coverage rules, 5 criteria)\n`);
    expect(r.err).toBe(`${r.file}: line 7: warning: ${EST}\n${r.file}: line 22: warning: ${LATE_DORMANCY}\n`);
    expect([lineOf(r.text, 'timezone:'), lineOf(r.text, 'dormant_after_days:')]).toEqual([7, 22]);
  });

  it('errors are listed by their line, not in the order they are checked', async () => {
    const r = await check([['version: "2026.1"', 'version: 2026.1'], ['window_days: 180', 'window_days: -5'], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]']]);
    expect(r.code).toBe(1);
    expect(r.err).toBe([
      'invalid policy:',
      `  ${r.file}: line 5: version: got the number 2026.1: put the version in quotes, e.g. version: "2026.10" (unquoted, YAML reads 2026.10 as the number 2026.1)`,
      `  ${r.file}: line 27: coverage[2].arbitrator: unknown person "robin"`,
      `  ${r.file}: line 41: consequences.window_days: must be at least 1, got -5`,
      '',
    ].join('\n'));
  });

  it.each([
    ['dormancy against a protection that is no whole number', [['protection_days: 90', 'protection_days: 90.5'], ['dormant_after_days: 30', 'dormant_after_days: 120']], 'protection_days:', 'registration.protection_days: must be a whole number of days, got 90.5'],
    ['direct-led coverage against a misspelt criterion (it may be the direct-reserved one)', [['rule: direct-reserved', 'rule: direct-reservd']], 'rule: direct-reservd', 'criteria[1].rule: expected one of'],
    ['a holiday against working days with a wrong one', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri, funday]'], ['2026-12-25]', '2026-12-25, 2027-12-25]']], 'days:', 'business_hours.days[5]: expected one of'],
    ['an arbitrator with no chat id, whose entry has an unknown field (the id misspelt)', [[/pat: \{ name: Pat Okafor[^}]*\}/, 'pat: { name: Pat Okafor, slak: U0PAT }']], 'pat: {', 'people.pat: unknown field "slak"'],
  ] as [string, [string | RegExp, string][], string, string][])('no warning rests on a value that is itself wrong: %s', async (_n, edits, at, expected) => {
    const r = await check(edits);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${(`${r.file}: line ${lineOf(r.text, at)}: ${expected}`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\n]*\\n$`));
  });

  it('a direct-led rule whose name is itself wrong is warned of by its place, not by the name it lacks', async () => {
    const DIRECT_LED = 'is direct-led, but no criterion is direct-reserved: a partner\'s claim on its accounts opens a case against the direct team that the criteria never decide for the direct team (add "- rule: direct-reserved" to criteria)';
    for (const [name, problem] of [
      ['', 'coverage[0].name: is required'],
      ['name: 12, ', 'coverage[0].name: expected text, got 12'],
    ] as const) {
      const r = await check([['{ name: Strategic, ', `{ ${name}`], ['  - { rule: direct-reserved, auto: true }\n', '']]);
      const line = lineOf(r.text, 'model: direct-led');
      expect(r.code).toBe(1);
      expect(r.err).toBe(['invalid policy:', `  ${r.file}: line ${line}: ${problem}`, `  ${r.file}: line ${line}: warning: coverage[0].model: This rule ${DIRECT_LED}`, ''].join('\n'));
    }
  });

  it('serve, the console and an import refusing the file print what policy check prints', async () => {
    const r = await check([['timezone: America/New_York', 'timezone: EST'], ['window_days: 180', 'window_days: -5']]);
    expect(r.err).toContain(`${r.file}: line 7: warning: ${EST}`);
    const env = { ROE_POLICY: r.file, DATABASE_PATH: join(dir, 'refused.db'), LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-secret' };
    for (const args of [['serve'], ['console'], ['import', 'partners', join(ROOT, 'examples/partners.csv')]]) {
      let out = '';
      let err = '';
      const code = await main(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`), env, stdin: process.stdin, stdout: process.stdout });
      expect({ args, code, out, err }).toEqual({ args, code: 1, out: '', err: r.err });
    }
  });
});

describe('roe policy check: a misspelt name is told the name it is near', () => {
  // A near miss of a name the file may use, one line saying what was meant: for a required field,
  // in place of that field's "is required" (the same slip, said twice).
  it.each([
    ['a required field misspelt', [['protection_days: 90', 'protecton_days: 90']], [['protecton_days', 'registration: unknown field "protecton_days" (did you mean "protection_days"?)']]],
    ['a required field with two letters swapped', [['end: "17:00"', 'edn: "17:00"']], [['edn:', 'business_hours: unknown field "edn" (did you mean "end"?)']]],
    ['a required field in another letter case', [['dormancy_warning_days: 7', 'Dormancy_Warning_Days: 7']], [['Dormancy_Warning_Days', 'registration: unknown field "Dormancy_Warning_Days" (did you mean "dormancy_warning_days"?)']]],
    ['an optional field misspelt', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalaton: [dana, vp]']], [['escalaton', 'coverage[2]: unknown field "escalaton" (did you mean "escalation"?)']]],
    ['a person\'s field misspelt', [['pat: { name: Pat Okafor, slack: U0PAT', 'pat: { name: Pat Okafor, slak: U0PAT']], [['slak', 'people.pat: unknown field "slak" (did you mean "slack"?)']]],
    ['a section misspelt', [['coverage:', 'coverge:']], [['coverge', '(top level): unknown field "coverge" (did you mean "coverage"?)']]],
    ['two required fields misspelt, each on its own line', [['protection_days: 90', 'protecton_days: 90'], ['dormant_after_days: 30', 'dormant_aftr_days: 30']], [
      ['protecton_days', 'registration: unknown field "protecton_days" (did you mean "protection_days"?)'],
      ['dormant_aftr_days', 'registration: unknown field "dormant_aftr_days" (did you mean "dormant_after_days"?)'],
    ]],
    ['a model misspelt', [['model: partner-led', 'model: partner-lead']], [['partner-lead', 'coverage[2].model: expected one of "partner-led"|"co-sell"|"direct-led", got "partner-lead" (did you mean "partner-led"?)']]],
    ['a rule misspelt', [['rule: first-registration', 'rule: first-registraton']], [['first-registraton', 'criteria[4].rule: expected one of "named-account"|"direct-reserved"|"incumbent"|"first-registration"|"furthest-stage", got "first-registraton" (did you mean "first-registration"?)']]],
    ['a working day in another letter case', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, Fri]']], [['days:', 'business_hours.days[4]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "Fri" (did you mean "fri"?)']]],
    ['a working day cut short otherwise (thurs)', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thurs, fri]']], [['days:', 'business_hours.days[3]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "thurs" (did you mean "thu"?)']]],
    ['a working day cut short otherwise (Tues)', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, Tues, wed, thu, fri]']], [['days:', 'business_hours.days[1]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "Tues" (did you mean "tue"?)']]],
    ['a working day cut short otherwise (weds)', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, weds, thu, fri]']], [['days:', 'business_hours.days[2]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "weds" (did you mean "wed"?)']]],
    ['a working day in full', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, Friday]']], [['days:', 'business_hours.days[4]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "Friday" (did you mean "fri"?)']]],
    ['a flag setting misspelt', [['flagged: require-approval', 'flagged: notify_only']], [['flagged:', 'consequences.flagged: expected one of "require-approval"|"notify-only", got "notify_only" (did you mean "notify-only"?)']]],
  ] as [string, [string, string][], [string, string][]][])('%s', async (_n, edits, expected) => {
    const r = await check(edits);
    expect(r.code).toBe(1);
    const lines = expected.map(([at, message]) => `${r.file}: line ${lineOf(r.text, at)}: ${message}`);
    expect(r.err).toBe(lines.length === 1 ? `${lines[0]}\n` : ['invalid policy:', ...lines.map((l) => `  ${l}`), ''].join('\n'));
  });

  // No guess where none is near, where the name it is near is written too, or where two are as near.
  it.each([
    ['a field near no other', [['dormancy_warning_days: 7', 'dormancy_warning_days: 7\n  grace_days: 3']], [['grace_days', 'registration: unknown field "grace_days"']]],
    ['a near miss of a field written too', [['protection_days: 90', 'protection_days: 90\n  protecton_days: 90']], [['protecton_days', 'registration: unknown field "protecton_days"']]],
    ['a working day as near two others', [['days: [mon, tue, wed, thu, fri]', 'days: [mun, tue, wed, thu, fri]']], [['days:', 'business_hours.days[0]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "mun"']]],
    ['a start two working days share', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, t, wed, thu, fri]']], [['days:', 'business_hours.days[1]: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun", got "t"']]],
    ['a model far from every one', [['model: partner-led', 'model: freestyle']], [['freestyle', 'coverage[2].model: expected one of "partner-led"|"co-sell"|"direct-led", got "freestyle"']]],
  ] as [string, [string, string][], [string, string][]][])('%s: no guess', async (_n, edits, expected) => {
    const r = await check(edits);
    expect(r.code).toBe(1);
    expect(r.err).toBe(expected.map(([at, message]) => `${r.file}: line ${lineOf(r.text, at)}: ${message}\n`).join(''));
  });
});
