import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import { stringify } from 'csv-stringify/sync';
import { KEPT_HEAD, verifyChain, type LedgerEntry, type VerifyResult } from '../core/ledger/chain.js';
import { csvFile, csvText, importCsv, ImportError, refuseIfTooLarge, type ImportKind } from '../core/import/import.service.js';
import { announce } from '../../handlers/notify.js';
import { clean, textTable } from '../../handlers/platforms/console/render.js';
import { PolicyError } from '../core/policy/load.js';
import { droppedWhileHeld } from '../core/policy/transition.js';
import { personName } from '../core/disputes/disputes.service.js';
import { partyName } from '../core/disputes/settle.js';
import { effectiveStatus, isLive } from '../core/claims/lifecycle.js';
import { anythingToClose, CLOSED_AS, closedOn, closePartner, partnerClosing, type ClosingLookup, type PartnerClosing } from '../core/claims/close-partner.js';
import { lastDays, percent, PER_PARTY_NOTE, readStats, statsBasis, statsBasisFields, statsPeriod } from '../core/stats.js';
import { count, plural } from '../core/words.js';
import { DIRECT, DIRECT_NAME, type Dispute } from '../core/types.js';
import { editDistance } from '../core/spelling.js';
import { isDomainError } from '../core/errors.js';
import { ConfigError, escalationChannelsUnserved, loadDotEnvAtStart, loadConfig, partnersNamedInternal, whyUnreadable, type Config } from './config.js';
import { hostConsole } from './console-host.js';
import { createLogger, createTextLogger, scrubber, secretsOf } from './logger.js';
import { checkAgainstDatabase, parsePolicyQuiet, readPolicyFile, type RecordedVersion } from './policies.js';
import { createRuntime, systemClock, type Runtime, type RuntimeOptions } from './runtime.js';
import { createPrivateFile, DatabaseFileError, holdsNoTables, isBusy, ledgerHeadOf, openAsIs, requireRoeDatabase, retireDatabase } from '../../db/client.js';
import { retryParked, undelivered } from '../../db/repos/outbox.repo.js';
import { teamsPersonByEntraId } from '../../db/repos/people.repo.js';
import { listPolicies } from '../../db/repos/policies.repo.js';
import { failedTimers, pendingTimerCount, retryFailedTimers } from '../../db/repos/timers.repo.js';
import { emptyWal, forgetUser, knowsUser, type ForgetReport } from '../../db/repos/privacy.repo.js';
import { partnerExport, partnerLedgerSubjects } from '../core/privacy/export.js';
import { PlatformStartError, platformRoutes, serve, serveProblem } from './serve.js';
import { startScheduler } from './scheduler.js';

/** Every command as `roe help` lists it: [syntax, what it does]; a command's own usage is its rows. */
const COMMANDS: readonly (readonly [syntax: string, about: string])[] = [
  ['serve', 'run the bot (Slack, Teams and /healthz on one server)'],
  ['console', 'the local console on the database (loads the demo data when nothing was imported yet)'],
  ['import accounts|partners|claims FILE', 'import a CSV export (headers as in examples/)'],
  ['import partners FILE --reopen ID[,ID]', 'bring partners taken out of the programme back in, with their rows of the file (their Slack team and Teams tenant)'],
  ['policy check FILE', 'validate a policy file'],
  ['ledger verify [--head HASH]', "check the ledger's hash chain (--head: that it still holds a head printed before)"],
  ['ledger verify --file FILE', "check a JSON export's hash chain, without the database (--head too)"],
  ['ledger export [--format json|csv]', 'print the ledger (JSON by default)'],
  ['stats [--format text|json] [--since DAY] [--until DAY]', 'claims, disputes, rulings and open cases per partner (over a period: DAY as YYYY-MM-DD); open cases per arbitrator'],
  ['backup FILE', 'an online, consistent copy of the database'],
  ['restore FILE', 'put a backup in the place of the database (the bot stopped)'],
  ['export --partner ID', 'everything about one partner, and nothing about others (JSON)'],
  ['forget USER', "remove a chat user's personal data (USER: slack:U0123, teams:29:…, teams:ENTRA-OBJECT-ID or console:NAME)"],
  ['partner close ID [--yes]', 'take a partner out of the programme: close its live claims, unlink its Slack team and Teams tenant (without --yes: only says what it would do)'],
  ['outbox [list]', 'notifications not delivered yet (pending and parked)'],
  ['outbox retry ID|--all', 'put parked notifications back in the queue'],
  ['timers [list]', 'timers that failed every attempt, and how many are pending'],
  ['timers retry ID|--all', 'fire failed timers again at the next tick'],
  ['version', 'the version of roe-bot (also: roe --version)'],
  ['help [COMMAND]', 'this list, or the usage of one command (also: roe COMMAND --help)'],
];

/** roe-bot's version, as its package.json says it. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const USAGE = `usage: roe <command>

${COMMANDS.map(([syntax, about]) => (syntax.length < 39 ? `  ${syntax.padEnd(39)}${about}` : `  ${syntax}\n  ${' '.repeat(39)}${about}`)).join('\n')}`;

const commandOf = (syntax: string) => syntax.split(' ')[0]!;
const isCommand = (name: string) => COMMANDS.some(([syntax]) => commandOf(syntax) === name);

/**
 * What a word that is no command is said to be: an option (options go after the command), or an
 * unknown command, with the command it is a typo of (two letters off at most).
 */
function unknownCommand(word: string): string {
  if (word.startsWith('-')) return `unknown option "${word}" (options go after the command, as in roe stats --format json)`;
  // A subcommand of one command (verify, check, claims): that command was left out.
  const parents = Object.keys(SUBCOMMANDS).filter((cmd) => SUBCOMMANDS[cmd]!.includes(word.toLowerCase()));
  if (parents.length === 1) return `unknown command "${word}" (did you mean ${parents[0]} ${word.toLowerCase()}?)`;
  const near = [...new Set(COMMANDS.map(([syntax]) => commandOf(syntax)))]
    .map((name) => ({ name, d: editDistance(word.toLowerCase(), name) }))
    .filter((c) => c.d <= 2)
    .sort((x, y) => x.d - y.d)[0];
  return `unknown command "${word}"${near ? ` (did you mean ${near.name}?)` : ''}`;
}

/** One command's usage: its rows of {@link USAGE}. */
function commandUsage(cmd: string): string {
  const rows = COMMANDS.filter(([syntax]) => commandOf(syntax) === cmd);
  const width = Math.max(...rows.map(([syntax]) => syntax.length)) + 2;
  return rows.map(([syntax, about], i) => `${i === 0 ? 'usage:' : '      '} roe ${syntax.padEnd(width)}${about}`).join('\n');
}

/**
 * The largest file of `kind` an import takes in this process. It reads the file whole and holds
 * its rows as objects until every one is checked: about 20 times the file's size in memory for
 * accounts and partners, 32 times for claims (their dates, evidence and checks). A larger file
 * would stop the process part way, out of memory, rather than be refused.
 */
function importMaxBytes(kind: ImportKind): number {
  return Math.floor(getHeapStatistics().heap_size_limit / (kind === 'claims' ? 32 : 20));
}

/** The subcommands of the commands that have some (for `import`, what it imports). */
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  import: ['accounts', 'partners', 'claims'],
  policy: ['check'],
  ledger: ['verify', 'export'],
  outbox: ['list', 'retry'],
  timers: ['list', 'retry'],
  partner: ['close'],
};

interface ArgSpec {
  /** The options it takes, by name (without the dashes). */
  options?: Readonly<Record<string, 'string' | 'boolean'>>;
  /** The arguments it takes after the (sub)command, at most. */
  args?: readonly ('FILE' | 'USER' | 'ID')[];
}

/** What each command, or `command subcommand`, takes. */
const SPECS: Readonly<Record<string, ArgSpec>> = {
  serve: {},
  console: {},
  'import accounts': { args: ['FILE'] },
  'import partners': { args: ['FILE'], options: { reopen: 'string' } },
  'import claims': { args: ['FILE'] },
  'policy check': { args: ['FILE'] },
  'ledger verify': { options: { head: 'string', file: 'string' } },
  'ledger export': { options: { format: 'string' } },
  stats: { options: { format: 'string', since: 'string', until: 'string' } },
  backup: { args: ['FILE'] },
  restore: { args: ['FILE'] },
  export: { options: { partner: 'string' } },
  forget: { args: ['USER'] },
  'partner close': { args: ['ID'], options: { yes: 'boolean' } },
  'outbox list': {},
  'outbox retry': { args: ['ID'], options: { all: 'boolean' } },
  'timers list': {},
  'timers retry': { args: ['ID'], options: { all: 'boolean' } },
};

