import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY_PATH, ROOT } from '../support/builders.js';
import { listenProblem } from '../../src/app/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-args-'));
/** Other folders the tests made, removed with it. */
const cleanupsAfterAll: string[] = [];
afterAll(() => {
  for (const d of [dir, ...cleanupsAfterAll]) rmSync(d, { recursive: true, force: true });
});
const db = join(dir, 'never.db');

/** `npx roe …` as an admin types it, from an empty folder (so that a stray file shows). */
function roe(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

const usageOf = {
  stats: 'usage: roe stats [--format text|json] [--since DAY] [--until DAY]  claims, disputes, rulings and open cases per partner (over a period: DAY as YYYY-MM-DD); open cases per arbitrator',
  export: 'usage: roe export --partner ID  everything about one partner, and nothing about others (JSON)',
  backup: 'usage: roe backup FILE  an online, consistent copy of the database',
  import: 'usage: roe import accounts|partners|claims FILE   import a CSV export (headers as in examples/)\n       roe import partners FILE --reopen ID[,ID]  bring partners taken out of the programme back in, with their rows of the file (their Slack team and Teams tenant)',
  policy: 'usage: roe policy check FILE  validate a policy file',
  ledger: "usage: roe ledger verify [--head HASH]        check the ledger's hash chain (--head: that it still holds a head printed before)\n       roe ledger verify --file FILE          check a JSON export's hash chain, without the database (--head too)\n       roe ledger export [--format json|csv]  print the ledger (JSON by default)",
  forget: "usage: roe forget USER  remove a chat user's personal data (USER: slack:U0123, teams:29:…, teams:ENTRA-OBJECT-ID or console:NAME)",
  outbox: 'usage: roe outbox [list]          notifications not delivered yet (pending and parked)\n       roe outbox retry ID|--all  put parked notifications back in the queue',
};

/** A command line the CLI refuses: the problem in one line, then the command's usage, exit 2. */
const refused = (problem: string, usage: string) => ({ code: 2, out: '', err: `${problem}\n\n${usage}\n` });

describe('roe command lines', () => {
  it('roe --version, -v and version print the version package.json gives, exit 0; anything after it is refused', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-v'], ['version']]) expect(roe(args), args.join(' ')).toEqual({ code: 0, out: `roe-bot ${version}\n`, err: '' });
    expect(roe(['version', 'now'])).toEqual(refused('roe version: takes nothing after it (got now)', 'usage: roe version  the version of roe-bot (also: roe --version)'));
  });

  it('no command at all is a command line that says nothing: the question and the usage on stderr, exit 2', () => {
    const r = roe([]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^roe: which command\? \(roe help shows each one's usage\)\n\nusage: roe <command>\n/);
  });

  it('an unknown option, an unexpected argument or a missing value is one line naming it, then the usage of that command, with exit 2', () => {
    const csv = join(ROOT, 'examples/partners.csv');
    for (const [args, expected] of [
      [['stats', '--json'], refused('roe stats: unknown option "--json"', usageOf.stats)],
      [['stats', 'partners'], refused('roe stats: unexpected argument "partners"', usageOf.stats)],
      [['export', 'contoso'], refused('roe export: unexpected argument "contoso"', usageOf.export)],
      [['export', '--partner'], refused('roe export: --partner needs a value', usageOf.export)],
      [['export', '--partner='], refused('roe export: --partner needs a value', usageOf.export)],
      [['export', '--partner', 'contoso', '--all'], refused('roe export: unknown option "--all"', usageOf.export)],
      [['import', 'partners', csv, 'again.csv'], refused('roe import partners: unexpected argument "again.csv"', usageOf.import)],
      [['outbox', 'retry', '--all=yes'], refused('roe outbox retry: --all takes no value', usageOf.outbox)],
      [['outbox', 'retry', '3', '--all'], refused('roe outbox retry: takes a message id or --all, not both', usageOf.outbox)],
      [['ledger', 'verify', 'now'], refused('roe ledger verify: unexpected argument "now"', usageOf.ledger)],
    ] as const) {
      expect(roe([...args]), args.join(' ')).toEqual(expected);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('an option given twice is refused, naming it, rather than the last one taken without a word', () => {
    for (const [args, expected] of [
      [['export', '--partner', 'contoso', '--partner', 'northwind'], refused('roe export: --partner is given twice: give it once', usageOf.export)],
      [['export', '--partner=contoso', '--partner', 'contoso'], refused('roe export: --partner is given twice: give it once', usageOf.export)],
      [['stats', '--format', 'json', '--format', 'text'], refused('roe stats: --format is given twice: give it once', usageOf.stats)],
      [['ledger', 'verify', '--head', '0123456789abcdef', '--head', 'fedcba9876543210'], refused('roe ledger verify: --head is given twice: give it once', usageOf.ledger)],
      [['outbox', 'retry', '--all', '--all'], refused('roe outbox retry: --all is given twice: give it once', usageOf.outbox)],
    ] as const) {
      expect(roe([...args]), args.join(' ')).toEqual(expected);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('an import, the console or the server with a ROE_POLICY it refuses says why, exit 1, and leaves no database behind at a new DATABASE_PATH', () => {
    // Beside, not in, the folder the commands run in (which must stay empty).
    const elsewhere = mkdtempSync(join(tmpdir(), 'roe-cli-policy-'));
    cleanupsAfterAll.push(elsewhere);
    const policy = join(elsewhere, 'broken-policy.yaml');
    writeFileSync(policy, readFileSync(EXAMPLE_POLICY_PATH, 'utf8').replace(/^timezone: .*$/m, 'timezone: Mars/Olympus'));
    for (const args of [['import', 'partners', join(ROOT, 'examples/partners.csv')], ['console'], ['serve']]) {
      const r = roe(args, { ROE_POLICY: policy, PORT: '0' });
      expect(r.code, args[0]).toBe(1);
      expect(r.out, args[0]).toBe('');
      expect(r.err, args[0]).toContain(`${policy}: line `);
      expect(r.err, args[0]).toContain('timezone');
      expect(existsSync(db), args[0]).toBe(false);
    }
  });

  it('--help or -h anywhere after a command prints its usage and does nothing else', () => {
    for (const args of [['backup', '--help'], ['backup', 'copy.db', '-h'], ['serve', '--help'], ['console', '--help'], ['ledger', 'verify', '--help'], ['import', 'partners', join(ROOT, 'examples/partners.csv'), '--help'], ['outbox', 'retry', '--all', '-h'], ['forget', 'slack:U0123', '--help'], ['export', '--partner', '--help'], ['stats', '--help']]) {
      const r = roe(args);
      expect(r, args.join(' ')).toMatchObject({ code: 0, err: '', out: expect.stringMatching(new RegExp(`^usage: roe ${args[0]} `)) });
    }
    expect(roe(['ledger', '--help'])).toEqual({ code: 0, err: '', out: `${usageOf.ledger}\n` });
    expect(roe(['help', 'stats'])).toEqual({ code: 0, err: '', out: `${usageOf.stats}\n` });
    // No backup named --help or copy.db, no database, no console or server started.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a file name that starts with "-" is refused in one line (./-name names such a file)', () => {
    expect(roe(['backup', '-x'])).toEqual(refused('roe backup: unknown option "-x" (for a FILE whose name starts with "-", write ./-x)', usageOf.backup));
    // The whole name, not the first letter that parseArgs names in "-x.csv".
    expect(roe(['import', 'claims', '-claims.csv'])).toEqual(refused('roe import claims: unknown option "-claims.csv" (for a FILE whose name starts with "-", write ./-claims.csv)', usageOf.import));
    // a lone "-" is a file name, as everywhere: here one that does not exist
    expect(roe(['import', 'claims', '-'])).toMatchObject({ code: 1, err: '-: cannot read the file (no such file)\n' });
    expect(roe(['policy', 'check', '--strict', EXAMPLE_POLICY_PATH])).toEqual(refused('roe policy check: unknown option "--strict" (for a FILE whose name starts with "-", write ./--strict)', usageOf.policy));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing or unknown subcommand names the valid ones', () => {
    expect(roe(['policy'])).toEqual(refused('roe policy: needs a subcommand: check', usageOf.policy));
    expect(roe(['policy', 'lint', 'x.yaml'])).toEqual(refused('roe policy: unknown subcommand "lint" (use check)', usageOf.policy));
    expect(roe(['ledger'])).toEqual(refused('roe ledger: needs a subcommand: verify or export', usageOf.ledger));
    expect(roe(['ledger', '--format', 'csv'])).toEqual(refused('roe ledger: needs a subcommand: verify or export', usageOf.ledger));
    expect(roe(['ledger', 'check'])).toEqual(refused('roe ledger: unknown subcommand "check" (use verify or export)', usageOf.ledger));
    expect(roe(['import'])).toEqual(refused('roe import: needs a subcommand: accounts, partners or claims', usageOf.import));
    expect(roe(['import', 'people', 'people.csv'])).toEqual(refused('roe import: unknown subcommand "people" (use accounts, partners or claims)', usageOf.import));
    expect(roe(['outbox', 'purge'])).toEqual(refused('roe outbox: unknown subcommand "purge" (use list or retry)', usageOf.outbox));
    expect(roe(['outbox', 'retry'])).toEqual(refused('roe outbox retry: needs a message id or --all', usageOf.outbox));
  });

  it('forget\'s usage names every kind of user key it accepts, the local console\'s (console:pat) included', () => {
    expect(roe(['help', 'forget'])).toEqual({ code: 0, err: '', out: `${usageOf.forget}\n` });
    expect(roe(['forget'])).toEqual(refused('roe forget: needs a chat user key like slack:U0123ABC, teams:29:1abc or console:pat', usageOf.forget));
    // A platform with nothing after it is a key cut short: said so, not that it lacks the platform it has.
    expect(roe(['forget', 'slack:'])).toEqual(refused('roe forget: "slack:" names no user: put the user\'s id after the colon (slack:U0123ABC, teams:29:1abc, console:pat)', usageOf.forget));
    expect(roe(['forget', '29:1abc'])).toEqual(refused('roe forget: "29:1abc" is not a chat user key: it starts with slack:, teams: or console: (a Teams user is teams:29:1abc)', usageOf.forget));
    // A user given without a platform is named, not asked for as if none was given.
    expect(roe(['forget', 'U0123ABC'])).toEqual(refused('roe forget: "U0123ABC" is not a chat user key: it starts with slack:, teams: or console: (a Slack user is slack:U0123ABC)', usageOf.forget));
    expect(roe(['forget', 'jo@acme.com'])).toEqual(refused('roe forget: "jo@acme.com" is not a chat user key: it starts with slack:, teams: or console: (such as slack:U0123ABC, teams:29:1abc or console:pat)', usageOf.forget));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--format takes only the formats listed', () => {
    expect(roe(['stats', '--format', 'csv'])).toEqual(refused('roe stats: --format must be text or json (got "csv")', usageOf.stats));
    expect(roe(['stats', '--format=yaml'])).toEqual(refused('roe stats: --format must be text or json (got "yaml")', usageOf.stats));
    // In the order the usage gives them (json|csv).
    expect(roe(['ledger', 'export', '--format', 'xml'])).toEqual(refused('roe ledger export: --format must be json or csv (got "xml")', usageOf.ledger));
  });

  it('roe help, and an unknown command, list every command', () => {
    const help = roe(['help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    for (const line of ['usage: roe <command>', '  stats [--format text|json] [--since DAY] [--until DAY]\n                                         claims, disputes, rulings and open cases per partner (over a period: DAY as YYYY-MM-DD); open cases per arbitrator', '  help [COMMAND]  ']) expect(help.out).toContain(line);
    expect(roe(['help', 'frobnicate'])).toEqual({ code: 2, out: '', err: `roe: unknown command "frobnicate"\n\n${help.out}` });
    // A typo names the command it is close to; a subcommand alone, the command it belongs to.
    expect(roe(['impor', 'partners', 'partners.csv'])).toEqual({ code: 2, out: '', err: `roe: unknown command "impor" (did you mean import?)\n\n${help.out}` });
    expect(roe(['Stat'])).toEqual({ code: 2, out: '', err: `roe: unknown command "Stat" (did you mean stats?)\n\n${help.out}` });
    expect(roe(['help', 'exprt'])).toEqual({ code: 2, out: '', err: `roe: unknown command "exprt" (did you mean export?)\n\n${help.out}` });
    expect(roe(['verify'])).toEqual({ code: 2, out: '', err: `roe: unknown command "verify" (did you mean ledger verify?)\n\n${help.out}` });
    // An option before the command is an option, said to go after it.
    expect(roe(['--format', 'json', 'stats'])).toEqual({ code: 2, out: '', err: `roe: unknown option "--format" (options go after the command, as in roe stats --format json)\n\n${help.out}` });
    expect(readdirSync(dir)).toEqual([]);
    // help's own --help is help, as after any command.
    expect(roe(['help', '--help'])).toEqual(help);
    expect(roe(['help', '-h', 'stats'])).toEqual({ code: 0, err: '', out: `${usageOf.stats}\n` });
  });
});

describe('a .env that cannot be read', () => {
  it('stops npx roe and npm start in one line naming it, with nothing run and no database made', () => {
    const here = mkdtempSync(join(tmpdir(), 'roe-dotenv-'));
    try {
      // A folder (or a file the bot's user may not read): the configuration it would hold is not there.
      mkdirSync(join(here, '.env'));
      const env = { PATH: process.env.PATH, DATABASE_PATH: join(here, 'roe.db') };
      const line = `configuration: .env: cannot read ${join(here, '.env')} (a folder, not a file)\n`;
      const cli = spawnSync(join(ROOT, 'bin/roe.js'), ['import', 'partners', join(ROOT, 'examples/partners.csv')], { cwd: here, encoding: 'utf8', env, timeout: 60_000 });
      expect({ code: cli.status, out: cli.stdout, err: cli.stderr }).toEqual({ code: 1, out: '', err: line });
      const start = spawnSync(process.execPath, [join(ROOT, 'bin/start.js')], { cwd: here, encoding: 'utf8', env, input: '/quit\n', timeout: 60_000 });
      expect({ code: start.status, out: start.stdout, err: start.stderr }).toEqual({ code: 1, out: '', err: line });
      expect(existsSync(join(here, 'roe.db'))).toBe(false);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });
});

describe('a .env of misspelt variables', () => {
  it('is told, variable by variable, with what roe-bot reads instead; other programs\' variables are let be, and the command runs', () => {
    const here = mkdtempSync(join(tmpdir(), 'roe-dotenv-'));
    try {
      writeFileSync(join(here, '.env'), `SLACK_TOKEN=xoxb-1\nDATABASE=${join(here, 'q.db')}\nNODE_OPTIONS=\nTZ=UTC\nLOG_LEVEL=warn\nROE_POLICY_FILE=p.yaml\nMicrosoftAppId=x\nslack_bot_token=y\nMicrosoftAppType=MultiTenant\nMICROSOFT_APP_TYPE=MultiTenant\nMICROSOFT_APP_PASSWORD=\nMicrosoftAppPassword=s3cret\nMICROSOFT_APP_TENANT_ID=\nMicrosoftAppTenantId=\n`);
      const r = spawnSync(join(ROOT, 'bin/roe.js'), ['policy', 'check', EXAMPLE_POLICY_PATH], { cwd: here, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 });
      expect(r.status).toBe(0);
      expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual([
        '.env: DATABASE is not a roe-bot variable, and is ignored (roe-bot reads DATABASE_PATH)',
        '.env: MicrosoftAppId is not a roe-bot variable, and is ignored: write it MICROSOFT_APP_ID',
        '.env: MicrosoftAppPassword is not a roe-bot variable, and is ignored: MICROSOFT_APP_PASSWORD is empty; give it the value instead',
        '.env: ROE_POLICY_FILE is not a roe-bot variable, and is ignored (roe-bot reads ROE_POLICY)',
        '.env: SLACK_TOKEN is not a roe-bot variable, and is ignored (roe-bot reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, SLACK_INTERNAL_TEAM_IDS)',
        '.env: slack_bot_token is not a roe-bot variable, and is ignored: write it SLACK_BOT_TOKEN',
      ]);
      expect(r.stdout).toContain(': valid (version 2026.1');
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });
});

describe('a .env line of a roe-bot variable without its "="', () => {
  it('is told with its line number and how to write it; comments, blank lines and other programs\' lines are let be', async () => {
    const { strayEnvKeys } = await import('../../src/app/config.js');
    expect(strayEnvKeys('# Slack\nSLACK_BOT_TOKEN xoxb-1\n\nexport PORT: 3000\nLOG_LEVEL=warn\nsome note for people\nTZ UTC\nMicrosoftAppId 0000\n')).toEqual([
      '.env: line 2 has no "=" and is ignored: write it SLACK_BOT_TOKEN=value',
      '.env: line 4 has no "=" and is ignored: write it PORT=value',
      '.env: line 8 has no "=" and is ignored: write it MICROSOFT_APP_ID=value',
      // Read up to the next "=" as one name, the next variable is lost with it.
      '.env: LOG_LEVEL is ignored too: a line before it has no "=", and the lines up to LOG_LEVEL are read as one name',
    ]);
  });
});

describe('roe serve that cannot listen on PORT', () => {
  const failure = (code: string) => Object.assign(new Error(`listen ${code}: 0.0.0.0:80`), { code });
  it.each([
    ['in use', 'EADDRINUSE', 'PORT: 80 is in use (set PORT to a free port)'],
    ['a port below 1024, for a user who may not listen there', 'EACCES', 'PORT: 80 may not be listened on by this user (ports below 1024 need root or CAP_NET_BIND_SERVICE): set PORT to 1024 or above, such as 3000, behind your proxy'],
    ['any other failure (not about the port: left to the unexpected-error line)', 'EMFILE', null],
  ])('%s', (_case, code, said) => {
    expect(listenProblem(failure(code), 80)).toBe(said);
  });
});
