/**
 * Benchmark databases: the real schema and migrations (db/client.ts), filled in bulk with
 * generated data through plain prepared statements (a fixture, not the code under test).
 * Large ones are cached in the system's temp folder by a key of what made them.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { accountRow, generateAccounts, Rng, type AccountSet } from './generate.js';

/** Bump when the generator or the fixtures change, so stale cached databases are not reused. */
export const FIXTURE_VERSION = 6;

export const CACHE_DIR = join(tmpdir(), 'roe-bench-cache');

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** Copies a database file (closed, checkpointed) to `to`. */
export function copyDb(from: string, to: string): void {
  removeDb(to);
  copyFileSync(from, to);
}

export interface TimerFixture {
  /** Pending timers in the future. */
  pending: number;
  /** Timers already due at `now` (fell due while the bot was down). */
  due: number;
  /** The instant the fixture was made for. */
  now: Date;
}

/**
 * Writes partners and accounts (and, when asked, protected claims with their lifecycle timers)
 * into a fresh database at `path`.
 */
export function writeDatabase(path: string, set: AccountSet, timers?: TimerFixture): void {
  removeDb(path);
  const db = openDatabase(path);
  const { sqlite } = db;
  const at = Date.parse('2026-11-01T00:00:00Z');
  sqlite.transaction(() => {
    const p = sqlite.prepare('INSERT INTO partners (id, name, tier, slack_team_id, teams_tenant_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const x of set.partners) p.run(x.id, x.name, x.tier, x.slackTeamId, x.teamsTenantId, at);
    const a = sqlite.prepare('INSERT INTO accounts (id, name, aliases, domains, segment, region, tier, is_customer, incumbent_partner_id, named_owner, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const x of set.accounts) a.run(...accountRow(x), at);
  })();
  if (timers) writeTimers(db.sqlite, set, timers);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const DAY = 86_400_000;

/**
 * `pending` protected claims, each with the lifecycle timer the bot plans for it (its next
 * step, the dormancy warning); plus `due` timers that fell due an hour before `now` (a mix of
 * the three steps, on claims of their own).
 */
function writeTimers(sqlite: ReturnType<typeof openDatabase>['sqlite'], set: AccountSet, t: TimerFixture): void {
  const r = new Rng(7);
  const now = t.now.getTime();
  const claim = sqlite.prepare(
    `INSERT INTO claims (account_id, claimant, route, product_line, opp_name, opp_stage, opp_amount, evidence, status, registered_at, last_activity_at, protected_until, policy_version, created_by, violation)
     VALUES (?, ?, 'resell', ?, ?, 'qualified', 50000, '', 'protected', ?, ?, ?, '2026.1', ?, 0)`,
  );
  const timer = sqlite.prepare("INSERT INTO timers (kind, subject, due_at, status, payload, attempts, created_at) VALUES (?, ?, ?, 'pending', ?, 0, ?)");
  const products = ['Core Platform', 'Analytics', 'Services'];
  let accountIdx = 0;
  const addClaim = (registered: number, activity: number): number => {
    const a = set.accounts[accountIdx++ % set.accounts.length]!;
    const p = r.pick(set.partners);
    const info = claim.run(a.id, p.id, r.pick(products), `${a.base[0]} rollout`, registered, activity, registered + 90 * DAY, `slack:U0${p.id.toUpperCase()}`);
    return Number(info.lastInsertRowid);
  };
  sqlite.transaction(() => {
    let pending = 0;
    while (pending < t.pending) {
      // Registered up to 20 days ago with activity since: its next step, the dormancy warning, ahead.
      const registered = now - r.int(20) * DAY - r.int(DAY);
      const activity = Math.max(registered, now - r.int(5) * DAY);
      const id = addClaim(registered, activity);
      timer.run('claim.dormancy_warning', `claim:${id}`, activity + 23 * DAY, JSON.stringify({ activity: new Date(activity).toISOString() }), activity);
      pending++;
    }
    for (let i = 0; i < t.due; i++) {
      // Claims whose warning, dormancy or expiry came an hour ago: each kind does real work.
      const kind = i % 3;
      const registered = kind === 2 ? now - 90 * DAY - 3_600_000 : now - 40 * DAY;
      const activity = kind === 0 ? now - 23 * DAY - 3_600_000 : kind === 1 ? now - 30 * DAY - 3_600_000 : now - 10 * DAY;
      const id = addClaim(registered, activity);
      const iso = new Date(activity).toISOString();
      const [name, due, payload] =
        kind === 0
          ? ['claim.dormancy_warning', activity + 23 * DAY, JSON.stringify({ activity: iso })]
          : kind === 1
            ? ['claim.dormant', activity + 30 * DAY, JSON.stringify({ activity: iso })]
            : ['claim.expire', registered + 90 * DAY, '{}'];
      timer.run(name, `claim:${id}`, due, payload, activity);
    }
  })();
}

/**
 * A cached database of `n` generated accounts (and timers, when asked), copied to `to`.
 * Returns the account set when it had to be generated (else undefined: read it from the file).
 */
export function cachedDatabase(key: string, n: number, to: string, opts: { seed?: number; timers?: TimerFixture; set?: AccountSet } = {}): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `v${FIXTURE_VERSION}-${key}-${n}-s${opts.seed ?? 1}-p${opts.set?.partners.length ?? 200}.db`);
  if (!existsSync(file)) {
    const set = opts.set ?? generateAccounts(n, opts.seed ?? 1);
    const tmp = `${file}.${process.pid}.tmp`;
    writeDatabase(tmp, set, opts.timers);
    renameSync(tmp, file);
  }
  copyDb(file, to);
}
