/**
 * 2. HTTP: `/who-owns` through the whole Slack path (signed request, guard, Bolt, handler,
 * answer in the acknowledgement) with 64 connections from autocannon, on `roe serve` as users
 * run it (`node bin/roe.js serve`: the compiled app, production mode, Slack, the Web API and
 * response_urls on the sink), beside a bare Bolt app (Bolt's own HTTPReceiver, a listener
 * acking a constant), each in its own process, measured in turns in the same run. The measured request is the signed POST /slack/events round trip,
 * and its response body is the answer the user sees: every answer is checked as it arrives.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { signature, slashCommand } from '../test/support/slack-requests.js';
import { cachedDatabase } from './fixtures.js';
import { generateAccounts, generateQueries } from './generate.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET, figure, type BenchOptions, type Figure } from './lib.js';
import { ensureBuilt, startChild, startServe } from './proc.js';

export interface HttpOptions {
  accounts: number;
  connections: number;
  durationSec: number;
  queriesPerKind: number;
}

export interface HttpResult {
  figures: Figure[];
  /** Acknowledgements of the full server (every 200) checked: right account named / checked. */
  answersRight: number;
  answersChecked: number;
  /** Answers that went to the response_url instead (none expected: /who-owns answers in its ack). */
  answersPosted: number;
  errors: number;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

function load(url: string, requests: autocannon.Request[], connections: number, duration: number): Promise<Load> {
  return new Promise((ok, fail) => {
    autocannon({ url, connections, duration, requests, timeout: 10 }, (err, r) => {
      if (err) return fail(err);
      if (r.non2xx + r.errors + r.timeouts > 0) process.stderr.write(`http: ${url}: ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodeStats)}, ${r.errors} errors, ${r.timeouts} timeouts\n`);
      ok({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total });
    });
  });
}

const USERS = Array.from({ length: 16 }, (_, i) => ({ id: `U0BENCH${String(i).padStart(2, '0')}`, name: `rep${i}`, team: 'T0HOME' }));

/** What the acknowledgements said: 200s seen, and those naming the query's account. */
interface Tally {
  checked: number;
  right: number;
  /** A few wrong answers, for the log. */
  wrong: string[];
}