interface Parsed {
  cmd: string;
  sub: string | undefined;
  /** The command, and its subcommand when one was given, as problems name it. */
  label: string;
  args: string[];
  options: Record<string, string | true>;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

/** A command that cannot run as asked: one line for the admin, exit 1. */
class CommandError extends Error {}

/** A command line that does not say what to do: the problem and the command's usage, exit 2. */
class UsageError extends Error {
  constructor(
    /** The command (and subcommand) it is about, or null for none. */
    readonly cmd: string | null,
    problem: string,
  ) {
    super(problem);
  }
}

const oneOf = (xs: readonly string[]) => `${xs.slice(0, -1).join(', ')}${xs.length > 1 ? ' or ' : ''}${xs.at(-1)}`;

/**
 * Splits a command's arguments into its subcommand, options and arguments, refusing what the
 * command does not take. Anything that starts with "-" is an option: a file named so is written
 * ./-name, so that a mistyped option never becomes a file name.
 */
function parseCommand(cmd: string, argv: string[]): Parsed {
  let rest = argv;
  let sub: string | undefined;
  const subs = SUBCOMMANDS[cmd];
  if (subs) {
    const first = rest[0];
    if (first === undefined || first.startsWith('-')) {
      // `roe outbox` and `roe timers` list; the other commands need to be told which one.
      if (cmd !== 'outbox' && cmd !== 'timers') throw new UsageError(cmd, `needs a subcommand: ${oneOf(subs)}`);
      sub = 'list';
    } else {
      if (!subs.includes(first)) throw new UsageError(cmd, `unknown subcommand "${first}" (use ${oneOf(subs)})`);
      sub = first;
      rest = rest.slice(1);
    }
  }
  const label = sub && rest !== argv ? `${cmd} ${sub}` : cmd;
  const spec = SPECS[sub ? `${cmd} ${sub}` : cmd] ?? {};
  const types = spec.options ?? {};
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[]; tokens: readonly { kind: string; name?: string }[] };
  try {
    parsed = parseArgs({ args: rest, options: Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type }])), allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(label, argumentProblem(e, spec, rest));
  }
  // parseArgs keeps the last of an option given twice: `export --partner a --partner b` would
  // export b without a word, so the command line is refused instead.
  const given = parsed.tokens.flatMap((t) => (t.kind === 'option' && t.name ? [t.name] : []));
  const twice = given.find((name, i) => given.indexOf(name) !== i);
  if (twice) throw new UsageError(label, `--${twice} is given twice: give it once`);
  const options: Record<string, string | true> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true || (typeof value === 'string' && value !== '')) options[name] = value;
    else if (value === '') throw new UsageError(label, `--${name} needs a value`);
  }
  // Anything that starts with "-" is an option: a file named so is written ./-name.
  const args = parsed.positionals;
  const max = spec.args?.length ?? 0;
  if (args.length > max) throw new UsageError(label, `unexpected argument "${args[max]}"`);
  return { cmd, sub, label, args, options };
}

/** node:util parseArgs's refusal as one line of ours (its own messages are written for developers). */
function argumentProblem(e: unknown, spec: ArgSpec, args: readonly string[]): string {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(e);
  const flag = /'(-{1,2}[^'\s]+)/.exec(text)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // parseArgs names only the first letter of a short group: "-x.csv" is refused as "-x", but
    // the file to write as ./-x.csv is the whole word.
    const word = (!flag.startsWith('--') && args.find((a) => a.startsWith(flag) && !a.startsWith('--'))) || flag;
    const file = spec.args?.includes('FILE') ? ` (for a FILE whose name starts with "-", write ./${word})` : '';
    return `unknown option "${word}"${file}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return /does not take an argument/.test(text) ? `${flag} takes no value` : `${flag} needs a value`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument${flag ? ` "${flag}"` : ''}`;
  return text.split('\n')[0]!;
}

/** The value of a string option, refused unless it is one of `allowed`. */
function choice(p: Parsed, name: string, allowed: readonly string[], fallback: string): string {
  const value = p.options[name] ?? fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) throw new UsageError(p.label, `--${name} must be ${oneOf(allowed)} (got "${String(value)}")`);
  return value;
}

/** DATABASE_PATH as configured and as the absolute path it names. */
interface DatabaseLocation {
  /** How messages name it: `DATABASE_PATH`, with its value when that is relative. */
  label: string;
  /** The absolute path (or `:memory:`). */
  path: string;
}

function databaseLocation(configured: string): DatabaseLocation {
  if (configured === ':memory:' || isAbsolute(configured)) return { label: 'DATABASE_PATH', path: configured };
  return { label: `DATABASE_PATH=${configured}`, path: resolve(configured) };
}

/** Pages `roe backup` copies per step of SQLite's backup API: all of them (better-sqlite3's largest step). */
const BACKUP_PAGES_PER_STEP = 0x7fffffff;

/**
 * Copies the database `source` into the file `to` (made beforehand with the mode it is to have), as
 * `roe backup` and `roe restore` do. Every page in one step, under one read transaction: copied a
 * hundred pages at a time (the default), a write by the bot between two steps made SQLite start the
 * copy over, so on a busy bot a large database was never copied. In WAL mode the read holds no
 * writer up. The copy is one self-contained file (no -wal beside it), which opens for reading
 * anywhere, even where nothing may be written (a read-only archive); a start turns it back to WAL.
 */
async function copyWhole(source: Database.Database, to: string): Promise<Database.BackupMetadata> {
  const r = await source.backup(to, { progress: () => BACKUP_PAGES_PER_STEP });
  const copy = new Database(to);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  return r;
}

const FILE_ERRNOS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOSPC', 'ENAMETOOLONG', 'ELOOP']);
const SQLITE_FILE_CODES = /^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|FULL)/;

const statOf = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES…: not there for us
  }
};

/**
 * Whose `path` is, said to the account that may not use it (a database restored as root, the
 * bot started as another account): ` by this account, roe (uid 999): it is root's (uid 0), mode
 * 0600; chown it to roe`. Nothing where the system has no uids.
 */
function notThisAccounts(path: string, stat: Stats, e: unknown): string {
  const uid = process.getuid?.();
  // A permission the account lacks, not a read-only file system (EROFS), which no owner changes.
  if (uid === undefined || (e as { code?: unknown }).code !== 'EACCES') return '';
  let name: string | undefined;
  try {
    name = userInfo().username || undefined;
  } catch {
    // A uid with no account name (a container's): said by its number.
  }
  const me = name ? `${name} (uid ${uid})` : `uid ${uid}`;
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  if (stat.uid === uid) return ` by this account, ${me}: it is this account's, mode ${mode}; chmod ${stat.isDirectory() ? 'u+rwx' : 'u+rw'} ${path}`;
  const owner = stat.uid === 0 ? "root's (uid 0)" : `uid ${stat.uid}'s`;
  return ` by this account, ${me}: it is ${owner}, mode ${mode}; chown it to ${name ?? `uid ${uid}`}`;
}

/**
 * The file `path` names, through any links: where a link points, even to a file that is not
 * there (the database lost with its volume's copy, which a restore puts back there); `path`
 * itself when nothing is there yet.
 */
function linkedFile(path: string): string {
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(path);
    } catch {
      // Nothing at the end of it: a link is followed one step, by what it says.
    }
    let to: string;
    try {
      to = readlinkSync(path);
    } catch {
      return path;
    }
    path = resolve(dirname(path), to);
  }
  return path;
}

