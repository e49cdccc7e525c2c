import { createHash } from 'node:crypto';

/** What is hashed: ids and decisions only; people's names and free text stay out (see README, data protection). */
export interface LedgerContent {
  seq: number;
  at: string;
  kind: string;
  subject: string;
  actor: string;
  policyVersion: string | null;
  payload: unknown;
}

export interface LedgerEntry extends LedgerContent {
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function entryHash(prevHash: string, content: LedgerContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

export type VerifyResult = { ok: true; count: number; head: string } | { ok: false; count: number; badSeq: number; problem: string };

/** Walks the chain in order; the first entry whose link or hash does not hold is named. */
export function verifyChain(entries: Iterable<LedgerEntry>): VerifyResult {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { ok: false, count, badSeq: e.seq, problem: `expected entry ${expectedSeq}, found ${e.seq} (an entry is missing)` };
    if (e.prevHash !== prev) return { ok: false, count, badSeq: e.seq, problem: 'its link to the previous entry does not match' };
    const { prevHash: _p, hash, ...content } = e;
    if (entryHash(prev, content) !== hash) return { ok: false, count, badSeq: e.seq, problem: 'its content does not match its hash (it was altered)' };
    prev = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count, head: prev };
}
