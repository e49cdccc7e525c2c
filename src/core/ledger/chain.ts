import { hash as digest } from 'node:crypto';

/** What is hashed: ids and decisions (a ruling's rationale among them); chat users only by pseudonym, and no one's name from chat (see README, data protection). */
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
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out === '{' ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export function entryHash(prevHash: string, content: LedgerContent): string {
  return digest('sha256', `${prevHash}\n${canonicalJson(content)}`, 'hex');
}

/**
 * {@link entryHash} of content whose payload's canonical JSON is already at hand (the ledger
 * stores it): the same hash, without walking the payload again.
 */
export function entryHashWith(prevHash: string, content: Omit<LedgerContent, 'payload'>, payloadJson: string): string {
  const { seq, at, kind, subject, actor, policyVersion } = content;
  // The keys in canonicalJson's order; a key whose value is undefined is left out, as there.
  const version = policyVersion === undefined ? '' : `"policyVersion":${policyVersion === null ? 'null' : JSON.stringify(policyVersion)},`;
  return digest('sha256', `${prevHash}\n{"actor":${JSON.stringify(actor)},"at":${JSON.stringify(at)},"kind":${JSON.stringify(kind)},"payload":${payloadJson},${version}"seq":${JSON.stringify(seq)},"subject":${JSON.stringify(subject)}}`, 'hex');
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
