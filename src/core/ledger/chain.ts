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

export type VerifyResult = { ok: true; count: number; head: string; kept?: number | null } | { ok: false; count: number; badSeq: number; problem: string };

/** A head printed by an earlier verify, as given back: 16 hex digits (as printed) to 64. */
export const KEPT_HEAD = /^[0-9a-f]{16,64}$/i;

/**
 * Walks the chain in order; the first entry whose link or hash does not hold is named. With
 * `kept` (the start of a head hash printed earlier), also finds the entry of that hash: `kept`
 * is its number, or null when no entry has it. Every entry up to that one is then as it was when
 * the head was printed; none found means entries were removed from the end, or the chain was
 * written again from an earlier entry on (which the chain alone cannot show).
 */
export function verifyChain(entries: Iterable<LedgerEntry>, { kept }: { kept?: string } = {}): VerifyResult {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  const want = kept?.toLowerCase();
  let keptAt: number | null = null;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { ok: false, count, badSeq: e.seq, problem: `expected entry ${expectedSeq}, found ${e.seq} (an entry is missing)` };
    if (e.prevHash !== prev) return { ok: false, count, badSeq: e.seq, problem: 'its link to the previous entry does not match' };
    const { prevHash: _p, hash, ...content } = e;
    if (entryHash(prev, content) !== hash) return { ok: false, count, badSeq: e.seq, problem: 'its content does not match its hash (it was altered)' };
    if (want !== undefined && keptAt === null && hash.startsWith(want)) keptAt = e.seq;
    prev = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count, head: prev, ...(want !== undefined ? { kept: keptAt } : {}) };
}
