import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { verifyChain } from '../core/ledger/chain.js';
import { csvText, importCsv, ImportError, type ImportKind } from '../core/import/import.service.js';
import { PolicyError } from '../core/policy/load.js';
import { breachesFromLedger, computeStats } from '../core/stats.js';
import { DIRECT } from '../core/types.js';
import { isDomainError } from '../core/errors.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { hostConsole } from './console-host.js';
import { createLogger } from './logger.js';
import { readPolicyFile } from './policies.js';
import { createRuntime, type Runtime } from './runtime.js';
import { DatabaseFileError } from '../../db/client.js';
import { retryParked, undelivered } from '../../db/repos/outbox.repo.js';
import { forgetUser, knowsUser } from '../../db/repos/privacy.repo.js';
import { partnerExport } from '../core/privacy/export.js';
import { platformRoutes, serve } from './serve.js';
import { startScheduler } from './scheduler.js';

const USAGE = `usage: roe <command>

  serve                                  run the bot (Slack, Teams and /healthz on one server)
  console                                the local console on the database
  import accounts|partners|claims FILE   import a CSV export (headers as in examples/)
  policy check FILE                      validate a policy file
  ledger verify                          check the ledger's hash chain
  ledger export --format csv|json        print the ledger
  stats [--format json]                  claims, disputes and rulings per partner
  backup FILE                            an online, consistent copy of the database
  export --partner ID                    everything about one partner, and nothing about others (JSON)
  forget USER                            remove a chat user's personal data (USER: slack:U0123, teams:29:…)
  outbox [list]                          notifications not delivered yet (pending and parked)
  outbox retry ID|--all                  put parked notifications back in the queue`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

/** A command that cannot run as asked: one line for the admin, exit 1. */
class CommandError extends Error {}

/**
 * Refuses a database file that does not exist, so that a command which only reads (or changes
 * existing data) does not create an empty database at a mistyped path and report on it.
 */
function requireDatabase(config: Config): void {
  const path = config.databasePath;
  if (path === ':memory:') return;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new CommandError(`DATABASE_PATH: no database at ${path} (run npx roe serve, npm start or an import first)`);
  if (!stat.isFile()) throw new CommandError(`DATABASE_PATH: ${path} is not a database file`);
}

/** Runs fn on a runtime over the configured database, which must exist unless `create` is set. */
function withRuntime<T>(config: Config, fn: (rt: Runtime) => T, { create = false } = {}): T {
  if (!create) requireDatabase(config);
  const rt = createRuntime(config, createLogger(config.logLevel, process.stderr));
  try {
    return fn(rt);
  } finally {
    rt.close();
  }
}

