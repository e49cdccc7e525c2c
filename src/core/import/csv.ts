import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { CLAIM_STATUSES, DIRECT, ROUTES, type Account, type Partner } from '../types.js';

export interface RowError {
  line: number;
  message: string;
}

export type CsvResult<T> = { ok: true; rows: { line: number; value: T }[] } | { ok: false; errors: RowError[] };

const list = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split('|').map((x) => x.trim()).filter(Boolean));
const opt = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : null));
const bool = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = (s ?? '').trim().toLowerCase();
    if (['', 'false', 'no', '0', 'n'].includes(v)) return false;
    if (['true', 'yes', '1', 'y'].includes(v)) return true;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got "${s}"` });
    return z.NEVER;
  });
const idText = z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'is longer than 200 characters');
const instant = z
  .string({ error: 'is required' })
  .trim()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'expected a date like 2026-11-12 or 2026-11-12T15:00:00Z')
  .transform((s) => new Date(s));

export const accountRow = z.object({
  id: idText,
  name: idText,
  aliases: list,
  domains: list.pipe(z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'domains look like acme.com'))),
  segment: opt,
  region: opt,
  tier: opt,
  is_customer: bool,
  incumbent_partner: opt,
  named_owner: opt,
});

export const partnerRow = z.object({
  id: idText.regex(/^([a-z0-9][a-z0-9_-]*)?$/i, 'use letters, digits, - and _ only'),
  name: idText,
  tier: opt,
  slack_team_id: opt,
  teams_tenant_id: opt,
});

export const claimRow = z.object({
  id: idText,
  account_id: idText,
  claimant: idText,
  route: z.enum(ROUTES, { error: `expected one of ${ROUTES.join(', ')}` }),
  product_line: idText,
  opportunity: idText,
  stage: idText,
  amount: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s?.trim()) return null;
      const n = Number(s.trim());
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `amount must be a positive number, got "${s}"` });
        return z.NEVER;
      }
      return n;
    }),
  evidence: z.string().optional().default(''),
  status: z.enum(CLAIM_STATUSES, { error: `expected one of ${CLAIM_STATUSES.join(', ')}` }),
  registered_at: instant,
  last_activity_at: z.string().optional().transform((s) => (s?.trim() ? s : undefined)).pipe(instant.optional()),
});

export type AccountRow = z.output<typeof accountRow>;
export type PartnerRow = z.output<typeof partnerRow>;
export type ClaimRow = z.output<typeof claimRow>;

export const HEADERS = {
  accounts: Object.keys(accountRow.shape),
  partners: Object.keys(partnerRow.shape),
  claims: Object.keys(claimRow.shape),
} as const;

const REQUIRED = {
  accounts: ['id', 'name'],
  partners: ['id', 'name'],
  claims: ['id', 'account_id', 'claimant', 'route', 'product_line', 'opportunity', 'stage', 'status', 'registered_at'],
} as const;

/**
 * Parses one CSV file with a real CSV parser and validates every row. Any problem (an
 * unknown or missing column, a malformed row, a bad value, a repeated id) is reported with
 * its line number, and the file is rejected whole.
 */
export function parseCsv<K extends keyof typeof HEADERS>(kind: K, text: string, schema: z.ZodType): CsvResult<z.output<typeof schema>> {
  const errors: RowError[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, info: true, relax_column_count: false, trim: false }) as never;
  } catch (e) {
    const err = e as Error & { lines?: number };
    return { ok: false, errors: [{ line: err.lines ?? 1, message: err.message.replace(/^Invalid Record Length: /, '') }] };
  }
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const header = first.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const known = HEADERS[kind] as readonly string[];
  const unknown = header.filter((h) => h && !known.includes(h));
  if (unknown.length) errors.push({ line: 1, message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (expected: ${known.join(', ')})` });
  const missing = REQUIRED[kind].filter((r) => !header.includes(r));
  if (missing.length) errors.push({ line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}` });
  if (errors.length) return { ok: false, errors };
  if (records.length === 0) return { ok: false, errors: [{ line: 2, message: 'the file has a header but no rows' }] };

  const rows: { line: number; value: unknown }[] = [];
  const ids = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const result = schema.safeParse(record);
    if (!result.success) {
      for (const i of result.error.issues) errors.push({ line, message: `${String(i.path[0] ?? 'row')}: ${i.message}` });
      continue;
    }
    const id = String(record.id ?? '').trim();
    const prev = ids.get(id);
    if (prev !== undefined) errors.push({ line, message: `id "${id}" repeats line ${prev}` });
    ids.set(id, line);
    rows.push({ line, value: result.data });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows: rows as never };
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    aliases: r.aliases,
    domains: r.domains.map((d) => d.toLowerCase()),
    segment: r.segment,
    region: r.region,
    tier: r.tier,
    isCustomer: r.is_customer,
    incumbentPartnerId: r.incumbent_partner,
    namedOwner: r.named_owner,
  };
}

export function toPartner(r: PartnerRow): Partner {
  return { id: r.id, name: r.name, tier: r.tier, slackTeamId: r.slack_team_id, teamsTenantId: r.teams_tenant_id };
}

export { DIRECT };