export async function httpBench(o: BenchOptions, h: HttpOptions): Promise<HttpResult> {
  const db = join(o.dir, 'http.db');
  o.log(`http: ${h.accounts} accounts`);
  const set = generateAccounts(h.accounts, 1);
  cachedDatabase('accounts', h.accounts, db, { set });
  const queries = generateQueries(set.accounts, h.queriesPerKind, 5);
  const names = new Map(set.accounts.map((a) => [a.id, a.name]));
  // The account's own answer, or a choice of close matches that names it; as it appears in the
  // JSON body (escaped), and with mrkdwn's & escape.
  const needles = queries.map((q) => {
    const name = JSON.stringify(names.get(q.expect)).slice(1, -1);
    return [name, name.replaceAll('&', '&amp;')] as const;
  });

  const sink = await startChild<{ base: string }>('bench/sink.ts', []);
  ensureBuilt();
  const full = await startServe({ DATABASE_PATH: db, SLACK_BOT_TOKEN: BENCH_BOT_TOKEN, SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET, SLACK_API_URL: `${sink.info.base}/api/`, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
  const bare = await startChild<{ port: number }>('bench/bare-bolt.ts', []);
  try {
    // Every request is new (its own response_url, so its own signature): the guard refuses a
    // signature it has seen in the last five minutes as a replay, as Slack never sends one twice.
    // Both servers get the same requests and the same response hook, so the load generator does
    // the same work for each; only the full server's answers are checked.
    let sent = 0;
    const requests = (tag: string, tally: Tally | null): autocannon.Request[] => {
      const ts = Math.floor(Date.now() / 1000);
      return [
        {
          method: 'POST',
          path: '/slack/events',
          setupRequest: (req, context: { query?: number }) => {
            const n = sent++;
            const i = n % queries.length;
            context.query = i;
            const { body, contentType } = slashCommand({ command: '/who-owns', text: queries[i]!.text, user: USERS[n % USERS.length]!, responseUrl: `${sink.info.base}/respond/${tag}-${i}-${n}`, triggerId: `${ts}.${n}` });
            return { ...req, body, headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature(BENCH_SIGNING_SECRET, ts, body) } };
          },
          onResponse: (status, body, context: { query?: number }) => {
            if (!tally || status !== 200 || context.query === undefined) return;
            tally.checked++;
            const [name, escaped] = needles[context.query]!;
            if (body.startsWith('{"response_type":"ephemeral"') && (body.includes(name) || body.includes(escaped))) tally.right++;
            else if (tally.wrong.length < 3) tally.wrong.push(`${queries[context.query]!.text} -> ${body.slice(0, 300)}`);
          },
        },
      ];
    };
    const fullUrl = `http://127.0.0.1:${full.info.port}`;
    const bareUrl = `http://127.0.0.1:${bare.info.port}`;
    const posted = async () => ((await (await fetch(`${sink.info.base}/count`)).json()) as { responses: number }).responses;
    const tally: Tally = { checked: 0, right: 0, wrong: [] };

    o.log('http: warming up');
    const warm = Math.max(1, Math.min(2, h.durationSec));
    await load(fullUrl, requests('warm', tally), h.connections, warm);
    await load(bareUrl, requests('warm', null), h.connections, warm);

    const runs: { full: Load; bare: Load }[] = [];
    for (let r = 0; r < o.runs; r++) {
      const order = r % 2 === 0 ? (['bare', 'full'] as const) : (['full', 'bare'] as const);
      let f: Load | undefined;
      let b: Load | undefined;
      for (const which of order) {
        if (which === 'bare') b = await load(bareUrl, requests(`r${r}`, null), h.connections, h.durationSec);
        else f = await load(fullUrl, requests(`r${r}`, tally), h.connections, h.durationSec);
      }
      runs.push({ full: f!, bare: b! });
      o.log(`http: run ${r + 1}/${o.runs}: full ${Math.round(f!.rps)} req/s p99 ${f!.p99} ms; bare ${Math.round(b!.rps)} req/s p99 ${b!.p99} ms`);
    }
    for (const w of tally.wrong) o.log(`http: wrong answer: ${w}`);
    const answersPosted = await posted();

    const errors = runs.reduce((n, x) => n + x.full.errors + x.full.non2xx + x.bare.errors + x.bare.non2xx, 0);
    const tag = `${h.accounts >= 1000 ? `${h.accounts / 1000}k` : h.accounts} accounts, ${h.connections} connections`;
    const figures = [
      figure('http', `who-owns throughput (${tag})`, 'req/s', runs.map((x) => x.full.rps), { name: 'bare Bolt', samples: runs.map((x) => x.bare.rps) }, { on: 'ratio', op: '>=', limit: 0.8 }),
      figure('http', 'who-owns p99 latency', 'ms', runs.map((x) => x.full.p99), { name: 'bare Bolt', samples: runs.map((x) => x.bare.p99) }, { on: 'ratio', op: '<=', limit: 1.5 }),
      figure('http', 'who-owns p50 latency', 'ms', runs.map((x) => x.full.p50), { name: 'bare Bolt', samples: runs.map((x) => x.bare.p50) }, null),
      figure('http', 'who-owns answers naming the right account', '%', [tally.checked ? (100 * tally.right) / tally.checked : 0], null, null, `every 200 of the full server checked: ${tally.checked} acknowledgements; ${answersPosted} answers posted to a response_url instead`),
    ];
    return { figures, answersRight: tally.right, answersChecked: tally.checked, answersPosted, errors };
  } finally {
    await Promise.all([full.stop(), bare.stop(), sink.stop()]);
  }
}
