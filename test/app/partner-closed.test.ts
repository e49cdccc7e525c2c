import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimForm, submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { notingUnlinked } from '../../handlers/platforms/unlinked.js';
import { roe } from '../../handlers/roe.js';
import { main } from '../../src/app/cli.js';
import { tick } from '../../src/app/scheduler.js';
import { closePartner } from '../../src/core/claims/close-partner.js';
import { FLAG_REVIEW_TIMER } from '../../src/core/claims/consequences.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { consoleOrigin, outbox } from '../support/cases.js';
import { catchErr } from '../support/replies.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-partner-closed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(db: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE_PATH: db, LOG_LEVEL: 'warn' }, stdin: process.stdin, stdout: process.stdout });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A file in the test's folder, for an import. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const PARTNERS = 'id,name,tier,slack_team_id,teams_tenant_id\n';
const NORTHWIND = 'northwind,Northwind Partners,gold,T0NORTHWIND,5b1f3c1e-0000-4000-8000-00000000a001\n';
const CONTOSO = 'contoso,Contoso Consulting,silver,T0CONTOSO,5b1f3c1e-0000-4000-8000-00000000a002\n';
const FABRIKAM = 'fabrikam,Fabrikam Systems,platinum,T0FABRIKAM,5b1f3c1e-0000-4000-8000-00000000a003\n';
const CLAIMS = 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at\n';
const values = (account: string, product: string, stage = 'qualified') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
const read = (r: unknown) => JSON.stringify(r);
/** A user of Fabrikam's Slack workspace (T0FABRIKAM, in examples/partners.csv). */
const fabrikamOnSlack = (rt: TestRuntime) => rt.resolve({ platform: 'slack', userId: 'U0FABUSER', displayName: 'Fran', orgId: 'T0FABRIKAM', home: false });

/** A runtime on its own database with Fabrikam taken out of the programme (`roe partner close fabrikam --yes`). */
async function closed(name: string, opts: { at?: string; before?: (rt: TestRuntime) => void } = {}): Promise<{ db: string; rt: TestRuntime }> {
  const db = join(dir, `${name}.db`);
  const rt = testRuntime({ databasePath: db, ...(opts.at ? { at: opts.at } : {}) });
  opts.before?.(rt);
  const done = await run(db, ['partner', 'close', 'fabrikam', '--yes']);
  expect(done).toMatchObject({ code: 0, err: '' });
  return { db, rt };
}