/** Why the database file cannot be opened or written, as far as the file system tells. */
function whyNot(path: string): string | null {
  const stat = statOf(path);
  if (stat?.isDirectory()) return 'it is a directory';
  let dir = dirname(path);
  while (!statOf(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const folder = statOf(dir);
  if (!folder?.isDirectory()) return `${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    return `${dir} cannot be written${notThisAccounts(dir, folder, e)}`;
  }
  if (stat) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (e) {
      return `the file cannot be read and written${notThisAccounts(path, stat, e)}`;
    }
  }
  return null;
}

/**
 * The one line for an error the database file caused (a directory, a folder that cannot be
 * written, a read-only file, a full disk, a damaged file, a write lock held too long), or null
 * for any other error.
 */
function databaseFileProblem(db: DatabaseLocation, e: unknown): string | null {
  if (db.path === ':memory:') return null;
  const { code, path } = (e ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== 'string') return null;
  // A page that cannot be read (a copy cut short, a disk fault), found however far the command got.
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return `${db.label}: ${db.path} is damaged or not a roe database (${((e as Error).message ?? '').split('\n')[0]}); restore a backup`;
  // Another process kept the write lock longer than this one waits for it (busy_timeout; a
  // transaction's own shorter wait).
  if (isBusy(e)) return `${db.label}: ${db.path} is busy: another process (an import?) holds its write lock; try again when it is done`;
  const onTheWay = typeof path === 'string' && (db.path === path || db.path.startsWith(`${path}/`) || db.path.startsWith(`${path}${sep}`));
  if (!SQLITE_FILE_CODES.test(code) && !(FILE_ERRNOS.has(code) && onTheWay)) return null;
  const message = ((e as Error).message ?? '').split('\n')[0]!;
  const verb = code === 'SQLITE_CANTOPEN' || !code.startsWith('SQLITE_') ? 'cannot open' : 'cannot write to';
  return `${db.label}: ${verb} ${db.path} (${whyNot(db.path) ?? message})`;
}

/**
 * Refuses a database file that does not exist, so that a command which only reads (or changes
 * existing data) does not create an empty database at a mistyped path and report on it.
 */
function requireDatabase(db: DatabaseLocation): void {
  if (db.path === ':memory:') return;
  const stat = statOf(db.path);
  if (!stat) throw new CommandError(`${db.label}: no database at ${db.path} (run npx roe serve, npm start or an import first)`);
  // A folder is named as the commands that create the database name it.
  if (stat.isDirectory()) throw new CommandError(`${db.label}: cannot open ${db.path} (it is a directory)`);
  if (!stat.isFile()) throw new CommandError(`${db.label}: ${db.path} is not a database file`);
  // Nor an empty file or another application's database, which opening would make a roe one.
  requireRoeDatabase(db.path);
}

/**
 * createRuntime, with a database file that cannot be opened reported in one line. Without
 * `recordPolicy` the policy file is not recorded as a version (nor refused for one of the same
 * name): for the commands that do not judge claims.
 */
function openRuntime(config: Config, db: DatabaseLocation, logger: Logger, { recordPolicy = true as RuntimeOptions['recordPolicy'], readOnly = false, terminal = undefined as RuntimeOptions['terminal'] } = {}): Runtime {
  try {
    return createRuntime({ ...config, databasePath: db.path }, logger, systemClock, { recordPolicy, readOnly, ...(terminal ? { terminal } : {}) });
  } catch (e) {
    const problem = databaseFileProblem(db, e);
    if (problem) throw new CommandError(problem);
    throw e;
  }
}

/**
 * Runs fn on a runtime over the configured database, which must exist unless `create` is set.
 * `recordPolicy`: record the policy file of ROE_POLICY as a version, as the commands that judge
 * claims do (serve, console, import); the others neither need it nor trip over one that
 * clashes with a stored version.
 */
function withRuntime<T>(config: Config, db: DatabaseLocation, fn: (rt: Runtime) => T, { create = false, recordPolicy = false as RuntimeOptions['recordPolicy'], readOnly = false } = {}): T {
  if (!create) requireDatabase(db);
  const rt = openRuntime(config, db, createTextLogger(config.logLevel, process.stderr, secretsOf(config)), { recordPolicy, readOnly, terminal: 'byHand' });
  try {
    return fn(rt);
  } finally {
    rt.close();
  }
}

/** The names of these accounts (those that exist), by id: a few hundred ids to a query. */
function accountNames(rt: Runtime, ids: readonly string[]): Map<string, { name: string }> {
  const unique = [...new Set(ids)];
  const names = new Map<string, { name: string }>();
  for (let i = 0; i < unique.length; i += 500) for (const [id, a] of rt.store.accounts.labels(unique.slice(i, i + 500))) names.set(id, { name: a.name });
  return names;
}

/** `JSON.stringify(items, null, 2)`, written an item at a time. */
function writeJsonArray(io: Io, items: Iterable<unknown>): void {
  let previous: string | null = null;
  for (const item of items) {
    if (previous === null) io.out('[');
    else io.out(`${previous},`);
    previous = `  ${JSON.stringify(item, null, 2).replace(/\n/g, '\n  ')}`;
  }
  io.out(previous === null ? '[]' : `${previous}\n]`);
}

const LEDGER_COLUMNS = ['seq', 'at', 'kind', 'subject', 'actor', 'policyVersion', 'payload', 'prevHash', 'hash'];

/** The ledger as CSV, a thousand rows at a time; every cell safe to open in a spreadsheet. */
function writeLedgerCsv(io: Io, entries: Iterable<LedgerEntry>): void {
  let batch: Record<string, unknown>[] = [];
  let header = true;
  const flush = () => {
    io.out(stringify(batch, { header, columns: LEDGER_COLUMNS }).trimEnd());
    header = false;
    batch = [];
  };
  for (const e of entries) {
    batch.push(Object.fromEntries(Object.entries({ ...e, payload: JSON.stringify(e.payload) }).map(([k, v]) => [k, csvCell(v)])));
    if (batch.length === 1000) flush();
  }
  if (batch.length > 0 || header) flush();
}

/**
 * A CSV cell a spreadsheet will not run: a value starting with = + - @ (or a tab or carriage
 * return, which some read past) is a formula to Excel and LibreOffice, so it gets a leading
 * quote mark (OWASP's advice for CSV injection). So does such a character after a semicolon, a
 * tab or a line break inside the value: a spreadsheet that separates columns with semicolons
 * (Excel in much of Europe) or tabs starts a cell there, quotes or not (a rationale
 * "see notes;=HYPERLINK(…)" would be a cell `=HYPERLINK(…)`). The ledger holds text typed in
 * chat (a ruling's rationale) and from policy files and imports; whoever opens an export must
 * not run any of it. JSON is exact: only the CSV is changed so.
 */
function csvCell(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/(?<=^|[;\t\r\n])(?=[=+\-@\t\r])/g, "'") : value;
}

/** `--head`, checked: the start of a head hash a verify printed. */
function keptHead(p: Parsed): string | undefined {
  const kept = p.options.head;
  if (kept !== undefined && (typeof kept !== 'string' || !KEPT_HEAD.test(kept))) throw new UsageError(p.label, `--head takes the head a verify printed: 16 to 64 hex digits (got "${String(kept)}")`);
  return kept;
}

/** What `ledger verify` says of a chain, and its exit code. `older`: what else a head not found may mean. */
function reportVerify(io: Io, result: VerifyResult, kept: string | undefined, older: string): number {
  if (result.ok && result.kept === null) {
    io.err(`ledger BROKEN: no entry has the head ${kept} kept earlier: entries were removed or written again since it was printed, or ${older} (${result.count === 0 ? 'the ledger is empty' : result.count === 1 ? 'the 1 entry there now verifies' : `the ${plural(result.count, 'entry', 'entries')} there now verify among themselves`})`);
    return 1;
  }
  if (result.ok) {
    io.out(`ledger OK: ${plural(result.count, 'entry', 'entries')}, head ${result.head.slice(0, 16)}${result.kept ? `; the head kept earlier is entry ${result.kept}, and every entry up to it is unchanged` : ''}`);
    return 0;
  }
  io.err(`ledger BROKEN at entry ${result.badSeq}: ${result.problem} (${plural(result.count, 'entry', 'entries')} before it ${result.count === 1 ? 'verifies' : 'verify'})`);
  return 1;
}

/**
 * `ledger verify --file EXPORT.json`: the chain of a JSON export (`roe ledger export`), as an
 * auditor given the file checks it, without the database. Read whole. The policy files are not
 * in an export: their hashes are (policy.recorded), to compare with the files themselves.
 */
function verifyExport(p: Parsed, io: Io): number {
  const file = p.options.file;
  if (typeof file !== 'string') throw new UsageError(p.label, '--file needs the JSON file roe ledger export wrote');
  const kept = keptHead(p);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new CommandError(`${file}: cannot read the file (${whyUnreadable(e)})`);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new CommandError(`${file}: not JSON; give the file roe ledger export wrote (JSON, the default; not --format csv)`);
  }
  if (!Array.isArray(entries)) throw new CommandError(`${file}: not a ledger export (roe ledger export writes a JSON array of entries)`);
  const bad = entries.findIndex((e: unknown) => e === null || typeof e !== 'object' || Array.isArray(e) || typeof (e as LedgerEntry).seq !== 'number' || typeof (e as LedgerEntry).hash !== 'string' || typeof (e as LedgerEntry).prevHash !== 'string');
  if (bad !== -1) throw new CommandError(`${file}: item ${bad + 1} of the array is not a ledger entry (no seq, prevHash or hash)`);
  // The chain is each entry's seq and links, not its place in the file (a tool may have sorted
  // the entries otherwise): checked in seq order. An entry the file holds twice is named as such.
  const ordered = (entries as LedgerEntry[]).map((e, at) => ({ e, at })).sort((a, b) => a.e.seq - b.e.seq || a.at - b.at).map(({ e }) => e);
  const twice = ordered.findIndex((e, i) => i > 0 && ordered[i - 1]!.seq === e.seq);
  if (twice !== -1) {
    io.err(`ledger BROKEN at entry ${ordered[twice]!.seq}: the file holds it twice`);
    return 1;
  }
  return reportVerify(io, verifyChain(ordered, kept === undefined ? {} : { kept }), kept, 'the file was exported before that head');
}

/**
 * Runs one `roe` command; returns the exit code: 0 done, 1 the command failed (one line on
 * stderr), 2 the command line is wrong (the problem and the command's usage on stderr).
 * `roe COMMAND --help` (or -h, anywhere after the command) prints the command's usage and does
 * nothing else.
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...args] = argv;
  // No command is a command line that does not say what to do, as any other: on stderr.
  if (!cmd) return usage(io, null, 'which command? (roe help shows each one\'s usage)');
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    // `roe help --help` is help too: --help anywhere after a command shows its usage.
    const topic = args.find((a) => a !== '--help' && a !== '-h');
    if (topic === undefined) io.out(USAGE);
    else if (isCommand(topic)) io.out(commandUsage(topic));
    else return usage(io, null, unknownCommand(topic));
    return 0;
  }
  if (cmd === '--version' || cmd === '-v') return main(['version', ...args], io);
  if (!isCommand(cmd)) return usage(io, null, unknownCommand(cmd));
  if (args.includes('--help') || args.includes('-h')) {
    io.out(commandUsage(cmd));
    return 0;
  }
  if (cmd === 'version') {
    if (args.length > 0) return usage(io, cmd, `takes nothing after it (got ${args.join(' ')})`);
    io.out(`roe-bot ${version()}`);
    return 0;
  }
  let db: DatabaseLocation | undefined;
  try {
    const p = parseCommand(cmd, args);
    if (cmd === 'policy') {
      // Before the configuration: checking a file needs neither the rest of the environment nor a database.
      const file = p.args[0];
      if (!file) throw new UsageError(p.label, 'needs a FILE');
      const { policy, warnings } = readPolicyFile(file);
      // With DATABASE_PATH set (the bot's database), the file is also checked as loading it there
      // would check it, and what it would leave behind is said; nothing is written.
      const configured = io.env.DATABASE_PATH?.trim();
      let against: string[] = [];
      let alone: string | null = null;
      if (configured) {
        const where = databaseLocation(configured);
        const stat = where.path === ':memory:' ? undefined : statOf(where.path);
        if (!stat) alone = `${where.label}: ${where.path === ':memory:' ? 'no database there' : `no database at ${where.path}`}, so the file is checked alone`;
        else {
          db = where;
          if (stat.isDirectory()) throw new CommandError(`${where.label}: cannot open ${where.path} (it is a directory)`);
          // An empty file is no database yet: opening it to check against would make it one.
          if (holdsNoTables(where.path)) alone = `${where.label}: ${where.path} is empty (no roe database yet), so the file is checked alone`;
          else against = checkAgainstDatabase(where.path, file, systemClock.now());
        }
      }
      io.out(`${file}: valid (version ${policy.version}, effective ${policy.effective}, ${policy.coverage.length} coverage rules, ${policy.criteria.length} criteria)`);
      for (const w of warnings) io.err(w);
      for (const w of against) io.err(`${file}: warning: ${w}`);
      if (alone) io.err(alone);
      return 0;
    }
    // An export's chain is checked from the file alone: neither the configuration nor a database.
    if (cmd === 'ledger' && p.sub === 'verify' && p.options.file !== undefined) return verifyExport(p, io);
    const config = loadConfig(io.env);
    db = databaseLocation(config.databasePath);
    return await run(p, config, db, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.cmd, e.message);
    const fileProblem = db ? databaseFileProblem(db, e) : null;
    if (fileProblem) io.err(fileProblem);
    else if (e instanceof ConfigError) io.err(`configuration: ${e.message}`);
    else if (e instanceof DatabaseFileError && db) io.err(e.message.replace(/^DATABASE_PATH: /, `${db.label}: `));
    else if (e instanceof CommandError || e instanceof DatabaseFileError) io.err(e.message);
    else if (e instanceof ImportError || e instanceof PolicyError || isDomainError(e)) io.err(e.message);
    else throw e;
    return 1;
  }
}

/** What a server that could not listen on `port` says, naming PORT; null for a failure that is not about the port. */
export function listenProblem(e: unknown, port: number): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return `PORT: ${port} is in use (set PORT to a free port)`;
  if (code === 'EACCES') return `PORT: ${port} may not be listened on by this user (ports below 1024 need root or CAP_NET_BIND_SERVICE): set PORT to 1024 or above, such as 3000, behind your proxy`;
  return null;
}

async function run(p: Parsed, config: Config, db: DatabaseLocation, io: Io): Promise<number> {
  const { sub } = p;
  switch (p.cmd) {
    case 'serve': {
      // Refused before the database is opened or a timer fires.
      const problem = serveProblem(config);
      if (problem) throw new ConfigError(problem);
      const rt = openRuntime(config, db, createLogger(config.logLevel, undefined, secretsOf(config)));
      // A bot started from another folder, on a new host or with DATABASE_PATH mistyped makes a
      // new database and would serve it as if nobody owned anything: said at start, naming it.
      if (rt.store.partners.all().length === 0 && rt.store.accounts.count() === 0) {
        rt.logger.warn(
          { database: db.path },
          `database: ${db.path} holds no partners and no accounts, so who-owns finds no account and no claim can be filed: import them (npx roe import partners FILE, then accounts). If this bot had data before, DATABASE_PATH does not point at its database (a relative path is taken from the folder the bot starts in)`,
        );
      }
      for (const w of partnersNamedInternal(rt.store.partners.all(), config)) rt.logger.warn({}, w);
      for (const w of escalationChannelsUnserved(rt.policies.inForceAt(rt.clock.now()).policy.sla.escalation_channel, config)) rt.logger.warn({}, w);
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
        const problem = e instanceof PlatformStartError ? e.message : listenProblem(e, config.port);
        if (!problem) throw e;
        io.err(problem);
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
      const rt = openRuntime(config, db, createTextLogger(config.logLevel, process.stderr, secretsOf(config)), { terminal: 'console' });
      try {
        await hostConsole(rt, io.stdin as never, io.stdout as never);
      } finally {
        rt.close();
      }
      return 0;
    }
    case 'import': {
      const kind = sub as ImportKind;
      const file = p.args[0];
      if (!file) throw new UsageError(p.label, 'needs a FILE');
      let bytes: Uint8Array;
      let size: number;
      try {
        // The size of a file (a pipe's is not known before it is read).
        const stat = statSync(file);
        size = stat.isFile() ? stat.size : 0;
      } catch (e) {
        io.err(`${file}: cannot read the file (${whyUnreadable(e)})`);
        return 1;
      }
      // Refused before it is read: a file too large would fill the memory first.
      refuseIfTooLarge(file, size, importMaxBytes(kind));
      try {
        bytes = readFileSync(file);
      } catch (e) {
        io.err(`${file}: cannot read the file (${whyUnreadable(e)})`);
        return 1;
      }
      // Decoded strictly: readFileSync's 'utf8' would turn a Latin-1 file into mojibake silently.
      // Read and checked (a CSV with its kind's header) before the database is opened: a file
      // refused for itself leaves no database behind at a new DATABASE_PATH.
      const csv = csvFile(kind, file, csvText(file, bytes));
      // Partners taken out of the programme that this file brings back in, by id (separated by commas).
      const reopen = typeof p.options.reopen === 'string' ? [...new Set(p.options.reopen.split(',').map((id) => id.trim()).filter((id) => id !== ''))] : [];
      if (p.options.reopen !== undefined && reopen.length === 0) throw new UsageError(p.label, '--reopen needs the ID of a partner taken out of the programme');
      // (So is ROE_POLICY, for a database not made yet: see createRuntime.)
      // A new version of ROE_POLICY, recorded with the rows: a change of the rules, said even when no row changed.
      const recording: { version: RecordedVersion | null } = { version: null };
      let namedInternal: string[] = [];
      const report = withRuntime(config, db, (rt) => {
        // The cases it opens for pending claims are announced in its transaction: the outbox
        // delivers the messages (the arbitrator's card) once the server runs.
        const r = importCsv(rt.ctx, kind, file, csv, { announce: (events) => announce(rt.deps, events, null), beforeWrite: () => void (recording.version = rt.recordPolicy()), reopen });
        // The account index file, for the accounts as imported: the next start (or a running
        // server) reads it instead of indexing every account.
        if (kind === 'accounts') rt.reindex();
        // A partner's Slack team or Teams tenant that the configuration names as the company's own.
        if (kind === 'partners') namedInternal = partnersNamedInternal(rt.store.partners.all(), config);
        // A new version of the rules that drops what running claims and cases hold: said as the start says it.
        if (recording.version?.earlier) for (const warning of droppedWhileHeld(rt.store, rt.policies, recording.version.version, systemClock.now())) rt.logger.warn({ policy: recording.version.version.version }, warning);
        return r;
      }, { create: true, recordPolicy: 'later' });
      // A file of thousands of pending claims names its first cases, not every one.
      const ids = (list: number[]) => list.slice(0, 10).map((d) => `#${d}`).join(', ') + (list.length > 10 ? ` and ${count(list.length - 10)} more` : '');
      // The operator is one of the company's people: a claim waiting for approval is said to be one.
      const disputes = report.disputes.filter((id) => !report.approvals.includes(id));
      const inDisputes = report.inCases - report.inApprovals;
      const cases =
        (inDisputes ? `; ${plural(inDisputes, 'pending claim')} put in ${disputes.length === 1 ? 'dispute' : 'disputes'} ${ids(disputes)}` : '') +
        (report.inApprovals ? `; ${plural(report.inApprovals, 'pending claim')} ${report.inApprovals === 1 ? 'waits' : 'wait'} for approval in ${report.approvals.length === 1 ? 'case' : 'cases'} ${ids(report.approvals)}` : '');
      const unchanged = report.unchanged ? `, ${count(report.unchanged)} unchanged` : '';
      io.out(`${file}: ${plural(report.inserted, kind.slice(0, -1), kind)} added, ${count(report.updated)} updated${unchanged}${cases}`);
      // A partner left out of the file is not removed: an admin taking one out of the programme is told so.
      const kept = report.notInFile ?? [];
      if (kept.length) io.out(`${plural(kept.length, 'partner')} ${kept.length === 1 ? 'is' : 'are'} not in the file, and ${kept.length === 1 ? 'is' : 'are'} kept as ${kept.length === 1 ? 'it was' : 'they were'} (an import never deletes): ${clean(kept.slice(0, 10).join(', '))}${kept.length > 10 ? ` and ${count(kept.length - 10)} more` : ''}; to take one that left the programme out of it: npx roe partner close ID`);
      if (report.reopened?.length) io.out(clean(`back in the programme: ${report.reopened.join(', ')} (linked by the Slack team and Teams tenant the file gives it; the claims closed when it left stay closed)`));
      for (const w of namedInternal) io.err(`${file}: warning: ${w}`);
      // The first version of a new database is no change of the rules; a later one is.
      const version = recording.version?.earlier ? recording.version.version : null;
      if (version) {
        const now = version.effectiveAt.getTime() <= systemClock.now().getTime();
        io.out(`${config.policyPath}: policy version "${version.version}" recorded, effective ${version.policy.effective} (${now ? 'in force now: a running bot takes it in within 10 seconds' : 'in force from that day'})`);
      }
      return 0;
    }
    case 'ledger': {
      if (sub === 'verify') {
        const kept = keptHead(p);
        const { result, alteredPolicy } = withRuntime(config, db, (rt) => {
          // The policy versions the ledger recorded (policy.recorded: the hash of each file), read on the way.
          const recorded = new Map<string, { seq: number; hash: unknown }>();
          const entries = function* () {
            for (const e of rt.store.ledger.entries()) {
              if (e.kind === 'policy.recorded') recorded.set(e.subject.slice('policy:'.length), { seq: e.seq, hash: (e.payload as { sourceHash?: unknown }).sourceHash });
              yield e;
            }
          };
          const result = verifyChain(entries(), kept === undefined ? {} : { kept });
          // A stored version whose text is not the file its entry recorded was changed since
          // (versions recorded before the ledger kept them have no entry). The bot names a stored
          // version by what its text says: that name is checked too, should the row's be changed.
          const alteredPolicy = listPolicies(rt.db.db)
            .flatMap((p) => {
              const hash = createHash('sha256').update(p.body).digest('hex');
              const names = new Set([p.version, parsePolicyQuiet(p.body)?.version ?? p.version]);
              return [...names].map((version) => ({ version, entry: recorded.get(version), hash }));
            })
            .find((p) => p.entry !== undefined && p.entry.hash !== p.hash);
          return { result, alteredPolicy };
        }, { readOnly: true });
        if (result.ok && alteredPolicy) {
          io.err(`ledger BROKEN: policy version "${alteredPolicy.version}" as stored in the database is not the file its entry ${alteredPolicy.entry!.seq} recorded (its rules were changed since)`);
          return 1;
        }
        return reportVerify(io, result, kept, 'this database is a copy older than that head');
      }
      const format = choice(p, 'format', ['json', 'csv'], 'json');
      // Written as read, entry by entry: a ledger of millions of entries is never one string.
      withRuntime(config, db, (rt) => (format === 'json' ? writeJsonArray(io, rt.store.ledger.entries()) : writeLedgerCsv(io, rt.store.ledger.entries())), { readOnly: true });
      return 0;
    }
    case 'stats': {
      const format = choice(p, 'format', ['text', 'json'], 'text');
      // One read transaction (readStats): the bot, in its own process, may write meanwhile.
      const since = p.options.since as string | undefined;
      const until = p.options.until as string | undefined;
      const { stats, names, people, policy, basis, period } = withRuntime(config, db, (rt) => {
        const now = rt.clock.now();
        const inForce = rt.policies.inForceAt(now);
        // Days in the policy's time zone, as the policy's own days are.
        const period = statsPeriod(since, until, inForce.policy.timezone, now);
        if (period && 'error' in period) throw new UsageError(p.label, period.error);
        const { stats, partners } = readStats(rt.store, inForce.policy, now, period ?? undefined);
        // Arbitrators by the name the policy gives them (one it no longer names: an earlier version's).
        return { stats, names: new Map(partners.map((p) => [p.id, p.name])), people: new Map(stats.arbitrators.map((a) => [a.arbitrator, personName(inForce, a.arbitrator, rt.policies)])), policy: inForce.policy, basis: statsBasisFields(inForce.policy, inForce.version, now, period ?? undefined), period: period ?? undefined };
      }, { readOnly: true });
      const arbitrators = stats.arbitrators.map((a) => ({ arbitrator: a.arbitrator, name: people.get(a.arbitrator) ?? a.arbitrator, openCases: a.openCases, overdueCases: a.overdueCases }));
      if (format === 'json') {
        // What the figures count (period, units, the violations' window) comes with them.
        io.out(JSON.stringify({ basis, ...stats, arbitrators }, null, 2));
        return 0;
      }
      const hrs = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)}h`);
      // Lined up by the columns a terminal shows (a Japanese or Chinese partner name takes two a letter).
      const table = (rows: string[][]) => {
        for (const line of textTable(rows)) io.out(line);
      };
      table([
        ['party', 'claims', 'disputes', 'auto-settled', 'median to ruling (calendar)', 'SLA breaches', period ? 'violations' : `violations (${lastDays(policy)})`, 'open cases', 'overdue', 'flagged'],
        ...stats.parties.map((r) => [r.party === DIRECT ? DIRECT_NAME : (names.get(r.party) ?? r.party), r.claims, r.disputes, percent(r.autoShare), hrs(r.medianHoursToRuling), r.slaBreaches, r.violations, r.openCases, r.overdueCases, r.flagged ? 'yes' : '']),
        ['(overall)', stats.overall.claims, stats.overall.disputes, percent(stats.overall.autoShare), hrs(stats.overall.medianHoursToRuling), stats.overall.slaBreaches, stats.overall.violations, stats.overall.openCases, stats.overall.overdueCases, stats.overall.flaggedPartners.map((id) => names.get(id) ?? id).join(', ')],
      ].map((r) => r.map(String)));
      if (stats.parties.length > 0) io.out(PER_PARTY_NOTE);
      io.out(statsBasis(policy, period));
      if (arbitrators.length > 0) {
        io.out('');
        table([['arbitrator', 'open cases', 'overdue'], ...arbitrators.map((a) => [a.name, a.openCases, a.overdueCases].map(String))]);
      }
      return 0;
    }
    case 'backup': {
      const file = p.args[0];
      if (!file) throw new UsageError(p.label, 'needs a FILE');
      requireDatabase(db);
      // FILE is the copy's own file: a folder (one that exists, or a path ending in /) is not
      // taken to mean a file in it, which would be named by guess.
      const exists = existsSync(file);
      if (exists ? statSync(file).isDirectory() : file.endsWith('/') || file.endsWith(sep)) {
        const d = systemClock.now();
        const example = join(file, `roe-${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}.db`);
        io.err(`${file} ${exists ? 'is a folder' : 'names a folder (it ends with /)'}: FILE is the backup's file path, such as ${example}`);
        return 1;
      }
      if (exists) {
        io.err(`${file} exists; choose a new file name`);
        return 1;
      }
      // The file as it is: a database an earlier release made is copied without being brought up
      // to date first (nor under the earlier release's bot, should it still run), so that release
      // can restore the copy; the release that opens the copy brings it up to date.
      let source: Database.Database;
      try {
        source = openAsIs(db.path);
      } catch (e) {
        const problem = databaseFileProblem(db, e);
        if (problem) throw new CommandError(problem);
        throw e;
      }
      // Written under another name and renamed once whole: a backup cut short (an error, a kill)
      // never leaves a file by the name asked for, which could pass for a backup later.
      const partial = `${file}.partial`;
      const clean = () => {
        for (const f of [partial, `${partial}-journal`]) {
          try {
            rmSync(f, { force: true });
          } catch {
            // nothing there to remove (its directory could not be made either)
          }
        }
      };
      try {
        mkdirSync(dirname(resolve(file)), { recursive: true });
        clean();
        // The copy holds what the database holds: readable by this account alone, as the database is made.
        createPrivateFile(partial);
        const r = await copyWhole(source, partial);
        renameSync(partial, file);
        io.out(`backup written to ${file} (${r.totalPages} pages)`);
        return 0;
      } catch (e) {
        clean();
        // A file it cannot write there (a folder that may not be written, a file on the way where
        // a folder should be) is named as the database file's are, not by the system call that failed.
        const code = (e as { code?: unknown } | null)?.code;
        const why = typeof code === 'string' && (FILE_ERRNOS.has(code) || SQLITE_FILE_CODES.test(code)) ? whyNot(resolve(partial)) : null;
        io.err(`${file}: backup failed (${why ?? ((e as Error).message ?? String(e)).split('\n')[0]})`);
        return 1;
      } finally {
        source.close();
      }
    }
    case 'restore': {
      const file = p.args[0];
      if (!file) throw new UsageError(p.label, 'needs a FILE');
      if (db.path === ':memory:') throw new CommandError('DATABASE_PATH: :memory: holds no file to restore a backup to');
      const from = resolve(file);
      const stat = statOf(from);
      if (!stat) {
        io.err(`${file}: no such file`);
        return 1;
      }
      if (!stat.isFile()) {
        io.err(`${file} is ${stat.isDirectory() ? 'a folder' : 'not a file'}: FILE is the backup to restore`);
        return 1;
      }
      // The database itself where DATABASE_PATH is a link to it (kept on another volume): the
      // backup goes there, and the link stays.
      const target = linkedFile(db.path);
      if (realpathSync(from) === target) {
        io.err(`${file} is DATABASE_PATH itself: FILE is the backup to restore`);
        return 1;
      }
      // The backup's problems name the backup, not DATABASE_PATH as the database's do.
      const named = (e: unknown) => {
        if (e instanceof DatabaseFileError) return new CommandError(e.message.replace(`DATABASE_PATH: ${from}`, file));
        return e;
      };
      let source: Database.Database;
      try {
        if (holdsNoTables(from)) {
          io.err(`${file} is empty, not a backup of a roe database`);
          return 1;
        }
        source = openAsIs(from);
      } catch (e) {
        throw named(e);
      }
      const partial = `${target}.restoring`;
      try {
        const check = source.pragma('quick_check', { simple: true });
        if (check !== 'ok') {
          io.err(`${file} is damaged (${String(check).split('\n')[0]}); choose another backup`);
          return 1;
        }
        const restored = ledgerHeadOf(source);
        mkdirSync(dirname(target), { recursive: true });
        const old = statOf(target);
        if (old?.isDirectory()) throw new CommandError(`${db.label}: cannot open ${db.path} (it is a directory)`);
        // Refused while the bot runs on it; what its own -wal holds goes back into it, and the
        // -wal and -shm files go, so that none is left to be read as the backup's.
        let replaced: ReturnType<typeof retireDatabase> | 'none' = 'none';
        try {
          if (old) replaced = retireDatabase(target);
        } catch (e) {
          if (e instanceof DatabaseFileError) throw new CommandError(e.message);
          throw e;
        }
        rmSync(partial, { force: true });
        rmSync(`${partial}-journal`, { force: true });
        createPrivateFile(partial);
        // The file keeps the mode and owner the database had (the bot's account, when restored as root).
        if (old) {
          chmodSync(partial, old.mode & 0o777);
          try {
            chownSync(partial, old.uid, old.gid);
          } catch {
            // Not ours to give away (not root): the file is this account's, as the one before was.
          }
        }
        await copyWhole(source, partial);
        for (const f of [`${target}-wal`, `${target}-shm`, `${target}-journal`]) rmSync(f, { force: true });
        renameSync(partial, target);
        const entries = restored?.entries ?? 0;
        let before = '';
        if (replaced === undefined) before = '; the database it replaced could not be read';
        else if (replaced !== 'none') {
          const had = replaced?.entries ?? 0;
          const gone = had - entries;
          before = `; the database it replaced had ${count(had)}${gone > 0 ? ` (the ${count(gone)} after entry ${count(entries)} ${gone === 1 ? 'is' : 'are'} not in the backup)` : ''}`;
        }
        io.out(`restored ${file} to ${db.path}: the ledger has ${plural(entries, 'entry', 'entries')}, head ${(restored?.head ?? '0'.repeat(64)).slice(0, 16)}${before}`);
        return 0;
      } catch (e) {
        rmSync(partial, { force: true });
        rmSync(`${partial}-journal`, { force: true });
        if (e instanceof CommandError) throw e;
        const problem = databaseFileProblem(db, e);
        if (problem) throw new CommandError(problem);
        throw e;
      } finally {
        source.close();
      }
    }
    case 'export': {
      const partnerId = p.options.partner;
      if (typeof partnerId !== 'string') throw new UsageError(p.label, 'needs --partner ID');
      const data = withRuntime(config, db, (rt) => {
        const partner = rt.store.partners.get(partnerId);
        if (!partner) return { known: rt.store.partners.all().map((x) => x.id).sort() };
        // Only the partner's own rows are read (its claims, its disputes, the accounts they name,
        // the entries about them), in one read transaction: a database of a million accounts and
        // a long ledger is never held whole for one partner's export.
        return rt.store.reading(() => {
          const claims = rt.store.claims.forClaimant(partnerId);
          const disputes = rt.store.disputes.forParty(partnerId);
          return partnerExport({ partner, claims, disputes, accounts: accountNames(rt, [...claims, ...disputes].map((x) => x.accountId)), ledger: rt.store.ledger.about(partnerLedgerSubjects(partnerId, claims)), at: rt.clock.now(), flaggedAt: rt.store.partners.flaggedAt(partnerId), closure: rt.store.partners.closure(partnerId) });
        });
      }, { readOnly: true });
      if ('known' in data) {
        const { known } = data;
        const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')} and ${known.length - 20} more` : known.join(', ');
        io.err(`no partner "${partnerId}"; ${known.length === 0 ? 'no partner is imported yet (npx roe import partners FILE.csv)' : `partner ids: ${shown}`}`);
        return 1;
      }
      io.out(JSON.stringify(data, null, 2));
      return 0;
    }
    case 'forget': {
      const user = p.args[0];
      if (!user) throw new UsageError(p.label, 'needs a chat user key like slack:U0123ABC, teams:29:1abc or console:pat');
      // A platform with no id after it: the key is cut short, not of another kind.
      if (/^(slack|teams|console):$/.test(user)) throw new UsageError(p.label, `"${user}" names no user: put the user's id after the colon (slack:U0123ABC, teams:29:1abc, console:pat)`);
      // An id without its platform (U0123ABC, or a Teams 29:1abc, which would pass for a key and be "nothing known").
      if (!/^(slack|teams|console):./.test(user)) throw new UsageError(p.label, `"${user}" is not a chat user key: it starts with slack:, teams: or console: (${user.includes(':') ? 'a Teams user is teams:29:1abc' : /^[UW][A-Z0-9]{5,}$/.test(user) ? `a Slack user is slack:${user}` : 'such as slack:U0123ABC, teams:29:1abc or console:pat'})`);
      // A Teams user given by their Entra object id (teams:<GUID>, as an admin center shows them):
      // the Teams user whose stored contact holds it. The key itself may be known too (a person
      // the policy names by that id gets messages at it): both are forgotten.
      const ENTRA_ID = /^teams:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
      let forgotten = user;
      let leftToParty = '';
      const report = withRuntime(config, db, (rt) => {
        const aad = ENTRA_ID.exec(user)?.[1];
        if (aad) forgotten = teamsPersonByEntraId(rt.db.db, aad)?.userKey ?? user;
        // The forget is an entry of the ledger too, in its transaction: the pseudonym whose link
        // to the person was removed, and what was removed; never the person's key.
        const record = (r: Omit<ForgetReport, 'walCleared'>) =>
          rt.store.ledger.append({ at: rt.clock.now(), kind: 'user.forgotten', subject: 'privacy', actor: 'forget', policyVersion: null, payload: { pseudonym: r.actorId, claims: r.claims, disputes: r.disputes, profiles: r.people, undeliveredMessages: r.outbox, pastMessages: r.past } });
        const byId = forgotten !== user && knowsUser(rt.db, user) ? forgetUser(rt.db, user, record) : null;
        const main = knowsUser(rt.db, forgotten) ? forgetUser(rt.db, forgotten, record) : null;
        // Nothing left to forget: perhaps a first run, killed after its transaction, did not empty the -wal file.
        if (!main && !byId) emptyWal(rt.db.sqlite);
        leftToParty = liveClaimsLeft(rt, [main?.actorId, byId?.actorId]);
        if (!main || !byId) return main ?? byId;
        return { ...main, people: main.people + byId.people, outbox: main.outbox + byId.outbox, past: main.past + byId.past, claims: main.claims + byId.claims, disputes: main.disputes + byId.disputes, walCleared: main.walCleared && byId.walCleared };
      });
      if (!report) {
        io.err(`nothing is known of ${user}`);
        return 1;
      }
      if (forgotten !== user) io.out(`${user} is the Entra object id of Teams user ${forgotten}`);
      // What was sent to them is kept a while (30 days), without naming them: an arbitrator known only so is forgotten there.
      const past = report.past ? `, ${plural(report.past, 'past message')} no longer name${report.past === 1 ? 's' : ''} them` : '';
      io.out(`forgot ${forgotten}: ${plural(report.claims, 'claim')} and ${plural(report.disputes, 'dispute')} now name ${report.actorId ?? 'nobody'}, ${plural(report.people, 'profile')} removed, ${plural(report.outbox, 'undelivered message')} dropped${past}; the ledger keeps only the pseudonym`);
      // Someone who left: what they filed and is still live is their party's, and nobody's to be warned of until a colleague takes it on.
      if (leftToParty) io.out(clean(leftToParty));
      // Another process kept reading: the -wal file may still hold their data as it was.
      if (!report.walCleared) io.err(`${db.label}: another process kept reading ${db.path}, so its -wal file may still hold old copies of ${forgotten}'s data until the bot stops`);
      return 0;
    }
    case 'partner': {
      const partnerId = p.args[0];
      if (!partnerId) throw new UsageError(p.label, 'needs the ID of the partner to take out of the programme');
      const confirmed = p.options.yes === true;
      // Without --yes, one read transaction and nothing written; with it, closePartner's one
      // transaction, which works the closing out again under the write lock (the bot, in its own
      // process, may have filed a claim meanwhile) and queues what the cases' review announces
      // with it, as an import's cases are: the running server delivers them, and reads the
      // partner without its workspace at its next request.
      const result = withRuntime(config, db, (rt) => {
        const known = () => rt.store.partners.all().map((x) => x.id).sort().map((id) => (rt.store.partners.closure(id) ? `${id} (out of the programme)` : id));
        // The day it left the programme, before this run.
        const leftOn = (c: ClosingLookup) => (c.partner !== null && c.closedAt !== null ? closedOn(rt.ctx, c.closedAt) : null);
        if (!confirmed) {
          const closing = rt.store.reading(() => partnerClosing(rt.ctx, partnerId));
          return { closing, after: [], known: closing.partner === null ? known() : [], leftOn: leftOn(closing) };
        }
        const closed = closePartner(rt.ctx, partnerId, { announce: (events) => announce(rt.deps, events, null) });
        const closing = closed ?? partnerClosing(rt.ctx, partnerId);
        // How each case now stands, once the closing committed.
        const after = closed ? closed.cases.map((d) => rt.store.disputes.get(d.id) ?? d) : [];
        return { closing, after, known: closing.partner === null ? known() : [], leftOn: leftOn(closing) };
      }, { readOnly: !confirmed });
      const { closing } = result;
      if (closing.partner === null) {
        if (closing.reason === 'direct') {
          io.err(`"${DIRECT}" is ${DIRECT_NAME}, not a partner: it cannot leave the programme`);
          return 1;
        }
        io.err(unknownPartnerLine(partnerId, result.known));
        return 1;
      }
      const who = clean(`${closing.partner.name} (${closing.partner.id})`);
      if (!anythingToClose(closing)) {
        io.out(`nothing to do: ${who} has no live claim (pending, protected or dormant) and no Slack team or Teams tenant linked, and left the programme on ${result.leftOn}${closing.otherCases.length ? `; ${casesLeft(closing.otherCases)}` : ''}`);
        if (closing.accounts.count) io.out(clean(accountsLeft(closing.accounts)));
        return 0;
      }
      const claims = closing.claims.map((c) => `#${c.id} (${c.status})`);
      const org = [closing.partner.slackTeamId !== null ? `Slack team ${closing.partner.slackTeamId}` : null, closing.partner.teamsTenantId !== null ? `Teams tenant ${closing.partner.teamsTenantId}` : null].filter((x) => x !== null).join(' and ');
      if (!confirmed) {
        const lines = [`roe partner close ${closing.partner.id}: nothing changed; with --yes it would`];
        if (closing.claims.length) lines.push(`- close ${plural(closing.claims.length, 'live claim')} of ${who} as ${CLOSED_AS}: ${listed(claims)}; their timers and warnings still queued are cancelled`);
        else lines.push(`- close no claim: ${who} has no live claim (pending, protected or dormant)`);
        if (closing.cases.length) lines.push(`- look again at the open ${closing.cases.length === 1 ? 'case' : 'cases'} holding them, ${listed(closing.cases.map((d) => `#${d.id}`))}: withdrawn when no claim in it is left live (its parties and arbitrator are told), otherwise recommended on again over the claims left (its arbitrator is told when that changes who is recommended)`);
        if (closing.linked) lines.push(`- unlink its ${org}: its users become unknown externals, who may only ask for help`);
        // Raised holding no claim (by hand, against an owner), or with a claim of its closed here against an owner holding none;
        // or opened for its claim closed here by your people or an import.
        const ours = new Set(closing.claims.map((c) => c.id));
        const { raised, opened } = byPursuit(closing);
        const withClaim = raised.filter((d) => d.claimIds.some((id) => ours.has(id)));
        const withNone = raised.filter((d) => !withClaim.includes(d));
        const pursue = (n: number) => `nobody is left to pursue ${n === 1 ? 'it' : 'them'} (${n === 1 ? 'its' : 'their'} other parties, ${n === 1 ? 'its thread and its arbitrator are' : 'threads and arbitrators are'} told)`;
        if (withNone.length) lines.push(`- withdraw ${casesRaised(withNone)} holding no claim in ${withNone.length === 1 ? 'it' : 'them'}: ${pursue(withNone.length)}`);
        if (withClaim.length) lines.push(`- withdraw ${casesRaised(withClaim)} with a claim closed here, against an owner holding no claim in ${withClaim.length === 1 ? 'it' : 'them'}, and no other party's live claim in ${withClaim.length === 1 ? 'it' : 'them'}: ${pursue(withClaim.length)}`);
        if (opened.length) lines.push(`- withdraw ${casesOpenedFor(opened)} by your people or an import, which ${opened.length === 1 ? 'closes' : 'close'} here, against an owner holding no claim in ${opened.length === 1 ? 'it' : 'them'}, and no other party's live claim in ${opened.length === 1 ? 'it' : 'them'}: ${pursue(opened.length)}`);
        if (closing.otherCases.length) lines.push(`- leave ${casesLeft(closing.otherCases)}`);
        lines.push(closing.closedAt === null ? '- record it as out of the programme: a claims file then refuses live claims of it, and a partners file no longer links it (only --reopen brings it back)' : `- keep it out of the programme, as it is since ${result.leftOn}`);
        lines.push('Its partner row, its stats and the ledger stay.');
        if (closing.accounts.count) lines.push(`${accountsLeft(closing.accounts)}.`);
        lines.push(`To do it: npx roe partner close ${closing.partner.id} --yes`);
        io.out(clean(lines.join('\n')));
        return 0;
      }
      const { after } = result;
      const { raised, opened } = byPursuit(closing);
      const nobodyLeft = (cases: readonly Dispute[]) => `nobody is left to pursue ${cases.length === 1 ? 'it' : 'them'}`;
      const withdrawn = after.filter((d) => d.status === 'withdrawn').map((d) => `#${d.id}`);
      const open = after.filter((d) => d.status === 'open').map((d) => `#${d.id}`);
      const parts = [
        closing.claims.length ? `${plural(closing.claims.length, 'claim')} closed as ${CLOSED_AS} (${listed(claims)})` : 'no live claim to close',
        withdrawn.length ? `${withdrawn.length === 1 ? 'case' : 'cases'} ${listed(withdrawn)} withdrawn (no live claim left)` : null,
        open.length ? `${open.length === 1 ? 'case' : 'cases'} ${listed(open)} left to ${open.length === 1 ? 'its arbitrator' : 'their arbitrators'}, recommended on over the claims left` : null,
        raised.length ? `${casesRaised(raised)}, withdrawn (${nobodyLeft(raised)})` : null,
        opened.length ? `${casesOpenedFor(opened)}, withdrawn (${nobodyLeft(opened)})` : null,
        closing.linked ? `${org} unlinked` : null,
        closing.closedAt === null ? 'out of the programme from now' : `out of the programme since ${result.leftOn}`,
      ].filter((x) => x !== null);
      io.out(clean(`closed ${who}: ${parts.join('; ')}${closing.otherCases.length ? `; ${casesLeft(closing.otherCases)}` : ''}`));
      io.out(`A partners file that still gives its Slack team or Teams tenant is refused: give it with those cells empty, or leave it out. To bring it back into the programme: npx roe import partners FILE --reopen ${closing.partner.id}`);
      if (closing.accounts.count) io.out(clean(accountsLeft(closing.accounts)));
      return 0;
    }
    case 'outbox': {
      if (sub === 'list') {
        const rows = withRuntime(config, db, (rt) => undelivered(rt.db.db), { readOnly: true });
        if (rows.length === 0) {
          io.out('outbox empty: every notification was delivered');
          return 0;
        }
        for (const r of rows) {
          // One being sent shows when its lease runs out: then, if its sender stopped mid-send (killed), it is taken again.
          const when = r.status === 'pending' ? `next=${r.nextAttemptAt.toISOString()}` : r.status === 'sending' ? `lease=${r.nextAttemptAt.toISOString()}` : '';
          io.out(`#${r.id} ${r.status.padEnd(7)} ${r.platform} ${JSON.stringify(r.target)} attempts=${r.attempts} ${when}`.trimEnd());
          io.out(clean(`    ${r.summary}${r.lastError ? `\n    last error: ${r.lastError}` : ''}`));
        }
        // A count under the list, and how to retry what is parked, as `timers` ends its list.
        // Each status as the rows above show it: one being sent (leased by a worker) is not "pending".
        const parked = rows.filter((r) => r.status === 'parked').length;
        const sending = rows.filter((r) => r.status === 'sending').length;
        io.out(`${plural(parked, 'parked message')}${parked ? ' (retry with: roe outbox retry ID|--all)' : ''}, ${plural(rows.length - parked - sending, 'message')} pending${sending ? `, ${sending} being sent` : ''}`);
        return 0;
      }
      const id = retryTarget(p, 'message');
      const n = withRuntime(config, db, (rt) => retryParked(rt.db.db, id, rt.clock.now()));
      if (n === 0 && id !== null) {
        io.err(`no parked message #${id} to retry`);
        return 1;
      }
      io.out(n === 0 ? 'no parked message to retry' : `${plural(n, 'message')} back in the queue`);
      return 0;
    }
    case 'timers': {
      if (sub === 'list') {
        const { failed, pending } = withRuntime(config, db, (rt) => ({ failed: failedTimers(rt.db.db), pending: pendingTimerCount(rt.db.db) }), { readOnly: true });
        if (failed.length === 0) {
          io.out(`no failed timers: ${plural(pending, 'timer')} pending`);
          return 0;
        }
        for (const t of failed) {
          io.out(`#${t.id} failed ${t.kind} ${t.subject} due=${t.dueAt.toISOString()} attempts=${t.attempts}`);
          if (t.lastError) io.out(clean(`    last error: ${t.lastError}`));
        }
        io.out(`${plural(failed.length, 'failed timer')} (retry with: roe timers retry ID|--all), ${plural(pending, 'timer')} pending`);
        return 0;
      }
      const id = retryTarget(p, 'timer');
      const n = withRuntime(config, db, (rt) => retryFailedTimers(rt.db.db, id, rt.clock.now()));
      if (n === 0 && id !== null) {
        io.err(`no failed timer #${id} to retry`);
        return 1;
      }
      io.out(n === 0 ? 'no failed timer to retry' : `${plural(n, 'timer')} to fire at the next tick of the running bot`);
      return 0;
    }
    default:
      throw new UsageError(null, `unknown command "${p.cmd}"`);
  }
}

