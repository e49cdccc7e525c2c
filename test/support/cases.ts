import { submitClaim } from '../../handlers/claim.js';
import type { Dispute } from '../../src/core/types.js';
import { as, type TestRuntime } from './runtime.js';

export const consoleOrigin = { platform: 'console' as const, channel: 'general', thread: null };

/**
 * Two partners register the same account at the same moment, at different stages:
 * furthest-stage only recommends, so the case goes to the arbitrator (pat, for Default
 * coverage: chain pat → dana → vp).
 */
export function openArbitratedCase(rt: TestRuntime, account = 'soylent'): Dispute {
  const values = { account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: consoleOrigin, requestKey: null });
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin: consoleOrigin, requestKey: null });
  const d = rt.store.disputes.all().at(-1)!;
  if (d.status !== 'open') throw new Error(`expected an open case, got ${d.status}`);
  return d;
}

/** Outbox rows as (target, summary) for assertions on what people were told. */
export function outbox(rt: TestRuntime): { id: number; target: string; summary: string; status: string }[] {
  return (rt.db.sqlite.prepare('select id, target, body, status from outbox order by id').all() as { id: number; target: string; body: string; status: string }[]).map((r) => ({
    id: r.id,
    target: r.target,
    summary: (JSON.parse(r.body) as { summary: string }).summary,
    status: r.status,
  }));
}

export function ledgerKinds(rt: TestRuntime, subject?: string): string[] {
  return [...rt.store.ledger.entries()].filter((e) => !subject || e.subject === subject).map((e) => e.kind);
}
