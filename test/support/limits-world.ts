/**
 * A database at the limits the bot's own validation allows: ids of 150 characters, names,
 * aliases and opportunities of 200, evidence of 3,000, many partners, product lines and
 * stages, a case with many parties, every user text full of Slack and Teams markup.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { submitClaim } from '../../handlers/claim.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { examplePolicyText } from './builders.js';
import { as, testRuntime, type TestRuntime } from './runtime.js';

/** Where the policy files of these tests are written. */
export const DIR = mkdtempSync(join(tmpdir(), 'roe-limits-'));

/** Markup of every kind a person might type: Slack mrkdwn, mentions and links, Teams markdown and HTML. */
export const MARKUP = '<!channel> *b* _i_ ~s~ `c` & <http://x|y> <@U0PAT> **B** [l](http://e) <at>Pat</at> <b>h</b> # \\ > ';

/** `s` repeated and cut to exactly `n` characters. */
export const fill = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);

/** A string of exactly `n` characters that starts with `head` and is made unique by `tail` at its end. */
export const exact = (head: string, n: number, tail = '') => fill(head, n - tail.length) + tail;

/** An id of 150 characters, letters, digits, - and _ only, unique by its end. */
export const longId = (prefix: string, i: number) => exact(`${prefix}-`, 150, `-${String(i).padStart(4, '0')}`);

/** Evidence of 3,000 characters: lines, markup, a broadcast. */
export const EVIDENCE = fill(`${MARKUP}\n* item\n1. first\n`, 3000);

export interface WorldOptions {
  partners?: number;
  productLines?: string[];
  stages?: string[];
}

/** The example policy with these product lines and stages (YAML flow lists, quoted). */
export function policyFile(name: string, productLines: readonly string[], stages: readonly string[]): string {
  const q = (s: string) => JSON.stringify(s);
  const text = examplePolicyText()
    .replace(/^product_lines: .*$/m, `product_lines: [${productLines.map(q).join(', ')}]`)
    .replace(/^stages: .*$/m, `stages: [${stages.map(q).join(', ')}]`);
  const path = resolve(DIR, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

export interface World {
  rt: TestRuntime;
  partners: { id: string; name: string; team: string; tenant: string }[];
  productLines: string[];
  stages: string[];
  big: { id: string; name: string };
}

export const tenantOf = (i: number) => `5b1f3c1e-0000-4000-8000-${String(900000000000 + i)}`;

/**
 * A runtime (in memory) with `partners` partners of 150-character ids and 200-character names
 * full of markup, and one account at every limit (150-character id, 200-character name, 50
 * aliases of 200 characters, 20 domains). No demo data.
 */
export function buildWorld(o: WorldOptions = {}): World {
  const productLines = o.productLines ?? ['Core Platform', 'Analytics', 'Services'];
  const stages = o.stages ?? ['prospecting', 'qualified', 'proposal', 'negotiation', 'commit'];
  const policyPath = policyFile(`policy-${productLines.length}-${stages.length}-${productLines[0]!.length}`, productLines, stages);
  const rt = testRuntime({ demo: false, policyPath, env: { MICROSOFT_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111' } });
  const n = o.partners ?? 120;
  const partners = Array.from({ length: n }, (_, i) => ({
    id: longId('partner', i),
    name: exact(`Partner ${MARKUP}`, 200, ` #${i}`),
    team: `T0P${String(i).padStart(5, '0')}`,
    tenant: tenantOf(i),
  }));
  importCsv(rt.ctx, 'partners', 'partners.csv', stringify([['id', 'name', 'tier', 'slack_team_id', 'teams_tenant_id'], ...partners.map((p) => [p.id, p.name, 'gold', p.team, p.tenant])]));
  const big = { id: longId('account', 0), name: exact(`Bigco ${MARKUP}`, 200, ' Holdings') };
  const aliases = Array.from({ length: 50 }, (_, i) => exact(`Bigco alias ${i} `, 200));
  const domains = Array.from({ length: 20 }, (_, i) => `bigco${i}.example.com`);
  importCsv(
    rt.ctx,
    'accounts',
    'accounts.csv',
    stringify([
      ['id', 'name', 'aliases', 'domains', 'segment', 'region', 'tier', 'is_customer', 'incumbent_partner', 'named_owner'],
      [big.id, big.name, aliases.join('|'), domains.join('|'), fill('segment ', 200), fill('region ', 200), fill('tier ', 200), 'false', '', ''],
    ]),
  );
  rt.reindex();
  return { rt, partners, productLines, stages, big };
}

/** Files a claim as partner `i` on the big account (3,000 characters of evidence, a 200-character opportunity). */
export function claimAs(w: World, i: number, productLine: string, stage: string) {
  return submitClaim(
    w.rt.deps,
    as.partner(w.rt, w.partners[i]!.id),
    { account: w.big.id, route: 'resell', product: productLine, opportunity: exact(`Opp ${MARKUP}`, 200, ` ${i}`), stage, amount: '123456789012', evidence: EVIDENCE },
    { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null },
  );
}

/**
 * A case on the big account's first product line with `parties` partners: the first claims at
 * the first stage, the others at a later one, so furthest-stage only recommends and the case goes
 * to the arbitrator; every later claim joins it.
 */
export function bigCase(w: World, parties: number): number {
  claimAs(w, 0, w.productLines[0]!, w.stages[0]!);
  for (let i = 1; i < parties; i++) claimAs(w, i, w.productLines[0]!, w.stages[Math.min(i, w.stages.length - 1)]!);
  const d = w.rt.store.disputes.all().at(-1);
  if (!d || d.status !== 'open') throw new Error(`expected an open case, got ${d?.status}`);
  return d.id;
}
