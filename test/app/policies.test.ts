import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/core/policy/load.js';
import { loadPolicies, loadPolicyFile, readPolicyFile } from '../../src/app/policies.js';
import { openDatabase } from '../../db/client.js';
import { insertPolicy } from '../../db/repos/policies.repo.js';
import { EXAMPLE_POLICY_PATH, policyTextWith } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOfFile(name: string, text: string): { file: string; problems: string[] } {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    readPolicyFile(file);
  } catch (e) {
    if (e instanceof PolicyError) return { file, problems: e.problems };
    throw e;
  }
  return { file, problems: [] };
}

describe('readPolicyFile', () => {
  it('reads the shipped example', () => {
    expect(readPolicyFile(EXAMPLE_POLICY_PATH).policy.version).toBe('2026.1');
  });

  it.each([
    ['an unknown arbitrator', [['arbitrator: pat,', 'arbitrator: robin,']], 27, 'coverage[2].arbitrator: unknown person "robin"'],
    ['an impossible holiday', [['holidays: [2026-01-01,', 'holidays: [2026-13-45,']], 12, 'business_hours.holidays[0]: "2026-13-45" is not a date in the calendar (check the month and the day)'],
    ['an impossible effective date', [['effective: 2026-01-01', 'effective: 2026-02-30']], 6, 'effective: "2026-02-30" is not a date in the calendar (check the month and the day)'],
    ['an unquoted version', [['version: "2026.1"', 'version: 2026.10']], 5, 'version: got the number 2026.1: put the version in quotes, e.g. version: "2026.10" (unquoted, YAML reads 2026.10 as the number 2026.1)'],
  ] as [string, [string, string][], number, string][])('names the file and the line of %s', (name, edits, line, expected) => {
    const { file, problems } = problemsOfFile(`${name.replaceAll(' ', '-')}.yaml`, policyTextWith(edits));
    expect(problems).toEqual([`${file}: line ${line}: ${expected}`]);
  });

  it('names the file of a YAML syntax error', () => {
    const { file, problems } = problemsOfFile('syntax.yaml', 'version: "1"\npeople: [unclosed\n');
    expect(problems[0]).toMatch(new RegExp(`^${file.replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: YAML line \\d+: `));
  });

  it('names the file it cannot read', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => readPolicyFile(file)).toThrow(`${file}: cannot read the file (no such file)`);
  });

  it('refuses a file that is not UTF-8, naming its first such line, instead of storing names garbled', () => {
    const text = policyTextWith([['name: Pat Okafor', 'name: Pat Müller']]);
    const line = text.split('\n').findIndex((l) => l.includes('Pat Müller')) + 1;
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from(text, 'latin1'));
    expect(() => readPolicyFile(latin1)).toThrow(`${latin1}: line ${line}: the file is not valid UTF-8 (is it Latin-1 or Windows-1252?); save it as UTF-8`);
    const utf16 = join(dir, 'utf16.yaml');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(() => readPolicyFile(utf16)).toThrow(`${utf16}: the file is UTF-16, not UTF-8; save it as UTF-8`);
    // The same file in UTF-8, with or without a byte order mark, is read as written.
    const utf8 = join(dir, 'utf8-bom.yaml');
    writeFileSync(utf8, `\uFEFF${text}`);
    expect(readPolicyFile(utf8).policy.people.pat?.name).toBe('Pat Müller');
  });
});