/** What `outbox retry` and `timers retry` were given: one id (digits, or #digits), or null for --all. */
function retryTarget(p: Parsed, what: 'message' | 'timer'): number | null {
  const target = p.args[0];
  const all = p.options.all === true;
  if (!target && !all) throw new UsageError(p.label, `needs a ${what} id or --all`);
  if (target && all) throw new UsageError(p.label, `takes a ${what} id or --all, not both`);
  const digits = target?.replace(/^#/, '');
  const id = digits === undefined ? null : /^\d{1,15}$/.test(digits) ? Number(digits) : NaN;
  if (id !== null && !(id > 0)) throw new UsageError(p.label, `"${target}" is not a ${what} id`);
  return id;
}

/** A command line that does not say what to do: the problem, then the usage; exit 2. */
function usage(io: Io, cmd: string | null, problem: string): number {
  io.err(cmd ? `roe ${cmd}: ${problem}\n\n${commandUsage(commandOf(cmd))}` : `roe: ${problem}\n\n${USAGE}`);
  return 2;
}

/**
 * An error main() did not expect: one line, or its stack trace when LOG_LEVEL is debug or trace;
 * the secrets of `env` and anything shaped like a token blanked, as in the log.
 */
export function unexpectedError(err: unknown, env: NodeJS.ProcessEnv): string {
  const scrub = scrubber([env.SLACK_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_APP_TOKEN, env.MICROSOFT_APP_PASSWORD]);
  if (['debug', 'trace'].includes(env.LOG_LEVEL?.trim().toLowerCase() ?? '')) return scrub(`roe: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
  const line = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0];
  return scrub(`roe: unexpected error: ${line} (LOG_LEVEL=debug shows the stack trace)`);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
// A .env that cannot be read stops the command in one line, as a bad variable does.
if (isEntry && !loadDotEnvAtStart((line) => process.stderr.write(`${line}\n`))) {
  process.exitCode = 1;
} else if (isEntry) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`), env: process.env, stdin: process.stdin, stdout: process.stdout }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${unexpectedError(err, process.env)}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * The live claims (pending or protected) filed by the user a forget just made `pseudonyms`: left to
 * their party with nobody in chat to warn, until someone logs activity on one and takes it
 * on. One line naming them by party (the first 20 of each), or empty when there are none.
 */
function liveClaimsLeft(rt: Runtime, pseudonyms: readonly (string | null | undefined)[]): string {
  const keys = pseudonyms.filter((k): k is string => typeof k === 'string' && k !== '');
  if (keys.length === 0) return '';
  const now = rt.clock.now();
  const live = rt.store.claims.createdBy(keys).filter((c) => isLive(effectiveStatus(c, rt.ctx.policies().termsFor(c), now)));
  if (live.length === 0) return '';
  const byParty = new Map<string, number[]>();
  for (const c of live) byParty.set(c.claimant, [...(byParty.get(c.claimant) ?? []), c.id]);
  const named = [...byParty].map(([party, ids]) => `${listed(ids.map((id) => `#${id}`))} (${partyName(rt.ctx, party)})`);
  return `${plural(live.length, 'live claim')} they filed ${live.length === 1 ? 'is' : 'are'} left to their party, with nobody in chat to warn: ${named.join(', ')}; whoever next logs activity on one (/roe activity N) takes it on, and its warnings from then on`;
}

/** `#1, #2 and #3`: the first 20, and how many more. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 20);
  if (items.length > shown.length) return `${shown.join(', ')} and ${count(items.length - shown.length)} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)!}` : (shown[0] ?? '');
}

/** The running cases a partner taken out of the programme raised holding no claim in them: withdrawn. */
function casesRaised(cases: readonly { id: number }[]): string {
  return `${cases.length === 1 ? 'case' : 'cases'} ${listed(cases.map((d) => `#${d.id}`))}, which it raised`;
}

/** The cases a partner taken out of the programme pursued that one of the company's people or an import opened for its claims: withdrawn with it. */
function casesOpenedFor(cases: readonly { id: number }[]): string {
  return `${cases.length === 1 ? 'case' : 'cases'} ${listed(cases.map((d) => `#${d.id}`))}, opened for its ${cases.length === 1 ? 'claim' : 'claims'}`;
}

/** The cases a closing withdraws, those the partner raised apart from those opened for its claims (by the company's people or an import). */
function byPursuit(closing: PartnerClosing): { raised: Dispute[]; opened: Dispute[] } {
  const raised = closing.raisedCases.filter((d) => d.raisedAs === closing.partner.id);
  return { raised, opened: closing.raisedCases.filter((d) => !raised.includes(d)) };
}

/** The running cases a partner taken out of the programme is a party to with no live claim in them (raised against it): their arbitrators' still, which may not give it the line. */
function casesLeft(cases: readonly { id: number }[]): string {
  return `${cases.length === 1 ? 'case' : 'cases'} ${listed(cases.map((d) => `#${d.id}`))}, which it is a party to with no live claim in ${cases.length === 1 ? 'it' : 'them'}, to ${cases.length === 1 ? 'its arbitrator' : 'their arbitrators'}`;
}

/** The accounts that still name a partner taken out of the programme as incumbent or named owner: the CRM's to change. */
function accountsLeft(accounts: { count: number; ids: readonly string[] }): string {
  const more = accounts.count > accounts.ids.length ? ` and ${count(accounts.count - accounts.ids.length)} more` : '';
  const ids = more ? `${accounts.ids.join(', ')}${more}` : listed(accounts.ids);
  return `${plural(accounts.count, 'account')} still ${accounts.count === 1 ? 'names' : 'name'} it as incumbent partner or named owner, as the CRM gave ${accounts.count === 1 ? 'it' : 'them'} (${ids}): the criteria and who-owns count it as none there from now; import the accounts without it`;
}

/** A partner id that names no partner, with the ids there are (the first 20). */
function unknownPartnerLine(partnerId: string, known: readonly string[]): string {
  const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')} and ${known.length - 20} more` : known.join(', ');
  return clean(`no partner "${partnerId}"; ${known.length === 0 ? 'no partner is imported yet (npx roe import partners FILE.csv)' : `partner ids: ${shown}`}`);
}
