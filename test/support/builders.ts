import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePolicy } from '../../src/core/policy/load.js';
import type { Policy } from '../../src/core/policy/schema.js';
import type { Account, Claim } from '../../src/core/types.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE_POLICY_PATH = resolve(ROOT, 'examples/policy.yaml');
export const examplePolicyText = () => readFileSync(EXAMPLE_POLICY_PATH, 'utf8');
export const examplePolicy = (): Policy => parsePolicy(examplePolicyText());

export function anAccount(over: Partial<Account> = {}): Account {
  return { id: 'acme', name: 'Acme Corporation', aliases: [], domains: ['acme.com'], segment: 'mid-market', region: 'NA', tier: 'standard', isCustomer: false, incumbentPartnerId: null, namedOwner: null, ...over };
}

let nextId = 1;
export function aClaim(over: Partial<Claim> = {}): Claim {
  const at = over.registeredAt ?? new Date('2026-11-02T15:00:00Z');
  return {
    id: nextId++,
    accountId: 'acme',
    claimant: 'northwind',
    route: 'resell',
    productLine: 'Analytics',
    opportunity: { name: 'Rollout', stage: 'qualified', amount: 1000 },
    evidence: '',
    status: 'protected',
    registeredAt: at,
    lastActivityAt: at,
    protectedUntil: null,
    policyVersion: '2026.1',
    createdBy: 'slack:U1',
    filedAs: null,
    contested: false,
    violation: false,
    ...over,
  };
}

/** The example policy's YAML with some lines replaced (for policy variants in tests). */
export function policyTextWith(replace: [string | RegExp, string][]): string {
  let text = examplePolicyText();
  for (const [from, to] of replace) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`policyTextWith: ${String(from)} not found`);
    text = next;
  }
  return text;
}