describe('a partner taken out of the programme', () => {
  it('a partners file that leaves it out no longer suggests closing it; one that gives its workspace again is refused, naming the way back; --reopen brings it back, explicitly', async () => {
    const { db, rt } = await closed('reopen');
    try {
      // Before: a file without it suggested `roe partner close` for it again.
      const without = await run(db, ['import', 'partners', file('without.csv', PARTNERS + NORTHWIND + CONTOSO)]);
      expect(without).toMatchObject({ code: 0, err: '' });
      expect(without.out).not.toContain('fabrikam');
      expect(without.out).not.toContain('partner close');

      // The CRM's file still gives its Slack team and Teams tenant: refused, nothing imported.
      const before = rt.store.partners.all();
      const again = await run(db, ['import', 'partners', file('again.csv', PARTNERS + NORTHWIND + CONTOSO + FABRIKAM.replace('Fabrikam Systems', 'Fabrikam Systems AG'))]);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/^.*again\.csv: 1 problem, nothing imported:\n {2}line 4: slack_team_id: fabrikam left the programme on \d{4}-\d\d-\d\d \(roe partner close\), and a partners file does not link it again: leave its slack_team_id and teams_tenant_id empty, or bring it back into the programme with --reopen fabrikam$/);
      expect(rt.store.partners.all()).toEqual(before);
      expect(fabrikamOnSlack(rt).kind).toBe('unknown');

      // With those cells empty, its row is imported, and it stays out.
      const empty = await run(db, ['import', 'partners', file('empty.csv', PARTNERS + NORTHWIND + CONTOSO + 'fabrikam,Fabrikam Systems AG,platinum,,\n')]);
      expect(empty).toMatchObject({ code: 0, err: '' });
      expect(rt.store.partners.get('fabrikam')!.name).toBe('Fabrikam Systems AG');
      expect(rt.store.partners.closure('fabrikam')).not.toBeNull();
      // Its own export says so, with the workspaces it had.
      const exported = JSON.parse((await run(db, ['export', '--partner', 'fabrikam'])).out) as { partner: { closed: unknown } };
      expect(exported.partner.closed).toEqual({ at: expect.stringMatching(/^\d{4}-/), slackTeamId: 'T0FABRIKAM', teamsTenantId: '5b1f3c1e-0000-4000-8000-00000000a003' });

      // --reopen names a partner taken out: another is refused.
      const wrong = await run(db, ['import', 'partners', file('wrong.csv', PARTNERS + NORTHWIND + CONTOSO + FABRIKAM), '--reopen', 'contoso']);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toContain('line 3: --reopen contoso: contoso is in the programme, not one taken out of it (roe partner close); import without --reopen');
      expect(wrong.err).toContain('line 4: slack_team_id: fabrikam left the programme');

      // Brought back: linked again, recorded, its users its own again; it may be closed again.
      const back = await run(db, ['import', 'partners', file('back.csv', PARTNERS + NORTHWIND + CONTOSO + FABRIKAM), '--reopen', 'fabrikam']);
      expect(back).toMatchObject({ code: 0, err: '' });
      expect(back.out).toContain('back in the programme: fabrikam');
      expect(rt.store.partners.closure('fabrikam')).toBeNull();
      expect(fabrikamOnSlack(rt)).toMatchObject({ kind: 'external', partnerId: 'fabrikam' });
      expect([...rt.store.ledger.about(['partner:fabrikam'])].at(-1)).toMatchObject({ kind: 'partner.reopened', actor: 'import', payload: { linked: { slack: true, teams: true } } });
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
      const dry = await run(db, ['partner', 'close', 'fabrikam']);
      expect(dry.out).toContain('record it as out of the programme');
    } finally {
      rt.close();
    }
  });

  it('a Slack team given to another partner since, which left in turn, is told of the partner it was last: never of the one before', async () => {
    const { db, rt } = await closed('team-reused');
    try {
      // Fabrikam's Slack team, free since it left, is another partner's now; that partner leaves too.
      const given = await run(db, ['import', 'partners', file('reused.csv', PARTNERS + 'globalco,Globalco Ltd,gold,T0FABRIKAM,\n')]);
      expect(given).toMatchObject({ code: 0, err: '' });
      expect(fabrikamOnSlack(rt)).toMatchObject({ kind: 'external', partnerId: 'globalco' });
      rt.clock.set('2027-06-01T12:00:00Z');
      expect(closePartner(rt.ctx, 'globalco')).not.toBeNull();
      const user = fabrikamOnSlack(rt);
      expect(user).toMatchObject({ kind: 'unknown', formerPartner: { id: 'globalco', name: 'Globalco Ltd' } });
      const said = catchErr(() => claimForm(rt.deps, user)).message;
      expect(said).toContain('Globalco Ltd');
      expect(said).not.toContain('Fabrikam');
    } finally {
      rt.close();
    }
  });

  it('closing one with nothing live records it out all the same; run again, it says since when', async () => {
    const db = join(dir, 'nothing.db');
    const rt = testRuntime({ databasePath: db });
    try {
      importCsv(rt.ctx, 'partners', 'p.csv', PARTNERS + 'initech,Initech,silver,,\n');
      const done = await run(db, ['partner', 'close', 'initech', '--yes']);
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain('closed Initech (initech): no live claim to close; out of the programme from now');
      expect(rt.store.partners.closure('initech')).not.toBeNull();
      const again = await run(db, ['partner', 'close', 'initech', '--yes']);
      expect(again.out).toMatch(/^nothing to do: Initech \(initech\) has no live claim \(pending, protected or dormant\) and no Slack team or Teams tenant linked, and left the programme on \d{4}-\d\d-\d\d$/);
      const unknown = await run(db, ['partner', 'close', 'initek']);
      expect(unknown.err).toContain('initech (out of the programme)');
    } finally {
      rt.close();
    }
  });

  it('its flag is not announced lifted later: the review timer goes with the closing, and a review finds nothing to do', async () => {
    const { rt } = await closed('flag', {
      at: '2026-11-02T10:00:00Z',
      before: (rt) =>
        rt.store.transaction(() => {
          const now = rt.clock.now();
          rt.store.partners.setFlagged('fabrikam', now);
          rt.store.timers.schedule({ kind: FLAG_REVIEW_TIMER, subject: 'partner:fabrikam', dueAt: new Date('2026-11-20T00:00:00Z'), payload: {} }, now);
        }),
    });
    try {
      expect(rt.store.timers.pending('partner:fabrikam', FLAG_REVIEW_TIMER)).toBe(false);
      // A timer left from before (or a policy version taking effect) looks at it: nothing is set or lifted, nobody told.
      rt.store.transaction(() => rt.store.timers.schedule({ kind: FLAG_REVIEW_TIMER, subject: 'partner:fabrikam', dueAt: new Date('2026-11-20T00:00:00Z'), payload: {} }, rt.clock.now()));
      const sent = outbox(rt).length;
      rt.clock.set('2026-11-21T10:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(outbox(rt).slice(sent).map((m) => m.summary)).toEqual([]);
      expect([...rt.store.ledger.about(['partner:fabrikam'])].map((e) => e.kind)).not.toContain('partner.unflagged');
      expect(rt.store.timers.pending('partner:fabrikam', FLAG_REVIEW_TIMER)).toBe(false);
    } finally {
      rt.close();
    }
  });

  it("a claims file's live claim of it is refused naming it, and nothing is imported; closed ones, and a claim closed with it given live again, are imported", async () => {
    const { db, rt } = await closed('claims', { before: (rt) => void importCsv(rt.ctx, 'claims', 'crm.csv', `${CLAIMS}CRM-F1,hooli,fabrikam,resell,Services,Hooli deal,qualified,protected,2026-11-20\n`) });
    try {
      const count = rt.store.claims.all().length;
      const live = await run(db, ['import', 'claims', file('live.csv', `${CLAIMS}CRM-F2,muller,fabrikam,resell,Services,Muller deal,qualified,protected,2026-11-25\nCRM-C1,soylent,contoso,resell,Analytics,Soylent deal,qualified,protected,2026-11-25\n`)]);
      expect(live.code).toBe(1);
      expect(live.err).toMatch(/live\.csv: 1 problem, nothing imported:\n {2}line 2: claimant: Fabrikam Systems \(fabrikam\) left the programme on \d{4}-\d\d-\d\d \(roe partner close\), so a protected claim of it is not imported: give the claim as the CRM closed it \(won, lost or expired\), or leave the row out$/);
      expect(rt.store.claims.all().length).toBe(count);
      // Won in the CRM, and the claim the closing expired given as the CRM still has it: imported, and it stays closed.
      const ok = await run(db, ['import', 'claims', file('ok.csv', `${CLAIMS}CRM-F2,muller,fabrikam,resell,Services,Muller deal,qualified,won,2026-11-25\nCRM-F1,hooli,fabrikam,resell,Services,Hooli deal,qualified,protected,2026-11-20\n`)]);
      expect(ok).toMatchObject({ code: 0, err: '' });
      expect(rt.store.claims.byRequestKey('import:CRM-F2')!.status).toBe('won');
      expect(rt.store.claims.byRequestKey('import:CRM-F1')!.status).toBe('expired');
    } finally {
      rt.close();
    }
  });

  it('its users are told it left when they claim or dispute, and the company’s people cannot file for it', async () => {
    const { rt } = await closed('users');
    try {
      const fran = fabrikamOnSlack(rt);
      expect(fran).toMatchObject({ kind: 'unknown', formerPartner: { id: 'fabrikam', name: 'Fabrikam Systems' } });
      const claim = catchErr(() => submitClaim(rt.deps, fran, values('muller', 'Services'), { origin: consoleOrigin, requestKey: null }));
      expect(claim.code).toBe('unknown_user');
      expect(claim.message).toBe('Your organisation (Fabrikam Systems) is no longer in our partner programme, so you cannot register deals; I can only offer help (/roe help). Its claims were closed when it left. Ask your partner manager if it should be in the programme again.');
      const dispute = catchErr(() => submitDispute(rt.deps, fran, { account: 'muller', product: 'Services', reason: 'ours', evidence: '' }, { origin: consoleOrigin, requestKey: null }));
      expect(dispute.message).toContain('Your organisation (Fabrikam Systems) is no longer in our partner programme, so you cannot raise disputes');
      expect(read(roe(rt.deps, fran, 'mine'))).toContain('is no longer in our partner programme, so this help is all I can offer');
      // Someone of a workspace that was never a partner's is told as before.
      const stranger = rt.resolve({ platform: 'slack', userId: 'U0X', displayName: 'X', orgId: 'T0OTHER', home: false });
      expect(stranger).not.toHaveProperty('formerPartner');
      expect(catchErr(() => submitClaim(rt.deps, stranger, values('muller', 'Services'), { origin: consoleOrigin, requestKey: null })).message).toContain('not linked to a partner of ours yet');
      // One of the company's people filing for it.
      const dana = as.person(rt, 'dana');
      const forIt = catchErr(() => submitClaim(rt.deps, dana, { ...values('muller', 'Services'), claimant: 'fabrikam' }, { origin: consoleOrigin, requestKey: null }));
      expect(forIt.message).toMatch(/^Fabrikam Systems left the partner programme on \d{4}-\d\d-\d\d, so no claim can be filed for it\.$/);
      const raised = catchErr(() => submitDispute(rt.deps, dana, { account: 'muller', product: 'Services', claimant: 'fabrikam', reason: 'It is our deal', evidence: '' }, { origin: consoleOrigin, requestKey: null }));
      expect(raised.message).toMatch(/^Fabrikam Systems left the partner programme on \d{4}-\d\d-\d\d, so no dispute can be raised for it\.$/);
      // Nor is it offered to them in the form.
      expect(read(claimForm(rt.deps, dana))).not.toContain('Fabrikam');
      expect(read(claimForm(rt.deps, dana))).toContain('Contoso Consulting');
      expect(rt.store.claims.all().filter((c) => c.claimant === 'fabrikam' && c.status !== 'expired')).toEqual([]);
    } finally {
      rt.close();
    }
  });

  it("a stranger's workspace that was its is noted as the closed partner's, whose file would not let it in again", async () => {
    const { rt } = await closed('noted');
    try {
      const notes: [string, string | null][] = [];
      const resolve = notingUnlinked(rt.resolve, (org, former) => notes.push([org, former?.id ?? null]));
      resolve({ platform: 'slack', userId: 'U0FABUSER', displayName: 'Fran', orgId: 'T0FABRIKAM', home: false });
      resolve({ platform: 'teams', userId: '29:x', displayName: 'X', orgId: '5B1F3C1E-0000-4000-8000-00000000A003', home: false });
      resolve({ platform: 'slack', userId: 'U0X', displayName: 'X', orgId: 'T0OTHER', home: false });
      expect(notes).toEqual([
        ['T0FABRIKAM', 'fabrikam'],
        ['5B1F3C1E-0000-4000-8000-00000000A003', 'fabrikam'],
        ['T0OTHER', null],
      ]);
    } finally {
      rt.close();
    }
  });
});
