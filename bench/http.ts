/**
 * 2. HTTP: `/who-owns` through the whole Slack path (signed request, guard, Bolt, handler,
 * answer to the response_url) with 64 connections from autocannon, beside a bare Bolt app
 * (same receiver type, a listener acking a constant), each in its own process, measured in
 * turns in the same run. The measured request is the signed POST /slack/events round trip;
 * answers are counted at the sink and must keep up.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { signature, slashCommand } from '../test/support/slack-requests.js';
import { cachedDatabase } from './fixtures.js';
import { generateAccounts, generateQueries } from './generate.js';
import { BENCH_SIGNING_SECRET, figure, sleep, type BenchOptions, type Figure } from './lib.js';
import { startChild } from './proc.js';

export interface HttpOptions {
  accounts: number;
  connections: number;
  durationSec: number;
  queriesPerKind: number;
}

export interface HttpResult {
  figures: Figure[];
  /** Answers checked at the sink: right account named / answers checked. */
  answersRight: number;
  answersChecked: number;
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

export async function httpBench(o: BenchOptions, h: HttpOptions): Promise<HttpResult> {
  const db = join(o.dir, 'http.db');
  o.log(`http: ${h.accounts} accounts`);
  const set = generateAccounts(h.accounts, 1);
  cachedDatabase('accounts', h.accounts, db, { set });
  const queries = generateQueries(set.accounts, h.queriesPerKind, 5);
  const names = new Map(set.accounts.map((a) => [a.id, a.name]));

  const sink = await startChild<{ base: string }>('bench/sink.ts', []);
  const full = await startChild<{ port: number }>('bench/http-server.ts', ['full', db, sink.info.base]);
  const bare = await startChild<{ port: number }>('bench/http-server.ts', ['bare']);
  try {
    // Every request is new (its own response_url, so its own signature): the guard refuses a
    // signature it has seen in the last five minutes as a replay, as Slack never sends one twice.
    let sent = 0;
    const requests = (tag: string): autocannon.Request[] => {
      const ts = Math.floor(Date.now() / 1000);
      return [
        {
          method: 'POST',
          path: '/slack/events',
          setupRequest: (req) => {
            const n = sent++;
            const i = n % queries.length;
            const { body, contentType } = slashCommand({ command: '/who-owns', text: queries[i]!.text, user: USERS[n % USERS.length]!, responseUrl: `${sink.info.base}/respond/${tag}-${i}-${n}`, triggerId: `${ts}.${n}` });
            return { ...req, body, headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature(BENCH_SIGNING_SECRET, ts, body) } };
          },
        },
      ];
    };
    const fullUrl = `http://127.0.0.1:${full.info.port}`;
    const bareUrl = `http://127.0.0.1:${bare.info.port}`;
    const answered = async () => ((await (await fetch(`${sink.info.base}/count`)).json()) as { responses: number });
    /** Waits until the sink has every answer the full server owes (the backlog after a run). */
    const drain = async (expected: number) => {
      const until = Date.now() + 30_000;
      while ((await answered()).responses < expected && Date.now() < until) await sleep(20);
    };

    o.log('http: warming up');
    let owed = 0;
    const warm = Math.max(1, Math.min(2, h.durationSec));
    const w1 = await load(fullUrl, requests('warm'), h.connections, warm);
    owed += w1.total;
    await load(bareUrl, requests('warm'), h.connections, warm);
    await drain(owed);

    const runs: { full: Load; bare: Load; answersPerSec: number }[] = [];
    for (let r = 0; r < o.runs; r++) {
      const order = r % 2 === 0 ? (['bare', 'full'] as const) : (['full', 'bare'] as const);
      let f: Load | undefined;
      let b: Load | undefined;
      let answersPerSec = 0;
      for (const which of order) {
        if (which === 'bare') b = await load(bareUrl, requests(`r${r}`), h.connections, h.durationSec);
        else {
          const before = (await answered()).responses;
          const t = performance.now();
          f = await load(fullUrl, requests(`r${r}`), h.connections, h.durationSec);
          owed += f.total;
          await drain(owed);
          answersPerSec = ((await answered()).responses - before) / ((performance.now() - t) / 1000);
        }
      }
      runs.push({ full: f!, bare: b!, answersPerSec });
      o.log(`http: run ${r + 1}/${o.runs}: full ${Math.round(f!.rps)} req/s p99 ${f!.p99} ms (answers ${Math.round(answersPerSec)}/s); bare ${Math.round(b!.rps)} req/s p99 ${b!.p99} ms`);
    }

    // The answers: the account's own answer, or a choice of close matches that names it.
    const { answers } = (await (await fetch(`${sink.info.base}/stats`)).json()) as { answers: Record<string, string> };
    let checked = 0;
    let right = 0;
    for (const [id, body] of Object.entries(answers)) {
      const i = Number(id.split('-')[1]);
      const q = queries[i];
      if (!q) continue;
      checked++;
      const name = JSON.stringify(names.get(q.expect)).slice(1, -1);
      if (body.includes(name) || body.includes(name.replaceAll('&', '&amp;'))) right++;
    }
    const errors = runs.reduce((n, x) => n + x.full.errors + x.full.non2xx + x.bare.errors + x.bare.non2xx, 0);
    const tag = `${h.accounts >= 1000 ? `${h.accounts / 1000}k` : h.accounts} accounts, ${h.connections} connections`;
    const figures = [
      figure('http', `who-owns throughput (${tag})`, 'req/s', runs.map((x) => x.full.rps), { name: 'bare Bolt', samples: runs.map((x) => x.bare.rps) }, { on: 'ratio', op: '>=', limit: 0.8 }),
      figure('http', 'who-owns p99 latency', 'ms', runs.map((x) => x.full.p99), { name: 'bare Bolt', samples: runs.map((x) => x.bare.p99) }, { on: 'ratio', op: '<=', limit: 1.5 }),
      figure('http', 'who-owns p50 latency', 'ms', runs.map((x) => x.full.p50), { name: 'bare Bolt', samples: runs.map((x) => x.bare.p50) }, null),
      figure('http', 'who-owns answers delivered', 'ans/s', runs.map((x) => x.answersPerSec), null, null, 'response_url posts received per second of the run, backlog included'),
      figure('http', 'who-owns answers naming the right account', '%', [checked ? (100 * right) / checked : 0], null, null, `${checked} answers checked`),
    ];
    return { figures, answersRight: right, answersChecked: checked, errors };
  } finally {
    await Promise.all([full.stop(), bare.stop(), sink.stop()]);
  }
}