describe('loadPolicies with versions an earlier release saved', () => {
  const example = readFileSync(EXAMPLE_POLICY_PATH, 'utf8');
  const unquoted = example.replace('version: "2026.1"', 'version: 2026.1');

  it('a version saved with an unquoted number keeps loading, and the same rules with the version quoted are that version', () => {
    expect(unquoted).not.toBe(example);
    const db = openDatabase(':memory:');
    try {
      insertPolicy(db.db, { version: '2026.1', effective: '2026-01-01', sourceHash: 'saved-by-an-earlier-release', body: unquoted, loadedAt: new Date('2026-01-01T00:00:00Z') });
      const book = loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      expect(book.all.map((v) => v.version)).toEqual(['2026.1']);
      expect(book.byVersion('2026.1')?.policy.version).toBe('2026.1');
    } finally {
      db.close();
    }
  });

  it('a version saved with an impossible effective date or holiday loads as that release read it', () => {
    const older = example.replace('version: "2026.1"', 'version: "2025.1"').replace(/^effective: .*$/m, 'effective: 2025-02-30');
    expect(older).toContain('effective: 2025-02-30');
    const withHoliday = older.replace(/holidays: \[/, 'holidays: [2025-13-45, ');
    expect(withHoliday).toContain('2025-13-45');
    const db = openDatabase(':memory:');
    try {
      insertPolicy(db.db, { version: '2025.1', effective: '2025-02-30', sourceHash: 'saved-by-an-earlier-release', body: withHoliday, loadedAt: new Date('2025-01-01T00:00:00Z') });
      const book = loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      const old = book.byVersion('2025.1')!;
      expect(old.policy.effective).toBe('2025-03-02');
      expect(old.policy.business_hours.holidays).not.toContain('2025-13-45');
    } finally {
      db.close();
    }
  });

  it('the file of a version loaded before, with a problem this release refuses (one person twice in a chain), keeps the bot starting and says what a new version must fix', () => {
    const text = policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp, dana]']]);
    const file = join(dir, 'twice.yaml');
    writeFileSync(file, text);
    const db = openDatabase(':memory:');
    try {
      // A new version with the problem is refused...
      expect(() => loadPolicyFile(db.db, file, new Date('2026-12-01T00:00:00Z'))).toThrow(/coverage\[2\]\.escalation\[2\]: "dana" is already escalation\[0\]/);
      // ...one an earlier release loaded is taken as it is, with the problem as a warning.
      insertPolicy(db.db, { version: '2026.1', effective: '2026-01-01', sourceHash: 'saved-by-an-earlier-release', body: text, loadedAt: new Date('2026-01-01T00:00:00Z') });
      const loaded = loadPolicyFile(db.db, file, new Date('2026-12-01T00:00:00Z'));
      expect(loaded.file.version).toBe('2026.1');
      expect(loaded.waived).toEqual([expect.stringMatching(/line \d+: coverage\[2\]\.escalation\[2\]: "dana" is already escalation\[0\]/)]);
      expect(loaded.warnings).toEqual([]);
    } finally {
      db.close();
    }
    // The bot logs it at its start; `roe policy check` still refuses the file.
    const v9 = text.replace('version: "2026.1"', 'version: "2026.9"').replace(/^effective: .*$/m, 'effective: 2026-06-01');
    const v9File = join(dir, 'twice9.yaml');
    writeFileSync(v9File, v9);
    const rt = testRuntime({ databasePath: join(dir, 'twice.db'), policyPath: EXAMPLE_POLICY_PATH, demo: false });
    insertPolicy(rt.db.db, { version: '2026.9', effective: '2026-06-01', sourceHash: 'saved-by-an-earlier-release', body: v9, loadedAt: new Date('2026-06-01T00:00:00Z') });
    rt.close();
    const later = testRuntime({ databasePath: join(dir, 'twice.db'), policyPath: v9File, demo: false });
    expect(later.logs.lines.filter((l) => l.includes('2026.9') && l.includes('loaded before, has a problem that a new version must fix'))).toHaveLength(1);
    later.close();
    expect(() => readPolicyFile(v9File)).toThrow(PolicyError);
  });

  it('the file of a version loaded before, with a problem this release refuses, keeps its warnings (the start logs them), as policy check lists them', () => {
    const text = policyTextWith([['timezone: America/New_York', 'timezone: EST'], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp, dana]']]);
    const file = join(dir, 'twice-est.yaml');
    writeFileSync(file, text);
    const db = openDatabase(':memory:');
    try {
      insertPolicy(db.db, { version: '2026.1', effective: '2026-01-01', sourceHash: 'saved-by-an-earlier-release', body: text, loadedAt: new Date('2026-01-01T00:00:00Z') });
      const loaded = loadPolicyFile(db.db, file, new Date('2026-12-01T00:00:00Z'));
      expect(loaded.waived).toEqual([`${file}: line 27: coverage[2].escalation[2]: "dana" is already escalation[0] of this rule: a breach would hand the case back to the same person`]);
      expect(loaded.warnings).toEqual([`${file}: line 7: warning: timezone: "EST" is an abbreviation or an offset, not a region: its clock may not follow daylight saving time, so business hours, SLAs and effective dates could be an hour off for part of the year; write the region, such as America/New_York or Europe/Berlin`]);
    } finally {
      db.close();
    }
  });

  it('a valid file’s warning is logged at the start as what it is, not as a problem a new version must fix', () => {
    const file = join(dir, 'never-dormant.yaml');
    writeFileSync(file, policyTextWith([['dormant_after_days: 30', 'dormant_after_days: 120']]));
    const rt = testRuntime({ databasePath: join(dir, 'never-dormant.db'), policyPath: file, demo: false });
    try {
      const lines = rt.logs.lines.filter((l) => l.includes('dormant_after_days'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('warning: registration.dormant_after_days: 120 is not less than protection_days (90)');
      expect(lines[0]).not.toContain('a new version must fix');
    } finally {
      rt.close();
    }
  });

  it('only the new checks are waived for a version loaded before: an unquoted version is still refused as such', () => {
    const text = policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp, dana]'], ['version: "2026.1"', 'version: 2026.10']]);
    const file = join(dir, 'twice-unquoted.yaml');
    writeFileSync(file, text);
    const db = openDatabase(':memory:');
    try {
      insertPolicy(db.db, { version: '2026.1', effective: '2026-01-01', sourceHash: 'saved-by-an-earlier-release', body: readFileSync(EXAMPLE_POLICY_PATH, 'utf8'), loadedAt: new Date('2026-01-01T00:00:00Z') });
      expect(() => loadPolicyFile(db.db, file, new Date('2026-12-01T00:00:00Z'))).toThrow(/version: got the number 2026.1: put the version in quotes/);
    } finally {
      db.close();
    }
  });

  it('a file with the unquoted number is still refused, naming the line', () => {
    const { file, problems } = problemsOfFile('unquoted.yaml', unquoted);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: version: got the number 2026.1`))]);
  });
});

describe('loading a changed policy', () => {
  const changed = policyTextWith([['protection_days: 90', 'protection_days: 60']]);

  it('the same version with other rules is refused, naming the file, the line of `version:` and what to do', () => {
    expect(changed).not.toBe(readFileSync(EXAMPLE_POLICY_PATH, 'utf8'));
    const db = openDatabase(':memory:');
    try {
      loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      const file = join(dir, 'changed.yaml');
      writeFileSync(file, changed);
      let problems: string[] = [];
      try {
        loadPolicies(db.db, file, new Date('2026-12-02T00:00:00Z'));
      } catch (e) {
        if (!(e instanceof PolicyError)) throw e;
        problems = e.problems;
      }
      expect(problems).toEqual([`${file}: line 5: version: "2026.1" was already loaded on 2026-12-01 with different rules, and claims may refer to it; give the changed policy a new version (and the effective date from which it applies)`]);
    } finally {
      db.close();
    }
  });

  it.each([
    ['its people listed in another order', (t: string) => t.replace(/^ {2}dana: .*\n/m, '').replace(/^ {2}sam: .*\n/m, (sam) => sam + t.match(/^ {2}dana: .*\n/m)![0])],
    ['a mapping’s keys in another order', (t: string) => t.replace(/^ {2}protection_days: 90\n {2}dormant_after_days: 30\n/m, '  dormant_after_days: 30\n  protection_days: 90\n')],
  ])('the same rules with %s load again under the same version', (_n, edit) => {
    const text = edit(readFileSync(EXAMPLE_POLICY_PATH, 'utf8'));
    expect(text).not.toBe(readFileSync(EXAMPLE_POLICY_PATH, 'utf8'));
    const db = openDatabase(':memory:');
    try {
      loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      const file = join(dir, 'reordered.yaml');
      writeFileSync(file, text);
      expect(loadPolicies(db.db, file, new Date('2026-12-02T00:00:00Z')).inForceAt(new Date('2026-12-02T00:00:00Z')).version).toBe('2026.1');
    } finally {
      db.close();
    }
  });

  it('the same version with its criteria in another order is other rules, and refused', () => {
    const text = readFileSync(EXAMPLE_POLICY_PATH, 'utf8');
    const first = text.match(/^ {2}- \{ rule: named-account.*\n/m)![0];
    const second = text.match(/^ {2}- \{ rule: direct-reserved.*\n/m)![0];
    const swapped = text.replace(first + second, second + first);
    expect(swapped).not.toBe(text);
    const db = openDatabase(':memory:');
    try {
      loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      const file = join(dir, 'swapped.yaml');
      writeFileSync(file, swapped);
      expect(() => loadPolicies(db.db, file, new Date('2026-12-02T00:00:00Z'))).toThrow(/was already loaded on 2026-12-01 with different rules/);
    } finally {
      db.close();
    }
  });

  it('a command that only reads records nothing and is not refused: the stored version of that name counts', () => {
    const db = openDatabase(':memory:');
    try {
      loadPolicies(db.db, EXAMPLE_POLICY_PATH, new Date('2026-12-01T00:00:00Z'));
      const file = join(dir, 'changed-readonly.yaml');
      writeFileSync(file, changed);
      const next = join(dir, 'next.yaml');
      writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-06-01']]));
      const rows = () => (db.sqlite.prepare('select count(*) as n from policy_versions').get() as { n: number }).n;
      const book = loadPolicyFile(db.db, file, new Date('2026-12-02T00:00:00Z'), { record: false }).book;
      expect(book.inForceAt(new Date('2026-12-02T00:00:00Z')).policy.registration.protection_days).toBe(90);
      expect(loadPolicyFile(db.db, next, new Date('2026-12-02T00:00:00Z'), { record: false }).book.inForceAt(new Date('2026-12-02T00:00:00Z')).version).toBe('2026.2');
      expect(rows()).toBe(1);
    } finally {
      db.close();
    }
  });

  // Each version takes effect at midnight of its date in its own timezone: in a zone further east
  // the same date, or even the next one, starts before. Loaded earlier: 2026.3, New York, 2026-11-01.
  const nyNov1 = policyTextWith([['version: "2026.1"', 'version: "2026.3"'], ['effective: 2026-01-01', 'effective: 2026-11-01']]);
  it.each([
    ['the same date in Tokyo, 13 hours earlier', 'Asia/Tokyo', '2026-11-01', 'effective 2026-11-01 at 00:00 Asia/Tokyo, which is 2026-10-31 15:00 UTC, before version "2026.3" (effective 2026-11-01 at 00:00 America/New_York, which is 2026-11-01 04:00 UTC), loaded earlier: a version applies from its effective date (from midnight in its own timezone), so this one would never be in force; give it the effective date 2026-11-02 or later'],
    ['the same date in Kiritimati (UTC+14), a day earlier', 'Pacific/Kiritimati', '2026-11-01', 'effective 2026-11-01 at 00:00 Pacific/Kiritimati, which is 2026-10-31 10:00 UTC, before version "2026.3" (effective 2026-11-01 at 00:00 America/New_York, which is 2026-11-01 04:00 UTC), loaded earlier: a version applies from its effective date (from midnight in its own timezone), so this one would never be in force; give it the effective date 2026-11-02 or later'],
    // The date of New York's midnight in Berlin is 2026-11-01 too, but that day starts earlier there.
    ['the day before in Berlin', 'Europe/Berlin', '2026-10-31', 'effective 2026-10-31 at 00:00 Europe/Berlin, which is 2026-10-30 23:00 UTC, before version "2026.3" (effective 2026-11-01 at 00:00 America/New_York, which is 2026-11-01 04:00 UTC), loaded earlier: a version applies from its effective date (from midnight in its own timezone), so this one would never be in force; give it the effective date 2026-11-02 or later'],
    ['the next date in Kiritimati, 6 hours later', 'Pacific/Kiritimati', '2026-11-02', null],
    ['the same date in Los Angeles, 3 hours later', 'America/Los_Angeles', '2026-11-01', null],
    ['the day after in Tokyo', 'Asia/Tokyo', '2026-11-02', null],
  ] as [string, string, string, string | null][])('a version of another timezone effective %s: an import is told both moments, and the first date that works', (_n, zone, effective, expected) => {
    const db = openDatabase(':memory:');
    try {
      const latest = join(dir, 'ny-nov1.yaml');
      writeFileSync(latest, nyNov1);
      loadPolicies(db.db, latest, new Date('2026-11-02T12:00:00Z'));
      const file = join(dir, `zone-${zone.replace('/', '-')}-${effective}.yaml`);
      const text = policyTextWith([['version: "2026.1"', 'version: "2026.4"'], ['effective: 2026-01-01', `effective: ${effective}`], ['timezone: America/New_York', `timezone: ${zone}`]]);
      writeFileSync(file, text);
      const load = () => loadPolicyFile(db.db, file, new Date('2026-11-02T12:00:00Z'), { record: 'later' });
      if (expected === null) expect(load().file.version).toBe('2026.4');
      else expect(load).toThrow(`${file}: line 6: effective: version "2026.4" is ${expected}`);
    } finally {
      db.close();
    }
  });

  it('the start says both moments too, when a version of another timezone is dated before the one in force', () => {
    const path = join(dir, 'shadow-zones.db');
    const latest = join(dir, 'ny-nov1-start.yaml');
    writeFileSync(latest, nyNov1);
    testRuntime({ databasePath: path, policyPath: latest, demo: false }).close();
    const tokyo = join(dir, 'tokyo-nov1.yaml');
    writeFileSync(tokyo, policyTextWith([['version: "2026.1"', 'version: "2026.4"'], ['effective: 2026-01-01', 'effective: 2026-11-01'], ['timezone: America/New_York', 'timezone: Asia/Tokyo']]));
    const rt = testRuntime({ databasePath: path, policyPath: tokyo, demo: false });
    try {
      const warned = rt.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40 && l.msg.includes('2026.4'));
      expect(warned.map((l) => l.msg)).toEqual([
        `${tokyo} holds policy version "2026.4" (effective 2026-11-01 at 00:00 Asia/Tokyo, which is 2026-10-31 15:00 UTC), before version "2026.3" (effective 2026-11-01 at 00:00 America/New_York, which is 2026-11-01 04:00 UTC), loaded earlier: a version applies from its effective date (from midnight in its own timezone), so this one would never be in force, and it is not loaded (version "2026.3" is in force); give the file the effective date 2026-11-02 or a later one`,
      ]);
      expect(rt.policies.all.map((v) => v.version)).toEqual(['2026.3']);
    } finally {
      rt.close();
    }
  });

  it('a file dated before the version in force is never in force: the start says so, and does not load it', () => {
    const path = join(dir, 'shadow.db');
    const later = join(dir, 'later.yaml');
    writeFileSync(later, policyTextWith([['version: "2026.1"', 'version: "2026.3"'], ['effective: 2026-01-01', 'effective: 2026-11-01']]));
    testRuntime({ databasePath: path, policyPath: later, demo: false }).close();
    const earlier = join(dir, 'earlier.yaml');
    writeFileSync(earlier, policyTextWith([['version: "2026.1"', 'version: "2026.4"'], ['effective: 2026-01-01', 'effective: 2026-06-01']]));
    const rt = testRuntime({ databasePath: path, policyPath: earlier, demo: false });
    try {
      expect(rt.policies.inForceAt(rt.clock.now()).version).toBe('2026.3');
      const warned = rt.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
      expect(warned.map((l) => l.msg)).toEqual([
        `${earlier} holds policy version "2026.4" (effective 2026-06-01), before version "2026.3" (effective 2026-11-01), loaded earlier: a version applies from its effective date, so this one would never be in force, and it is not loaded (version "2026.3" is in force); give the file the effective date 2026-11-01 or a later one`,
      ]);
      // Not loaded: a claim registered in June is still judged by the version loaded before.
      expect(rt.policies.all.map((v) => v.version)).toEqual(['2026.3']);
      expect(rt.policies.inForceAt(new Date('2026-07-01T12:00:00Z')).version).toBe('2026.3');
      expect((rt.db.sqlite.prepare('select version from policy_versions order by version').all() as { version: string }[]).map((r) => r.version)).toEqual(['2026.3']);
    } finally {
      rt.close();
    }
  });
});
