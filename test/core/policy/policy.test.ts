import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicy } from '../../../src/core/policy/load.js';
import { PolicyBook, effectiveInstant } from '../../../src/core/policy/versions.js';
import { BusinessCalendar } from '../../../src/core/sla/calendar.js';
import { examplePolicyText, policyTextWith } from '../../support/builders.js';

function problems(text: string, source?: string): string[] {
  try {
    parsePolicy(text, source);
  } catch (e) {
    if (e instanceof PolicyError) return e.problems;
    throw e;
  }
  return [];
}

describe('parsePolicy', () => {
  it('accepts the shipped example', () => {
    const p = parsePolicy(examplePolicyText());
    expect(p.version).toBe('2026.1');
    expect(p.criteria.map((c) => c.rule)).toEqual(['named-account', 'direct-reserved', 'incumbent', 'furthest-stage', 'first-registration']);
    expect(p.people.dana?.name).toBe('Dana Reyes');
  });

  it.each([
    ['an unknown arbitrator', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]']], 'coverage[2].arbitrator: unknown person "robin"'],
    ['an unknown person in an escalation chain', [['escalation: [vp] }\n  - { name: Enterprise', 'escalation: [nobody] }\n  - { name: Enterprise']], 'coverage[0].escalation[0]: unknown person "nobody"'],
    ['an unknown rule', [['rule: incumbent', 'rule: loudest-voice']], 'criteria[2].rule:'],
    ['a missing auto', [['{ rule: incumbent, auto: true }', '{ rule: incumbent }']], 'criteria[2].auto: is required'],
    ['a rule listed twice', [['rule: incumbent', 'rule: named-account']], 'criteria[2].rule: rule "named-account" is listed twice'],
    ['an unknown time zone', [['America/New_York', 'Mars/Olympus']], 'timezone: unknown time zone'],
    ['a bad SLA duration', [['arbitration: 16h', 'arbitration: soon']], 'sla.arbitration: invalid duration "soon"'],
    ['hours ending before they start', [['end: "17:00"', 'end: "08:00"']], 'business_hours.end: must be after start'],
    ['an unknown field', [['protection_days: 90', 'protection_days: 90\n  grace_days: 3']], 'registration: unknown field "grace_days"'],
    ['a negative protection', [['protection_days: 90', 'protection_days: -5']], 'registration.protection_days:'],
    ['no catch-all coverage rule', [['when: {}, model: partner-led', 'when: { tier: standard }, model: partner-led']], 'coverage[2].when: the last coverage rule must match every account'],
    ['an unknown model', [['model: co-sell', 'model: freestyle']], 'coverage[1].model:'],
    ['warning not before dormancy', [['dormancy_warning_days: 7', 'dormancy_warning_days: 30']], 'registration.dormancy_warning_days: must be less than dormant_after_days'],
    ['a warning of the end of protection not before it', [['dormancy_warning_days: 7', 'dormancy_warning_days: 7\n  expiry_warning_days: 90']], 'registration.expiry_warning_days: must be less than protection_days (90), got 90'],
  ] as [string, [string, string][], string][])('names the path of %s', (_n, edits, expected) => {
    const found = problems(policyTextWith(edits));
    expect(found.some((p) => p.startsWith(expected)), `got: ${found.join(' | ')}`).toBe(true);
  });

  // Each problem named as it is, once: no "Invalid input", no second problem that is not one.
  it.each([
    ['a number as a tier', [['when: { tier: strategic }', 'when: { tier: 1 }']], ['coverage[0].when.tier: expected a value like "enterprise" or a list of them, got 1 (in quotes: "1")']],
    ['an empty value', [['when: { tier: strategic }', 'when: { tier: null }']], ['coverage[0].when.tier: expected a value like "enterprise" or a list of them, got null']],
    ['a list holding a number', [['when: { segment: enterprise }', 'when: { segment: [enterprise, 2] }']], ['coverage[1].when.segment: expected a value like "enterprise" or a list of them, got ["enterprise",2]']],
    // Named on the start, not as an end that should come after it (no end comes after 24:00).
    ['hours starting at 24:00', [['start: "09:00"', 'start: "24:00"']], ['business_hours.start: "24:00" is the end of a day: business hours start at 23:59 at the latest']],
    ['an empty list', [['when: { tier: strategic }', 'when: { tier: [] }']], ['coverage[0].when.tier: an empty list matches no account: name at least one value, or leave the field out']],
    ['a boolean as a tier (it matched only a tier spelled "true")', [['when: { tier: strategic }', 'when: { tier: true }']], ['coverage[0].when.tier: expected a value like "enterprise" or a list of them, got true']],
    ['a start time without its leading zero', [['start: "09:00"', 'start: "9:00"']], ['business_hours.start: expected a time like "09:00" ("24:00" for midnight), got "9:00"']],
    [
      'two coverage rules of one name (who may rule a case is looked up by it)',
      [['name: Enterprise,', 'name: strategic,']],
      ['coverage[1].name: "strategic" is also the name of coverage[0]: each coverage rule needs its own name (a case keeps the name of its rule, and who may rule it and whom it escalates to are looked up by that name)'],
    ],
    ['a product line named twice', [['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Services, analytics]']], ['product_lines[3]: "analytics" repeats product_lines[1] ("Analytics"): product lines are matched in any letter case, so each must be named once']],
    ['a stage named twice', [['negotiation, commit]', 'negotiation, commit, Qualified]']], ['stages[5]: "Qualified" repeats stages[1] ("qualified"): stages are matched in any letter case, and each must have one place in the order']],
    ['an arbitrator who is also their own escalation', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [pat, vp]']], ['coverage[2].escalation[0]: "pat" is already the arbitrator of this rule: a breach would hand the case back to the same person']],
    ['a misspelt rule, shown as written', [['rule: incumbent', 'rule: incumbant']], ['criteria[2].rule: expected one of "named-account"|"direct-reserved"|"incumbent"|"first-registration"|"furthest-stage", got "incumbant" (did you mean "incumbent"?)']],
    ['a misspelt model, shown as written', [['model: co-sell', 'model: cosell']], ['coverage[1].model: expected one of "partner-led"|"co-sell"|"direct-led", got "cosell" (did you mean "co-sell"?)']],
    ['one person twice in an escalation chain', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp, dana]']], ['coverage[2].escalation[2]: "dana" is already escalation[0] of this rule: a breach would hand the case back to the same person']],
    // A "forever" written as nines: every claim's protection end would be past any date, and filing one fail.
    ['a protection too long for any date', [['protection_days: 90', 'protection_days: 99999999']], ['registration.protection_days: must be at most 10000000 (about 27,000 years), got 99999999: a date that many days away cannot be counted']],
    ['a dormancy too far off for any date', [['dormant_after_days: 30', 'dormant_after_days: 99999999']], ['registration.dormant_after_days: must be at most 10000000 (about 27,000 years), got 99999999: a date that many days away cannot be counted']],
    ['a violations window reaching before any date', [['window_days: 180', 'window_days: 1000000000']], ['consequences.window_days: must be at most 10000000 (about 27,000 years), got 1000000000: a date that many days away cannot be counted']],
  ] as [string, [string, string][], string[]][])('refuses %s, naming the problem', (_n, edits, expected) => {
    expect(problems(policyTextWith(edits))).toEqual(expected);
  });

  it.each([
    ['a boolean as a tier', [['when: { tier: strategic }', 'when: { tier: true }']]],
    ['two coverage rules of one name', [['name: Enterprise,', 'name: Strategic,']]],
    ['a product line named twice', [['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Services, Analytics]']]],
    ['an arbitrator who is also their own escalation', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [pat, vp]']]],
    ['a protection too long for any date', [['protection_days: 90', 'protection_days: 99999999']]],
  ] as [string, [string, string][]][])('a version stored by an earlier release with %s still loads', (_n, edits) => {
    expect(() => parsePolicy(policyTextWith(edits), undefined, { stored: true })).not.toThrow();
  });

  it('names the expected type and what it got', () => {
    expect(problems(policyTextWith([['protection_days: 90', 'protection_days: ninety']]))).toContain('registration.protection_days: expected a number, got "ninety"');
  });

  it('a file that is not a mapping says so', () => {
    expect(problems('- just\n- a list\n')).toEqual(['(top level): the policy must be a YAML mapping of fields (version, effective, timezone, …); see examples/policy.yaml']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('version: "1"\npeople: [unclosed\n')[0]).toMatch(/^YAML line \d+:/);
  });

  it.each([
    ['an impossible effective date', [['effective: 2026-01-01', 'effective: 2026-02-30']], 'effective: "2026-02-30" is not a date in the calendar (check the month and the day)'],
    ['an impossible holiday', [['holidays: [2026-01-01,', 'holidays: [2026-13-45,']], 'business_hours.holidays[0]: "2026-13-45" is not a date in the calendar (check the month and the day)'],
    ['a 29 February outside a leap year', [['2026-12-25]', '2026-02-29]']], 'business_hours.holidays[5]: "2026-02-29" is not a date in the calendar (check the month and the day)'],
    ['a date of the wrong shape', [['effective: 2026-01-01', 'effective: soon']], 'effective: expected a date like 2026-01-01, got "soon"'],
  ] as [string, [string, string][], string][])('refuses %s, once', (_n, edits, expected) => {
    expect(problems(policyTextWith(edits))).toEqual([expected]);
  });

  it.each([
    ['a leap day', [['effective: 2026-01-01', 'effective: 2028-02-29']], '2028-02-29'],
    ['the last day of a month', [['effective: 2026-01-01', 'effective: 2026-04-30']], '2026-04-30'],
  ] as [string, [string, string][], string][])('accepts %s', (_n, edits, effective) => {
    expect(parsePolicy(policyTextWith(edits)).effective).toBe(effective);
  });

  // The SLA calendar is built from every loaded policy: a policy that loads must never make it throw.
  it.each([
    ['the example', []],
    ['an impossible holiday', [['holidays: [2026-01-01,', 'holidays: [2026-02-30,']]],
    ['an impossible month', [['holidays: [2026-01-01,', 'holidays: [2026-13-01,']]],
    ['hours to midnight', [['end: "17:00"', 'end: "24:00"']]],
    ['hours from midnight to midnight', [['start: "09:00"', 'start: "00:00"'], ['end: "17:00"', 'end: "24:00"']]],
    ['an empty day', [['start: "09:00"', 'start: "17:00"']]],
    ['no working days', [['days: [mon, tue, wed, thu, fri]', 'days: []']]],
    ['an unknown time zone', [['America/New_York', 'America/Gotham']]],
  ] as [string, [string, string][]][])('with %s, either the policy is refused or its SLA calendar builds', (_n, edits) => {
    let policy;
    try {
      policy = parsePolicy(policyTextWith(edits));
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      return;
    }
    expect(() => new BusinessCalendar({ timezone: policy.timezone, ...policy.business_hours })).not.toThrow();
  });

  it.each([
    ['2026.10', 'got the number 2026.1: put the version in quotes, e.g. version: "2026.10"'],
    ['3', 'got the number 3: put the version in quotes'],
    ['true', 'expected text, got true'],
    ['""', 'must not be empty'],
  ])('refuses version: %s as a version name', (written, expected) => {
    const found = problems(policyTextWith([['version: "2026.1"', `version: ${written}`]]));
    expect(found.some((p) => p.startsWith(`version: ${expected}`)), `got: ${found.join(' | ')}`).toBe(true);
  });

  it('keeps a quoted version exactly as written', () => {
    expect(parsePolicy(policyTextWith([['version: "2026.1"', 'version: "2026.10"']])).version).toBe('2026.10');
  });

  it('lists every problem, not just the first', () => {
    expect(problems(policyTextWith([['America/New_York', 'Nowhere/Land'], ['arbitration: 16h', 'arbitration: x']])).length).toBeGreaterThanOrEqual(2);
  });
});

describe('parsePolicy with the source it was read from', () => {
  const example = examplePolicyText();
  /** The 1-based line of the example where `text` first occurs (after the edits). */
  const lineOf = (text: string, edits: [string, string][]) => {
    const edited = policyTextWith(edits);
    return edited.slice(0, edited.indexOf(text)).split('\n').length;
  };

  it('leaves problems unprefixed without a source', () => {
    expect(problems(policyTextWith([['arbitrator: pat,', 'arbitrator: robin,']]))).toEqual(['coverage[2].arbitrator: unknown person "robin"']);
  });

  it.each([
    ['the offending value', [['arbitrator: pat,', 'arbitrator: robin,']], 'arbitrator: robin', 'coverage[2].arbitrator: unknown person "robin"'],
    ['an unknown field\'s own key', [['dormancy_warning_days: 7', 'dormancy_warning_days: 7\n  grace_days: 3']], 'grace_days', 'registration: unknown field "grace_days"'],
    ['the mapping that lacks a field', [['{ rule: incumbent, auto: true }', '{ rule: incumbent }']], '{ rule: incumbent }', 'criteria[2].auto: is required'],
    ['an unquoted version', [['version: "2026.1"', 'version: 2026.10']], 'version: 2026.10', 'version: got the number 2026.1'],
    ['an impossible holiday', [['holidays: [2026-01-01,', 'holidays: [2026-13-45,']], '2026-13-45', 'business_hours.holidays[0]: "2026-13-45" is not a date'],
    ['hours ending before they start', [['end: "17:00"', 'end: "08:00"']], 'end: "08:00"', 'business_hours.end: must be after start'],
  ] as [string, [string, string][], string, string][])('names the file and the line of %s', (_n, edits, at, expected) => {
    const found = problems(policyTextWith(edits), 'my-policy.yaml');
    const prefix = `my-policy.yaml: line ${lineOf(at, edits)}: ${expected}`;
    expect(found.some((p) => p.startsWith(prefix)), `wanted ${prefix}; got: ${found.join(' | ')}`).toBe(true);
  });

  it.each([
    ['a missing top-level field', example.replace(/^timezone: .*\n/m, ''), 'my-policy.yaml: timezone: is required'],
    ['a file that is not a mapping', '- just\n- a list\n', 'my-policy.yaml: (top level): the policy must be a YAML mapping'],
    ['a YAML syntax error', 'version: "1"\npeople: [unclosed\n', 'my-policy.yaml: YAML line '],
  ])('names the file of %s', (_n, text, expected) => {
    const found = problems(text, 'my-policy.yaml');
    expect(found.some((p) => p.startsWith(expected)), `got: ${found.join(' | ')}`).toBe(true);
  });
});

describe('parsePolicy: what a mistyped file is told', () => {
  const example = examplePolicyText();
  const lineOf = (text: string, where: string) => text.slice(0, text.indexOf(where)).split('\n').length;

  it.each([
    ['a missing effective date', example.replace(/^effective: .*\n/m, ''), ['effective: is required']],
    ['an empty effective date', example.replace(/^effective: .*$/m, 'effective:'), ['effective: expected a date like 2026-01-01, got null']],
    ['NaN for a number', policyTextWith([['protection_days: 90', 'protection_days: .nan']]), ['registration.protection_days: expected a number, got NaN']],
    ['infinity for a number', policyTextWith([['protection_days: 90', 'protection_days: .inf']]), ['registration.protection_days: expected a number, got Infinity']],
    ['a person key with a space', policyTextWith([['  sam: {', '  "Sam P": {']]), ['people.Sam P: person keys are lower-case letters, digits, - and _']],
    // A list or a mapping written as one value: how to write it.
    ['one reminder without a list', policyTextWith([['reminders: [0.5, 0.8]', 'reminders: 0.5']]), ['sla.reminders: expected a list, got 0.5: write a list of fractions of the SLA like [0.5, 0.8]']],
    ['an escalation channel without its platform', policyTextWith([['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: C0ESCAL']]), ['sla.escalation_channel: expected a mapping of fields, got "C0ESCAL": write a channel per platform like { slack: C0ESCAL }']],
    ['one working day without a list', policyTextWith([['days: [mon, tue, wed, thu, fri]', 'days: mon']]), ['business_hours.days: expected a list, got "mon": write a list like [mon, tue, wed, thu, fri]']],
    ['one escalation person without a list', policyTextWith([['arbitrator: pat, escalation: [dana, vp] }', 'arbitrator: pat, escalation: vp }']]), ['coverage[2].escalation: expected a list, got "vp": write a list of people like [vp]']],
    ['a list for a number reads as before', policyTextWith([['protection_days: 90', 'protection_days: [90]']]), ['registration.protection_days: expected a number, got [90]']],
    // In words, not the validator's types (string, boolean, array, object, record, null).
    ['a number in quotes', policyTextWith([['protection_days: 90', 'protection_days: "90"']]), ['registration.protection_days: expected a number, got "90" (write it without quotes)']],
    ['true or false in quotes', policyTextWith([['rule: incumbent, auto: true', 'rule: incumbent, auto: "true"']]), ['criteria[2].auto: expected true or false, got "true" (write it without quotes)']],
    ['yes for true', policyTextWith([['model: co-sell, arbitrator: dana', 'model: co-sell, requires_approval: yes, arbitrator: dana']]), ['coverage[1].requires_approval: expected true or false, got "yes"']],
    // A date or time written otherwise, named as written: in a list of a dozen holidays, the path alone leaves them to count.
    ['a holiday written month first', policyTextWith([['2026-12-25]', '12/25/2026]']]), ['business_hours.holidays[5]: expected a date like 2026-01-01, got "12/25/2026"']],
    ['a start time in words', policyTextWith([['start: "09:00"', 'start: 9am']]), ['business_hours.start: expected a time like "09:00" ("24:00" for midnight), got "9am"']],
    ['a missing model', policyTextWith([['model: co-sell, ', '']]), ['coverage[1].model: is required: expected one of "partner-led"|"co-sell"|"direct-led"']],
    ['an empty rule', policyTextWith([['rule: incumbent, auto: true', 'rule: , auto: true']]), ['criteria[2].rule: is empty: expected one of "named-account"|"direct-reserved"|"incumbent"|"first-registration"|"furthest-stage"']],
    ['a number of hours for the SLA', policyTextWith([['arbitration: 16h', 'arbitration: 16']]), ['sla.arbitration: expected text, got 16: write a duration in business hours, like 16h']],
    ['a number for a name', policyTextWith([['name: Sam Patel', 'name: 12']]), ['people.sam.name: expected text, got 12']],
    // A section whose lines under it lost their indentation: it is empty, and they are fields of the top level.
    ['a section whose fields are not indented', policyTextWith([[/^registration:\n(?: {2}.*\n)+/m, 'registration:\nprotection_days: 90\ndormant_after_days: 30\ndormancy_warning_days: 7\n']]), [
      'registration: is empty: write its fields on the lines under it, indented with spaces',
      '(top level): unknown fields "protection_days", "dormant_after_days", "dormancy_warning_days" (fields of registration: indent them under registration, with spaces)',
    ]],
    ['people not indented', policyTextWith([[/^people:\n(?: {2}.*\n)+/m, 'people:\ndana: { name: Dana Reyes, slack: U0DANA }\n']]), [
      'people: is empty: write one person a line under it, indented with spaces, like "  dana: { name: Dana Reyes, slack: U0DANA }"',
      '(top level): unknown field "dana"',
    ]],
    ['an empty list of criteria', policyTextWith([[/^criteria:.*\n(?:(?: {2}.*)?\n)+/m, 'criteria:\n']]), ['criteria: is empty: write one criterion a line under it, in order, like "  - { rule: first-registration, auto: true }"']],
  ])('%s', (_n, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('an unknown top-level field is named with its line', () => {
    const text = example.replace(/^sla:/m, 'colour: blue\nsla:');
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: line ${lineOf(text, 'colour')}: (top level): unknown field "colour"`]);
  });

  it('a key given twice is named, once, with its line', () => {
    const text = example.replace(/^timezone: .*$/m, '$&\ntimezone: Europe/Paris');
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: YAML line ${lineOf(text, 'timezone: Europe')}: the key "timezone" appears twice in the same mapping`]);
  });

  it.each([
    ['the first line of a mapping', (t: string) => t.replace(/^  days:/m, '\tdays:'), ['days:']],
    ['a top-level field', (t: string) => t.replace(/^registration:/m, '\tregistration:'), ['registration:']],
    ['two lines', (t: string) => t.replace(/^  days:/m, '\tdays:').replace(/^  protection_days:/m, '\tprotection_days:'), ['days:', 'protection_days:']],
  ])('a tab indenting %s is named once per tab, not with every line it displaces', (_n, edit, lines) => {
    const text = edit(example);
    expect(problems(text, 'p.yaml')).toEqual(lines.map((l) => `p.yaml: YAML line ${lineOf(text, `\t${l}`)}: a tab indents this line; YAML indents with spaces only`));
  });

  it('a YAML error reads as one line, without the parser\'s own position and excerpt', () => {
    const text = policyTextWith([['start: "09:00"', 'start: "09:00']]);
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: YAML line ${lineOf(text, 'start:')}: the " that opens a value on this line is not closed: is its closing " missing?`]);
  });

  it('a quote not closed is said at the line it opens on, not at the end of the file the parser read into it', () => {
    const text = policyTextWith([['start: "09:00"', "start: '09:00\""]]);
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: YAML line ${lineOf(text, 'start:')}: the ' that opens a value on this line is not closed: is its closing ' missing?`]);
  });

  // The parser's own words (implicit keys, block and flow collections) name nothing a policy's writer knows.
  const FLOW = 'inside { … } or [ … ], a comma is missing between two values, or a value holds ": " (put such a value in quotes, like name: "Dana: Sales")';
  const NO_COLON = 'this line is not "field: value": is its colon, or the space after the colon, missing? (Or is the line after it indented more than this one?)';
  const TWO_FIELDS = 'this line holds a second "field:" after the first: write the inner field in { … }, like escalation_channel: { slack: C0ESCAL }, or on a line of its own, indented under this one (a value that holds ": " goes in quotes, like name: "Dana: Sales")';
  const FIELD_COLUMN = 'this field does not line up with the first field of its section: indent each field of a section with the same number of spaces';
  const ITEM_COLUMN = 'this "- " item does not line up with the first item of its list: indent each item of a list with the same number of spaces';
  const ITEM_NO_LIST = 'this "- " item lines up with no list: indent each item of a list with the same number of spaces as the first, under the field it belongs to';
  const EXTRA_CLOSE = (bracket: string, pair: string) => `this "${bracket}" closes no ${pair}: is it one too many? (Nothing after it is read until it is fixed.)`;
  const AFTER_VALUE = 'more follows the value that ends here: after a value in quotes, [ … ] or { … }, only a comma, a closing bracket or a # comment may follow on its line (is a quote or bracket one too many, or a value only partly in quotes?)';
  const UNCLOSED_LIST = 'the [ … ] that starts on this line is not closed: is its ] missing? (If it goes on to the next line, indent that line more than the field it belongs to.)';
  const UNCLOSED_MAPPING = 'the { … } that starts on this line is not closed: is its } missing? (If it goes on to the next line, indent that line more than the field it belongs to.)';
  it.each([
    ['a comma missing in { … }', [['rule: incumbent, auto: true', 'rule: incumbent auto: true']], 'rule: incumbent auto', FLOW],
    ['a colon in a value in { … }', [['name: Sam Patel', 'name: Sam: Patel']], 'name: Sam: Patel', FLOW],
    ['no space after a colon', [['timezone: America/New_York', 'timezone:America/New_York']], 'timezone:', NO_COLON],
    ['no colon', [['arbitration: 16h', 'arbitration 16h']], 'arbitration 16h', NO_COLON],
    // The line after a field indented more than it reads as more of its value: not as two fields on one line too.
    ['a field indented more than the one above it', [['  dormant_after_days: 30', '     dormant_after_days: 30']], 'protection_days:', NO_COLON],
    ['two fields on one line', [['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: slack: C0ESCAL']], 'escalation_channel:', TWO_FIELDS],
    ['a field indented less than the one above it', [['  dormant_after_days: 30', ' dormant_after_days: 30']], 'dormant_after_days:', FIELD_COLUMN],
    ['a list item indented more than the one above it', [['  - { rule: incumbent', '   - { rule: incumbent']], 'rule: incumbent', ITEM_COLUMN],
    // Not the parser's "a block sequence may not be used as an implicit map key", nor the items after it told they are out of line.
    ['a list item indented less than the one above it', [['  - { rule: incumbent', ' - { rule: incumbent']], 'rule: incumbent', ITEM_NO_LIST],
    ['the last list item indented less than the one above it', [['  - { rule: first-registration', ' - { rule: first-registration']], 'rule: first-registration', ITEM_NO_LIST],
    // One line for a bracket one too many, not one per token of the rest of the file, which the parser no longer reads.
    ['a ] one too many', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri]]']], 'days:', EXTRA_CLOSE(']', '[ … ]')],
    ['a } one too many', [['registration:', 'registration: }']], 'registration:', EXTRA_CLOSE('}', '{ … }')],
    ['a quote one too many', [['start: "09:00"', 'start: "09:00""']], 'start:', AFTER_VALUE],
    ['a value only partly in quotes', [['dana: { name: Dana Reyes', 'dana: { name: "Dana" Reyes']], 'dana:', AFTER_VALUE],
    // Said at the line the bracket opens on, where its closing one belongs, not at the next line, where the parser gave up.
    ['a [ … ] without its ]', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri']], 'days:', UNCLOSED_LIST],
    ['a [ … ] going on to a line indented no more than its field', [['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue,\n  wed, thu, fri]']], 'days:', UNCLOSED_LIST],
    ['a { … } without its }', [['email: dana@example.com }', 'email: dana@example.com']], 'dana: {', UNCLOSED_MAPPING],
    // The } is there, inside the [ … ]: only the ] is missing.
    ['a [ … ] without its ] inside a { … }', [['escalation: [dana, vp] }', 'escalation: [dana, vp }']], 'name: Default', UNCLOSED_LIST],
  ] as [string, [string, string][], string, string][])('a YAML mistake in plain words: %s', (_n, edits, at, expected) => {
    const text = policyTextWith(edits);
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: YAML line ${lineOf(text, at)}: ${expected}`]);
  });

  it('the first field of a section indented more than the others: each field out of line with it is named', () => {
    const text = policyTextWith([['  protection_days: 90', '    protection_days: 90']]);
    expect(problems(text, 'p.yaml')).toEqual([`p.yaml: YAML line ${lineOf(text, 'dormant_after_days')}: ${FIELD_COLUMN}`, `p.yaml: YAML line ${lineOf(text, 'dormancy_warning_days')}: ${FIELD_COLUMN}`]);
  });

  it.each([
    ['aliases that multiply (a billion laughs)', `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 10 }, (_, i) => `b${i}: &b${i} [${Array(10).fill(i ? `*b${i - 1}` : '*a').join(', ')}]`).join('\n')}\n`],
    ['an alias to nothing', 'version: *nowhere\n'],
  ])('%s: a PolicyError, not a crash', (_n, text) => {
    let thrown: unknown;
    try {
      parsePolicy(text, 'p.yaml');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    expect((thrown as PolicyError).problems[0]).toMatch(/^p\.yaml: YAML/);
  });
});

describe('effectiveInstant: midnight of the effective date in the policy\'s time zone', () => {
  it.each([
    ['2026-01-01', 'America/New_York', '2026-01-01T05:00:00.000Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00.000Z'],
    ['2026-12-02', 'America/New_York', '2026-12-02T05:00:00.000Z'],
    ['2026-12-02', 'UTC', '2026-12-02T00:00:00.000Z'],
    ['2026-12-02', 'Europe/Berlin', '2026-12-01T23:00:00.000Z'],
    ['2026-12-02', 'Asia/Tokyo', '2026-12-01T15:00:00.000Z'],
    // Chile moves its clocks from 00:00 to 01:00 that day: the day starts at 01:00 local.
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
  ])('%s in %s starts at %s', (effective, timezone, instant) => {
    expect(effectiveInstant({ effective, timezone }).toISOString()).toBe(instant);
  });
});

describe('PolicyBook (grandfathering)', () => {
  const v1 = parsePolicy(examplePolicyText());
  const v2 = parsePolicy(policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-07-01']]));
  const book = new PolicyBook([v2, v1].map((p) => ({ version: p.version, effectiveAt: effectiveInstant(p), policy: p })));
  // 2026.2 takes effect at midnight of 2026-07-01 in America/New_York (EDT), 04:00 UTC.
  it.each([
    ['2026-03-01T00:00:00Z', '2026.1'],
    ['2026-06-30T23:59:59Z', '2026.1'],
    ['2026-07-01T00:00:00Z', '2026.1'],
    ['2026-07-01T03:59:59Z', '2026.1'],
    ['2026-07-01T04:00:00Z', '2026.2'],
    ['2027-01-01T00:00:00Z', '2026.2'],
    ['2025-01-01T00:00:00Z', '2026.1'],
  ])('at %s the version in force is %s', (at, version) => {
    expect(book.inForceAt(new Date(at)).version).toBe(version);
  });
  it('a claim filed at 21:00 New York time on the eve of a new version is judged under the old one', () => {
    const dec2 = parsePolicy(policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02']]));
    const eve = new PolicyBook([v1, dec2].map((p) => ({ version: p.version, effectiveAt: effectiveInstant(p), policy: p })));
    expect(eve.inForceAt(new Date('2026-12-02T02:00:00Z')).version).toBe('2026.1');
    expect(eve.inForceAt(new Date('2026-12-02T05:00:00Z')).version).toBe('2026.2');
  });
  it('a claim keeps the version it was registered under', () => {
    expect(book.forClaim({ policyVersion: '2026.1', registeredAt: new Date('2026-08-01T00:00:00Z') }).version).toBe('2026.1');
  });
});