/** Runs one `roe` command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === 'policy' && sub === 'check') {
      const file = rest[0];
      if (!file) return usage(io, 'policy check needs a FILE');
      const { policy } = readPolicyFile(file);
      io.out(`${file}: valid (version ${policy.version}, effective ${policy.effective}, ${policy.coverage.length} coverage rules, ${policy.criteria.length} criteria)`);
      return 0;
    }
    if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(USAGE);
      return cmd ? 0 : 2;
    }
    const config = loadConfig(io.env);
    switch (cmd) {
      case 'serve': {
        const rt = createRuntime(config, createLogger(config.logLevel));
        // Timers first: the scheduler's first tick (timers that fell due while the bot was down)
        // waits neither for the account index nor for the chat SDKs, which load after it while
        // the server already listens.
        const scheduler = startScheduler(rt.db, rt.deps, () => rt.clock.now(), rt.logger);
        const platforms = { routes: platformRoutes(config), load: async () => (await import('./platforms.js')).configuredPlatforms(rt) };
        let serving: Awaited<ReturnType<typeof serve>>;
        try {
          serving = await serve(rt, platforms, config.port, { scheduler });
        } catch (e) {
          scheduler.stop();
          rt.close();
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          io.err(`PORT: ${config.port} is in use (set PORT to a free port)`);
          return 1;
        }
        await new Promise<void>((done) => {
          let stopping = false;
          // The first SIGINT or SIGTERM stops cleanly (requests and deliveries under way finish);
          // a second one, of either kind, exits at once.
          const onSignal = (signal: NodeJS.Signals) => {
            if (stopping) {
              io.err(`${signal} again: exiting without waiting`);
              process.exit(1);
            }
            stopping = true;
            void serving.stop().then(() => {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              rt.close();
              done();
            });
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        });
        return 0;
      }
      case 'console': {
        const rt = createRuntime(config, createLogger(config.logLevel, process.stderr));
        try {
          await hostConsole(rt, io.stdin as never, io.stdout as never);
        } finally {
          rt.close();
        }
        return 0;
      }
      case 'import': {
        const file = rest[0];
        if (!sub || !['accounts', 'partners', 'claims'].includes(sub) || !file) return usage(io, 'import needs accounts|partners|claims and a FILE');
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          io.err(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
          return 1;
        }
        // Decoded strictly: readFileSync's 'utf8' would turn a Latin-1 file into mojibake silently.
        const text = csvText(file, bytes);
        const report = withRuntime(config, (rt) => {
          const r = importCsv(rt.ctx, sub as ImportKind, file, text);
          // The account index file, for the accounts as imported: the next start (or a running
          // server) reads it instead of indexing every account.
          if (sub === 'accounts') rt.reindex();
          return r;
        }, { create: true });
        io.out(`${file}: ${report.inserted} ${sub} added, ${report.updated} updated`);
        return 0;
      }
      case 'ledger': {
        if (sub === 'verify') {
          const result = withRuntime(config, (rt) => verifyChain(rt.store.ledger.entries()));
          if (result.ok) {
            io.out(`ledger OK: ${result.count} entries, head ${result.head.slice(0, 16)}`);
            return 0;
          }
          io.err(`ledger BROKEN at entry ${result.badSeq}: ${result.problem} (${result.count} entries before it verify)`);
          return 1;
        }
        if (sub === 'export') {
          const { values } = parseArgs({ args: rest, options: { format: { type: 'string', default: 'json' } } });
          if (values.format !== 'csv' && values.format !== 'json') return usage(io, '--format must be csv or json');
          const entries = withRuntime(config, (rt) => [...rt.store.ledger.entries()]);
          if (values.format === 'json') io.out(JSON.stringify(entries, null, 2));
          else io.out(stringify(entries.map((e) => ({ ...e, payload: JSON.stringify(e.payload) })), { header: true, columns: ['seq', 'at', 'kind', 'subject', 'actor', 'policyVersion', 'payload', 'prevHash', 'hash'] }).trimEnd());
          return 0;
        }
        return usage(io, 'ledger needs verify or export');
      }
      case 'stats': {
        const { values } = parseArgs({ args: [sub, ...rest].filter((x): x is string => x !== undefined), options: { format: { type: 'string', default: 'text' } } });
        const { stats, names } = withRuntime(config, (rt) => ({
          stats: computeStats({ claims: rt.store.claims.all(), disputes: rt.store.disputes.all(), breachesByDispute: breachesFromLedger(rt.store.ledger.entries()), policy: rt.policies.inForceAt(rt.clock.now()).policy, now: rt.clock.now() }),
          names: new Map(rt.store.partners.all().map((p) => [p.id, p.name])),
        }));
        if (values.format === 'json') {
          io.out(JSON.stringify(stats, null, 2));
          return 0;
        }
        const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
        const hrs = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)}h`);
        const rows = [
          ['party', 'claims', 'disputes', 'auto-settled', 'median to ruling', 'SLA breaches', 'violations', 'flagged'],
          ...stats.parties.map((r) => [r.party === DIRECT ? 'Direct sales' : (names.get(r.party) ?? r.party), r.claims, r.disputes, pct(r.autoShare), hrs(r.medianHoursToRuling), r.slaBreaches, r.violations, r.flagged ? 'yes' : '']),
          ['(overall)', stats.overall.claims, stats.overall.disputes, pct(stats.overall.autoShare), hrs(stats.overall.medianHoursToRuling), stats.overall.slaBreaches, stats.overall.violations, stats.overall.flaggedPartners.join(' ')],
        ].map((r) => r.map(String));
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const r of rows) io.out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
        return 0;
      }
      case 'backup': {
        const file = sub;
        if (!file) return usage(io, 'backup needs a FILE');
        requireDatabase(config);
        if (existsSync(file)) {
          io.err(`${file} exists; choose a new file name`);
          return 1;
        }
        const rt = createRuntime(config, createLogger(config.logLevel, process.stderr));
        try {
          mkdirSync(dirname(resolve(file)), { recursive: true });
          const r = await rt.db.sqlite.backup(file);
          io.out(`backup written to ${file} (${r.totalPages} pages)`);
          return 0;
        } catch (e) {
          // A half-written copy must not pass for a backup later (the file did not exist before).
          if (existsSync(file)) rmSync(file, { force: true });
          io.err(`${file}: backup failed (${((e as Error).message ?? String(e)).split('\n')[0]})`);
          return 1;
        } finally {
          rt.close();
        }
      }
      case 'export': {
        const { values } = parseArgs({ args: [sub, ...rest].filter((x): x is string => x !== undefined), options: { partner: { type: 'string' } } });
        if (!values.partner) return usage(io, 'export needs --partner ID');
        const partnerId = values.partner;
        const data = withRuntime(config, (rt) => {
          const partner = rt.store.partners.get(partnerId);
          if (!partner) return null;
          return partnerExport({ partner, claims: rt.store.claims.forClaimant(partnerId), disputes: rt.store.disputes.all(), accounts: new Map(rt.store.accounts.all().map((a) => [a.id, a])), ledger: [...rt.store.ledger.entries()], at: rt.clock.now() });
        });
        if (!data) {
          io.err(`no partner "${partnerId}"`);
          return 1;
        }
        io.out(JSON.stringify(data, null, 2));
        return 0;
      }
      case 'forget': {
        const user = sub;
        if (!user || !user.includes(':')) return usage(io, 'forget needs a chat user key like slack:U0123ABC or teams:29:1abc');
        const report = withRuntime(config, (rt) => (knowsUser(rt.db, user) ? forgetUser(rt.db, user) : null));
        if (!report) {
          io.err(`nothing is known of ${user}`);
          return 1;
        }
        io.out(`forgot ${user}: ${report.claims} claims and ${report.disputes} disputes now name ${report.actorId ?? 'nobody'}, ${report.people} profile removed, ${report.outbox} undelivered messages dropped; the ledger keeps only the pseudonym`);
        return 0;
      }
      case 'outbox': {
        if (!sub || sub === 'list') {
          const rows = withRuntime(config, (rt) => undelivered(rt.db.db));
          if (rows.length === 0) {
            io.out('outbox empty: every notification was delivered');
            return 0;
          }
          for (const r of rows) {
            io.out(`#${r.id} ${r.status.padEnd(7)} ${r.platform} ${JSON.stringify(r.target)} attempts=${r.attempts} ${r.status === 'pending' ? `next=${r.nextAttemptAt.toISOString()}` : ''}`.trimEnd());
            io.out(`    ${r.summary}${r.lastError ? `\n    last error: ${r.lastError}` : ''}`);
          }
          return 0;
        }
        if (sub === 'retry') {
          const target = rest[0];
          if (!target) return usage(io, 'outbox retry needs a message id or --all');
          const id = target === '--all' ? null : Number(target.replace(/^#/, ''));
          if (id !== null && (!Number.isInteger(id) || id <= 0)) return usage(io, `"${target}" is not a message id`);
          const n = withRuntime(config, (rt) => retryParked(rt.db.db, id, rt.clock.now()));
          if (n === 0 && id !== null) {
            io.err(`no parked message #${id} to retry`);
            return 1;
          }
          io.out(n === 0 ? 'no parked message to retry' : `${n} message${n > 1 ? 's' : ''} back in the queue`);
          return 0;
        }
        return usage(io, 'outbox needs list or retry');
      }
      default:
        return usage(io, `unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) io.err(`configuration: ${e.message}`);
    else if (e instanceof CommandError || e instanceof DatabaseFileError) io.err(e.message);
    else if (e instanceof ImportError || e instanceof PolicyError || isDomainError(e)) io.err(e.message);
    else throw e;
    return 1;
  }
}

function usage(io: Io, problem: string): number {
  io.err(`roe: ${problem}\n\n${USAGE}`);
  return 2;
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  loadDotEnv();
  main(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`), env: process.env, stdin: process.stdin, stdout: process.stdout }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`roe: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
