import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, awardForm, submitAward } from '../../handlers/rule.js';
import { renderReply as renderSlack } from '../../handlers/platforms/slack/render.js';
import { roe } from '../../handlers/roe.js';
import { whoOwns } from '../../handlers/who-owns.js';
import { main } from '../../src/app/cli.js';
import { tick } from '../../src/app/scheduler.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, outbox } from '../support/cases.js';
import { catchErr, facts } from '../support/replies.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-partner-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(db: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, stdin: process.stdin, stdout: process.stdout });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every row of every table, as the database holds them: what a command that changes nothing leaves as it was. */
function dump(rt: TestRuntime): string {
  const tables = rt.db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return JSON.stringify(tables.map(({ name }) => [name, rt.db.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
}

const values = (account: string, product: string, stage = 'qualified') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
const read = (r: unknown) => JSON.stringify(r);
/** A user of Fabrikam's Slack workspace (T0FABRIKAM, in examples/partners.csv). */
const fabrikamOnSlack = (rt: TestRuntime) => rt.resolve({ platform: 'slack', userId: 'U0FABUSER', displayName: 'Fran', orgId: 'T0FABRIKAM', home: false });

describe('roe partner close', () => {
  it('says what it would do and changes nothing; with --yes closes chat-filed and imported claims alike, looks at their cases again, unlinks the partner; a second run does nothing', async () => {
    const db = join(dir, 'close.db');
    const rt = testRuntime({ databasePath: db });
    try {
      // Claims from the CRM (one dormant), and one of its users' in chat.
      importCsv(rt.ctx, 'claims', 'crm.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at,last_activity_at\nCRM-F1,hooli,fabrikam,resell,Services,Hooli deal,qualified,protected,2026-11-20,\nCRM-F2,acme-analytics,fabrikam,resell,Analytics,Acme deal,qualified,dormant,2026-10-01,2026-10-02\n');
      const imported = rt.store.claims.byRequestKey('import:CRM-F1')!;
      const dormant = rt.store.claims.byRequestKey('import:CRM-F2')!;
      expect(dormant.status).toBe('dormant');
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('muller', 'Services'), { origin: consoleOrigin, requestKey: null });
      const filed = rt.store.claims.all().at(-1)!;
      expect(filed).toMatchObject({ claimant: 'fabrikam', status: 'protected' });
      // A case between Fabrikam (further along, so recommended) and Contoso.
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('soylent', 'Analytics', 'proposal'), { origin: consoleOrigin, requestKey: null });
      const inCase = rt.store.claims.all().at(-1)!;
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent', 'Analytics'), { origin: consoleOrigin, requestKey: null });
      const rival = rt.store.claims.all().at(-1)!;
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ status: 'open', recommendation: 'fabrikam' });
      expect(d.claimIds.sort()).toEqual([inCase.id, rival.id].sort());
      const ours = [imported.id, dormant.id, filed.id, inCase.id];
      const dana = as.person(rt, 'dana');
      expect(read(whoOwns(rt.deps, dana, 'muller'))).toContain('Fabrikam');
      expect(fabrikamOnSlack(rt)).toMatchObject({ kind: 'external', partnerId: 'fabrikam' });

      // Without --yes: what it would do, and nothing written.
      const before = dump(rt);
      const dry = await run(db, ['partner', 'close', 'fabrikam']);
      expect(dry.err).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.out).toContain('nothing changed');
      expect(dry.out).toContain(`close 4 live claims of Fabrikam Systems (fabrikam) as expired: #${imported.id} (protected), #${dormant.id} (dormant), #${filed.id} (protected) and #${inCase.id} (protected)`);
      expect(dry.out).toContain(`open case holding them, #${d.id}`);
      expect(dry.out).toContain('unlink its Slack team T0FABRIKAM and Teams tenant 5b1f3c1e-0000-4000-8000-00000000a003: its users become unknown externals, who may only ask for help');
      expect(dry.out).toContain('To do it: npx roe partner close fabrikam --yes');
      // An account the CRM gives it as incumbent is the CRM's to change: said, and left as it is.
      expect(dry.out).toContain('1 account still names it as incumbent partner or named owner, as the CRM gave it (globex)');
      expect(dump(rt)).toBe(before);

      // With --yes, while the bot (this runtime's connection) has the database open.
      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes']);
      expect(done.err).toBe('');
      expect(done.code).toBe(0);
      expect(done.out).toContain(`closed Fabrikam Systems (fabrikam): 4 claims closed as expired (#${imported.id} (protected), #${dormant.id} (dormant), #${filed.id} (protected) and #${inCase.id} (protected))`);
      expect(done.out).toContain(`case #${d.id} left to its arbitrator`);
      expect(done.out).toContain('Slack team T0FABRIKAM and Teams tenant 5b1f3c1e-0000-4000-8000-00000000a003 unlinked');
      expect(done.out).toContain('1 account still names it');
      expect(rt.store.accounts.get('globex')!.incumbentPartnerId).toBe('fabrikam');
      for (const id of ours) {
        expect(rt.store.claims.get(id)!.status).toBe('expired');
        expect(rt.store.timers.pending(`claim:${id}`, 'claim.')).toBe(false);
        const last = [...rt.store.ledger.about([`claim:${id}`])].at(-1)!;
        expect(last).toMatchObject({ kind: 'claim.expired', actor: 'close', payload: { reason: 'partner left the programme', was: id === dormant.id ? 'dormant' : 'protected' } });
      }
      expect(rt.store.claims.get(rival.id)!.status).toBe('pending');
      // The case, left with Contoso's claim alone, is recommended on again; its arbitrator is told, through the outbox.
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'contoso' });
      const told = outbox(rt).slice(sent);
      expect(told.some((m) => m.summary.includes(`Dispute #${d.id}`) && m.summary.includes('the recommendation changed'))).toBe(true);
      // Who owns no longer names the partner; its Slack users are unknown, and may only ask for help.
      expect(read(whoOwns(rt.deps, dana, 'muller'))).not.toContain('Fabrikam');
      const fran = fabrikamOnSlack(rt);
      expect(fran.kind).toBe('unknown');
      expect(catchErr(() => whoOwns(rt.deps, fran, 'muller')).code).toBe('unknown_user');
      expect(read(roe(rt.deps, fran, 'mine'))).toContain('this help is all I can offer');
      // Its row, its stats and the ledger stay.
      expect(rt.store.partners.get('fabrikam')).toMatchObject({ name: 'Fabrikam Systems', slackTeamId: null, teamsTenantId: null });
      expect([...rt.store.ledger.about(['partner:fabrikam'])].at(-1)).toMatchObject({ kind: 'partner.closed', actor: 'close', payload: { claims: ours, cases: [d.id] } });
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
      expect((await run(db, ['ledger', 'verify'])).code).toBe(0);
      // The partner's own export holds what was done to it, as it was recorded.
      const exported = JSON.parse((await run(db, ['export', '--partner', 'fabrikam'])).out) as { ledger: { kind: string; payload: Record<string, unknown> }[] };
      expect(exported.ledger.filter((e) => e.kind === 'claim.expired').map((e) => e.payload)).toEqual(ours.map((id) => ({ reason: 'partner left the programme', was: id === dormant.id ? 'dormant' : 'protected' })));
      expect(exported.ledger.at(-1)).toMatchObject({ kind: 'partner.closed', payload: { claims: ours, unlinked: { slack: true, teams: true } } });
      const stats = await run(db, ['stats', '--format', 'json']);
      expect(JSON.parse(stats.out).parties.some((p: { party: string }) => p.party === 'fabrikam')).toBe(true);

      // Again: nothing to do, and nothing written.
      const after = dump(rt);
      const again = await run(db, ['partner', 'close', 'fabrikam', '--yes']);
      expect(again).toMatchObject({ code: 0, err: '' });
      expect(again.out).toContain('nothing to do: Fabrikam Systems (fabrikam) has no live claim');
      expect(dump(rt)).toBe(after);
    } finally {
      rt.close();
    }
  });

  it('a case left with no live claim is withdrawn, and its parties are told', async () => {
    const db = join(dir, 'withdrawn.db');
    const rt = testRuntime({ databasePath: db });
    try {
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('soylent', 'Analytics', 'proposal'), { origin: consoleOrigin, requestKey: null });
      const header = 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at\n';
      importCsv(rt.ctx, 'claims', 'crm.csv', `${header}CRM-C1,soylent,contoso,resell,Analytics,Soylent deal,qualified,pending,2026-11-29\n`);
      const d = rt.store.disputes.all().at(-1)!;
      expect(d.status).toBe('open');
      // The CRM closes Contoso's: the case still has Fabrikam's claim to rule on.
      importCsv(rt.ctx, 'claims', 'crm.csv', `${header}CRM-C1,soylent,contoso,resell,Analytics,Soylent deal,qualified,lost,2026-11-29\n`);
      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes']);
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain(`case #${d.id} withdrawn (no live claim left)`);
      expect(rt.store.disputes.get(d.id)!.status).toBe('withdrawn');
      const told = outbox(rt).slice(sent).map((m) => m.summary);
      expect(told.filter((s) => s.includes('closed'))).not.toEqual([]);
      expect(told.some((s) => s.includes('needs no ruling'))).toBe(true);
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
    } finally {
      rt.close();
    }
  });

  it('a case it raised holding no claim is withdrawn (its other parties and its arbitrator are told); one raised against it stays, and no ruling gives the line to it', async () => {
    const db = join(dir, 'raised.db');
    // The incumbent rule only recommends: a dispute raised against an incumbent goes to the arbitrator.
    const policyPath = join(dir, 'incumbent-recommends.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ databasePath: db, policyPath });
    try {
      const meta = { origin: consoleOrigin, requestKey: null };
      // Northwind is Hooli's incumbent; Fabrikam, holding no claim there, disputes it.
      importCsv(rt.ctx, 'accounts', 'accounts.csv', 'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner\nhooli,Hooli,,hooli.xyz,enterprise,NA,standard,true,northwind,\n');
      submitDispute(rt.deps, as.partner(rt, 'fabrikam'), { account: 'hooli', product: 'Analytics', reason: 'Northwind has not engaged Hooli in years.', evidence: '' }, meta);
      const raised = rt.store.disputes.all().at(-1)!;
      expect(raised).toMatchObject({ status: 'open', claimIds: [], parties: ['fabrikam', 'northwind'], raisedAs: 'fabrikam', recommendation: 'northwind' });
      // Contoso disputes Globex, whose incumbent Fabrikam is: the criteria recommend Fabrikam.
      submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.', evidence: '' }, meta);
      const against = rt.store.disputes.all().at(-1)!;
      expect(against).toMatchObject({ status: 'open', claimIds: [], parties: ['contoso', 'fabrikam'], raisedAs: 'contoso', recommendation: 'fabrikam' });
      // Fabrikam disputes Wayne too, whose incumbent Northwind is; a claim of Contoso's joins that case, and waits for its ruling.
      importCsv(rt.ctx, 'accounts', 'accounts.csv', 'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner\nwayne,Wayne Enterprises,,wayne.com,mid-market,NA,standard,true,northwind,\n');
      submitDispute(rt.deps, as.partner(rt, 'fabrikam'), { account: 'wayne', product: 'Analytics', reason: 'Northwind has not engaged Wayne in years.', evidence: '' }, meta);
      const joined = rt.store.disputes.all().at(-1)!;
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values('wayne', 'Analytics'), meta);
      const waiting = rt.store.claims.all().at(-1)!;
      expect(rt.store.disputes.get(joined.id)).toMatchObject({ status: 'open', claimIds: [waiting.id], raisedAs: 'fabrikam' });
      expect(waiting.status).toBe('pending');
      const env = { ROE_POLICY: policyPath };

      const before = dump(rt);
      const dry = await run(db, ['partner', 'close', 'fabrikam'], env);
      expect(dry).toMatchObject({ code: 0, err: '' });
      expect(dry.out).toContain(`- withdraw case #${raised.id}, which it raised holding no claim in it: nobody is left to pursue it (its other parties, its thread and its arbitrator are told)`);
      expect(dry.out).toContain(`- leave cases #${against.id} and #${joined.id}, which it is a party to with no live claim in them, to their arbitrators`);
      expect(dump(rt)).toBe(before);

      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes'], env);
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain(`case #${raised.id}, which it raised, withdrawn (nobody is left to pursue it)`);
      expect(done.out).toContain(`cases #${against.id} and #${joined.id}, which it is a party to with no live claim in them, to their arbitrators`);
      // Contoso's claim still has the case to rule on it.
      expect(rt.store.disputes.get(joined.id)!.status).toBe('open');
      expect(rt.store.claims.get(waiting.id)!.status).toBe('pending');
      expect(rt.store.disputes.get(raised.id)!.status).toBe('withdrawn');
      expect(rt.store.timers.pending(`dispute:${raised.id}`, 'sla.')).toBe(false);
      expect([...rt.store.ledger.about([`dispute:${raised.id}`])].at(-1)).toMatchObject({ kind: 'dispute.withdrawn', actor: 'close', payload: { reason: 'the partner that raised it left the programme', partner: 'fabrikam' } });
      expect([...rt.store.ledger.about(['partner:fabrikam'])].at(-1)).toMatchObject({ kind: 'partner.closed', payload: { withdrawn: [raised.id] } });
      // Its arbitrator, and its thread (where its other parties read it), are told why: not that its claims closed.
      const told = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(outbox(rt)[sent - 1]?.id ?? 0) as { target: string; body: string }[]).map((m) => m.target + m.body);
      expect(told.some((m) => m.includes('"user":"dana"') && m.includes('needs no ruling') && m.includes('Closed without a ruling: the partner that raised it (Fabrikam Systems) left the partner programme.'))).toBe(true);
      expect(told.some((m) => m.includes('dispute-thread') && m.includes('closed without a ruling') && m.includes('Closed without a ruling: the partner that raised it left the partner programme.'))).toBe(true);
      expect(told.join('\n')).not.toContain('none of its claims is live');
      // A click on its old card says why it closed.
      const late = catchErr(() => approve(rt.deps, as.person(rt, raised.arbitrator), `${raised.id}:northwind`));
      expect(late.message).toContain('the partner that raised it left the partner programme');
      // The case raised against it stays open, and no ruling gives the line to it: its old card's
      // approval is refused, as the close recommended the one party left (Contoso) instead.
      expect(rt.store.disputes.get(against.id)).toMatchObject({ status: 'open', recommendation: 'contoso' });
      const arbitrator = as.person(rt, against.arbitrator);
      const approved = catchErr(() => approve(rt.deps, arbitrator, `${against.id}:fabrikam`));
      expect(approved.message).toBe(`The recommendation on dispute #${against.id} changed since this card was sent (Fabrikam Systems, recommended then, left the partner programme): Contoso Consulting is recommended now, as the one party left. Nothing was ruled: the case as it stands now was sent to you; rule on what it says.`);
      const awarded = catchErr(() => submitAward(rt.deps, arbitrator, { dispute: String(against.id), party: 'fabrikam', rationale: 'Fabrikam still runs their platform.' }));
      expect(awarded.message).toMatch(/^Fabrikam Systems left the partner programme on \d{4}-\d\d-\d\d \(roe partner close\): the line cannot go to it\. Award it to another party, or to nobody\.$/);
      expect(rt.store.disputes.get(against.id)).toMatchObject({ status: 'open', winner: null });
      submitAward(rt.deps, arbitrator, { dispute: String(against.id), party: 'contoso', rationale: 'Fabrikam left the programme; Contoso sourced the deal.' });
      expect(rt.store.disputes.get(against.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
    } finally {
      rt.close();
    }
  });

  it('a case it raised holding its own claim, against an incumbent, is withdrawn once that claim closes (listed by the dry run, named in partner.closed); one another party\'s live claim has joined stays', async () => {
    const db = join(dir, 'raised-with-claim.db');
    const policyPath = join(dir, 'incumbent-recommends-2.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ databasePath: db, policyPath });
    try {
      const meta = { origin: consoleOrigin, requestKey: null };
      importCsv(rt.ctx, 'accounts', 'accounts.csv', 'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner\nhooli,Hooli,,hooli.xyz,enterprise,NA,standard,true,northwind,\nwayne,Wayne Enterprises,,wayne.com,mid-market,NA,standard,true,northwind,\n');
      // Fabrikam claims Hooli, whose incumbent Northwind is: its claim is the case's, against Northwind (holding none).
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('hooli', 'Analytics'), meta);
      const own = rt.store.claims.all().at(-1)!;
      const raised = rt.store.disputes.all().at(-1)!;
      expect(raised).toMatchObject({ status: 'open', claimIds: [own.id], raisedAs: 'fabrikam' });
      expect(raised.parties).toContain('northwind');
      // The same at Wayne, where a claim of Contoso's joins and waits for the ruling.
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('wayne', 'Analytics'), meta);
      const joined = rt.store.disputes.all().at(-1)!;
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values('wayne', 'Analytics'), meta);
      const waiting = rt.store.claims.all().at(-1)!;
      expect(rt.store.disputes.get(joined.id)).toMatchObject({ status: 'open', raisedAs: 'fabrikam' });
      expect(rt.store.disputes.get(joined.id)!.claimIds).toContain(waiting.id);
      const env = { ROE_POLICY: policyPath };

      const before = dump(rt);
      const dry = await run(db, ['partner', 'close', 'fabrikam'], env);
      expect(dry).toMatchObject({ code: 0, err: '' });
      expect(dry.out).toContain(`- withdraw case #${raised.id}, which it raised with a claim closed here, against an owner holding no claim in it, and no other party's live claim in it: nobody is left to pursue it (its other parties, its thread and its arbitrator are told)`);
      expect(dry.out).toContain(`open case holding them, #${joined.id}:`);
      expect(dump(rt)).toBe(before);

      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes'], env);
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain(`case #${raised.id}, which it raised, withdrawn (nobody is left to pursue it)`);
      expect(done.out).toContain(`case #${joined.id} left to its arbitrator`);
      expect(rt.store.disputes.get(raised.id)!.status).toBe('withdrawn');
      expect(rt.store.timers.pending(`dispute:${raised.id}`, 'sla.')).toBe(false);
      expect([...rt.store.ledger.about([`dispute:${raised.id}`])].at(-1)).toMatchObject({ kind: 'dispute.withdrawn', actor: 'close', payload: { reason: 'the partner that raised it left the programme', partner: 'fabrikam' } });
      expect([...rt.store.ledger.about(['partner:fabrikam'])].at(-1)).toMatchObject({ kind: 'partner.closed', payload: { cases: [joined.id], withdrawn: [raised.id] } });
      // Contoso's claim still has its case to rule on it (Northwind, the incumbent, recommended as before).
      expect(rt.store.disputes.get(joined.id)).toMatchObject({ status: 'open', recommendation: 'northwind' });
      expect(rt.store.claims.get(waiting.id)!.status).toBe('pending');
      // Its arbitrator and its thread are told why, as for a case it raised holding no claim.
      const told = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(outbox(rt)[sent - 1]?.id ?? 0) as { target: string; body: string }[]).map((m) => m.target + m.body);
      expect(told.some((m) => m.includes(`"user":"${raised.arbitrator}"`) && m.includes('needs no ruling') && m.includes('Closed without a ruling: the partner that raised it (Fabrikam Systems) left the partner programme.'))).toBe(true);
      expect(told.join('\n')).not.toContain('none of its claims is live');
      const late = catchErr(() => approve(rt.deps, as.person(rt, raised.arbitrator), `${raised.id}:northwind`));
      expect(late.message).toContain('the partner that raised it left the partner programme');
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
    } finally {
      rt.close();
    }
  });

  it('a case one of the company\'s people or an import opened for its claim, against an incumbent holding none, is withdrawn as one it raised is (dry run, run, ledger, who is told); one another party\'s live claim has joined stays', async () => {
    const db = join(dir, 'opened-for.db');
    const policyPath = join(dir, 'incumbent-recommends-6.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ databasePath: db, policyPath });
    try {
      const meta = { origin: consoleOrigin, requestKey: null };
      importCsv(rt.ctx, 'accounts', 'accounts.csv', 'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner\nhooli,Hooli,,hooli.xyz,enterprise,NA,standard,true,northwind,\nwayne,Wayne Enterprises,,wayne.com,mid-market,NA,standard,true,northwind,\nsoylent,Soylent Corp,,soylent.com,smb,NA,standard,true,northwind,\n');
      // Sam files for Fabrikam on Hooli, whose incumbent Northwind is: a case over Fabrikam's claim, raised as the company's.
      submitClaim(rt.deps, as.person(rt, 'sam'), { ...values('hooli', 'Analytics'), claimant: 'fabrikam' }, meta);
      const filed = rt.store.disputes.all().at(-1)!;
      expect(filed).toMatchObject({ status: 'open', raisedAs: 'direct', parties: ['fabrikam', 'northwind'] });
      // The CRM's file gives a pending claim of Fabrikam's on Wayne: a case for an arbitrator, raised by the import.
      importCsv(rt.ctx, 'claims', 'claims.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-1,wayne,fabrikam,resell,Analytics,Wayne deal,qualified,,,pending,2026-11-29,2026-11-29\n');
      const imported = rt.store.disputes.all().at(-1)!;
      expect(imported).toMatchObject({ status: 'open', raisedAs: 'direct', parties: ['fabrikam', 'northwind'] });
      // The same at Soylent, where a claim of Contoso's joins and waits for the ruling.
      submitClaim(rt.deps, as.person(rt, 'sam'), { ...values('soylent', 'Analytics'), claimant: 'fabrikam' }, meta);
      const joined = rt.store.disputes.all().at(-1)!;
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent', 'Analytics'), meta);
      const waiting = rt.store.claims.all().at(-1)!;
      expect(rt.store.disputes.get(joined.id)!.claimIds).toContain(waiting.id);
      const env = { ROE_POLICY: policyPath };

      const before = dump(rt);
      const dry = await run(db, ['partner', 'close', 'fabrikam'], env);
      expect(dry).toMatchObject({ code: 0, err: '' });
      expect(dry.out).toContain(`- withdraw cases #${filed.id} and #${imported.id}, opened for its claims by your people or an import, which close here, against an owner holding no claim in them, and no other party's live claim in them: nobody is left to pursue them (their other parties, threads and arbitrators are told)`);
      expect(dry.out).toContain(`open case holding them, #${joined.id}:`);
      // Soylent, Wayne and Hooli still name Northwind; Globex (examples/accounts.csv) names Fabrikam, which the criteria no longer count.
      expect(dry.out).toContain('1 account still names it as incumbent partner or named owner, as the CRM gave it (globex): the criteria and who-owns count it as none there from now; import the accounts without it.');
      expect(dump(rt)).toBe(before);

      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes'], env);
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain(`cases #${filed.id} and #${imported.id}, opened for its claims, withdrawn (nobody is left to pursue them)`);
      expect(done.out).toContain(`case #${joined.id} left to its arbitrator`);
      for (const d of [filed, imported]) {
        expect(rt.store.disputes.get(d.id)!.status).toBe('withdrawn');
        expect(rt.store.timers.pending(`dispute:${d.id}`, 'sla.')).toBe(false);
        expect([...rt.store.ledger.about([`dispute:${d.id}`])].at(-1)).toMatchObject({ kind: 'dispute.withdrawn', actor: 'close', payload: { reason: 'the partner whose claim opened it left the programme', partner: 'fabrikam' } });
      }
      expect([...rt.store.ledger.about(['partner:fabrikam'])].at(-1)).toMatchObject({ kind: 'partner.closed', payload: { cases: [joined.id], withdrawn: [filed.id, imported.id] } });
      // Contoso's claim still has its case to rule on it.
      expect(rt.store.disputes.get(joined.id)!.status).toBe('open');
      expect(rt.store.claims.get(waiting.id)!.status).toBe('pending');
      // Each arbitrator, and the thread of the case filed in chat, are told why: not that its claims closed.
      const told = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(outbox(rt)[sent - 1]?.id ?? 0) as { target: string; body: string }[]).map((m) => m.target + m.body);
      for (const d of [filed, imported]) {
        expect(told.some((m) => m.includes(`"user":"${d.arbitrator}"`) && m.includes(`#${d.id}`) && m.includes('needs no ruling') && m.includes('Closed without a ruling: the partner whose claim opened it (Fabrikam Systems) left the partner programme.'))).toBe(true);
      }
      expect(told.some((m) => m.includes('dispute-thread') && m.includes(`#${filed.id}`) && m.includes('Closed without a ruling: the partner whose claim opened it left the partner programme.'))).toBe(true);
      expect(told.join('\n')).not.toContain('none of its claims is live');
      // A click on its old card says why it closed.
      const late = catchErr(() => approve(rt.deps, as.person(rt, filed.arbitrator), `${filed.id}:northwind`));
      expect(late.message).toContain('the partner whose claim opened it left the partner programme');
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
    } finally {
      rt.close();
    }
  });

  it('a case raised against it: its card says it left, its award form no longer offers it, and the one party left is recommended, its arbitrator told', async () => {
    const db = join(dir, 'against.db');
    const policyPath = join(dir, 'incumbent-recommends-3.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ databasePath: db, policyPath });
    try {
      // Fabrikam's name holds markup, which no card may read as its own.
      importCsv(rt.ctx, 'partners', 'partners.csv', 'id,name,tier,slack_team_id,teams_tenant_id\nfabrikam,Fabrikam <Systems> & *Co*,platinum,T0FABRIKAM,5b1f3c1e-0000-4000-8000-00000000a003\n');
      // Contoso disputes Globex, whose incumbent Fabrikam is: the criteria recommend Fabrikam.
      submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ status: 'open', claimIds: [], parties: ['contoso', 'fabrikam'], recommendation: 'fabrikam' });
      const arbitrator = as.person(rt, d.arbitrator);
      const options = () => (awardForm(rt.deps, arbitrator, String(d.id)).fields.find((f) => f.id === 'party')!.options ?? []).map((o) => o.label);
      expect(options()).toEqual(['Contoso Consulting', 'Fabrikam <Systems> & *Co*', 'Nobody: reject the claims']);

      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes'], { ROE_POLICY: policyPath });
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toContain(`case #${d.id}, which it is a party to with no live claim in it, to its arbitrator`);
      // Recommended on again, as when the other party's claim closes in a two-party case: to the one party left.
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'contoso', recommendationRule: null });
      expect([...rt.store.ledger.about([`dispute:${d.id}`])].at(-1)).toMatchObject({ kind: 'dispute.recommendation_changed', actor: 'review', payload: { from: 'fabrikam', to: 'contoso', why: 'left' } });
      const told = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(outbox(rt)[sent - 1]?.id ?? 0) as { target: string; body: string }[]).map((m) => m.target + m.body);
      expect(told.some((m) => m.includes(`"user":"${d.arbitrator}"`) && m.includes(`The party recommended in dispute #${d.id} left the partner programme, so the line cannot go to it: Contoso Consulting is recommended now, as the one party left (it was Fabrikam <Systems> & *Co*).`))).toBe(true);

      // Its arbitrator's card: the party that left said so, the one left recommended, no button offering the other.
      const card = roe(rt.deps, arbitrator, `case ${d.id}`);
      expect(facts(card)).toMatchObject({ Parties: 'Contoso Consulting vs Fabrikam <Systems> & *Co* (left the partner programme)', Recommendation: 'Contoso Consulting (the one party left)' });
      expect(read(card)).toContain('Approve: Contoso Consulting');
      expect(read(card)).not.toContain('Approve: Fabrikam');
      // As Slack shows it: as plain text, the name's markup read as written.
      const slack = JSON.stringify(renderSlack(card).blocks);
      expect(slack).toContain(JSON.stringify({ type: 'plain_text', text: 'Parties\nContoso Consulting vs Fabrikam <Systems> & *Co* (left the partner programme)', emoji: false }));
      // Contoso's user reads of another party, not whether it left.
      expect(facts(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`)).Parties).toBe('Contoso Consulting vs another party');
      // The award form offers the one party left, and nobody.
      expect(options()).toEqual(['Contoso Consulting', 'Nobody: reject the claims']);
      approve(rt.deps, arbitrator, `${d.id}:contoso`);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
      expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
    } finally {
      rt.close();
    }
  });

  it('a case raised against it with two other parties left: the criteria, no longer counting it as incumbent, recommend over the claims left, and its card, the notice and an old card\'s approve say so', async () => {
    const db = join(dir, 'against-two-left.db');
    const policyPath = join(dir, 'incumbent-recommends-4.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ databasePath: db, policyPath });
    try {
      // Contoso disputes Globex, whose incumbent Fabrikam is; Northwind's claim joins: the criteria recommend Fabrikam.
      submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      submitClaim(rt.deps, as.partner(rt, 'northwind'), values('globex', 'Analytics'), { origin: consoleOrigin, requestKey: null });
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', parties: ['contoso', 'fabrikam', 'northwind'], recommendation: 'fabrikam' });
      const arbitrator = as.person(rt, d.arbitrator);
      const sent = outbox(rt).length;
      const done = await run(db, ['partner', 'close', 'fabrikam', '--yes'], { ROE_POLICY: policyPath });
      expect(done).toMatchObject({ code: 0, err: '' });
      // Out of the programme, Fabrikam is no incumbent to the criteria: Northwind's claim, the only one, is recommended.
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'northwind', recommendationRule: 'first-registration' });
      expect([...rt.store.ledger.about([`dispute:${d.id}`])].at(-1)).toMatchObject({ kind: 'dispute.recommendation_changed', actor: 'review', payload: { from: 'fabrikam', to: 'northwind', why: 'left' } });
      const told = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(outbox(rt)[sent - 1]?.id ?? 0) as { target: string; body: string }[]).map((m) => m.target + m.body);
      expect(told.some((m) => m.includes(`"user":"${d.arbitrator}"`) && m.includes(`The party recommended in dispute #${d.id} left the partner programme, so the line cannot go to it: the criteria now recommend Northwind Partners (it was Fabrikam Systems).`))).toBe(true);
      // Its card: the criteria as they now stand, the incumbent rule saying why it does not decide.
      const card = roe(rt.deps, arbitrator, `case ${d.id}`);
      expect(facts(card).Recommendation).toBe('Northwind Partners (First registration)');
      expect(read(card)).toContain('Incumbent partner: does not decide');
      expect(read(card)).toContain('Fabrikam Systems is recorded as the incumbent partner of this customer, but left the partner programme: the account has no incumbent partner.');
      // Contoso's user reads nothing of another party leaving.
      const contoso = roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`);
      expect(facts(contoso)).toMatchObject({ Parties: 'Contoso Consulting vs another party vs another party', Recommendation: 'another party (First registration)' });
      expect(read(contoso)).not.toContain('left the partner programme');
      // A click on an old card's approve says why, and what to do.
      const late = catchErr(() => approve(rt.deps, arbitrator, `${d.id}:fabrikam`));
      expect(late.message).toContain(`The recommendation on dispute #${d.id} changed since this card was sent (Fabrikam Systems, recommended then, left the partner programme): the criteria now recommend Northwind Partners.`);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', winner: null });
    } finally {
      rt.close();
    }
  });

  it('a case not looked at again since its recommended party left (an earlier release closed it): the arbitrator reads that it left, its party only who is recommended', () => {
    const policyPath = join(dir, 'incumbent-recommends-5.yaml');
    writeFileSync(policyPath, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    const rt = testRuntime({ policyPath });
    try {
      submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ recommendation: 'fabrikam' });
      // Recorded out of the programme as a release before the review of its cases did it.
      rt.store.partners.setClosed('fabrikam', { at: rt.clock.now(), slackTeamId: null, teamsTenantId: null });
      expect(facts(roe(rt.deps, as.person(rt, d.arbitrator), `case ${d.id}`)).Recommendation).toBe('Fabrikam Systems (Incumbent partner), which left the partner programme: award it to another party, or to nobody');
      expect(facts(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`)).Recommendation).toBe('another party (Incumbent partner)');
    } finally {
      rt.close();
    }
  });

  it('withdraws a warning of a closed claim still waiting in the outbox: it would tell its filer to log activity on a claim that takes none', async () => {
    const db = join(dir, 'warned.db');
    const rt = testRuntime({ databasePath: db, at: '2026-10-26T14:00:00Z' });
    try {
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('muller', 'Services'), { origin: consoleOrigin, requestKey: null });
      const claim = rt.store.claims.all().at(-1)!;
      // 23 days on (30 without activity, warned 7 before), its dormancy warning is queued.
      rt.clock.set('2026-11-18T16:00:00Z');
      expect(tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.filter((f) => f.subject === `claim:${claim.id}`).map((f) => f.kind)).toEqual(['claim.dormancy_warning']);
      const warning = outbox(rt).find((m) => m.status === 'pending' && m.target.includes('fabrikam-user'))!;
      expect(warning).toBeDefined();
      expect((await run(db, ['partner', 'close', 'fabrikam', '--yes'])).code).toBe(0);
      expect(outbox(rt).find((m) => m.id === warning.id)!.status).toBe('withdrawn');
      expect(rt.store.claims.get(claim.id)!.status).toBe('expired');
      expect(rt.store.timers.pending(`claim:${claim.id}`, 'claim.')).toBe(false);
    } finally {
      rt.close();
    }
  });

  it('waits for the write lock another process holds, as an import does; held throughout, it is refused as busy and changes nothing', async () => {
    const db = join(dir, 'busy.db');
    const rt = testRuntime({ databasePath: db });
    const before = dump(rt);
    const holder = new Database(db);
    try {
      holder.exec('BEGIN IMMEDIATE');
      expect(await run(db, ['partner', 'close', 'fabrikam', '--yes'])).toEqual({ code: 1, out: '', err: `DATABASE_PATH: ${db} is busy: another process (an import?) holds its write lock; try again when it is done` });
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
    try {
      expect(dump(rt)).toBe(before);
      expect(await run(db, ['partner', 'close', 'fabrikam', '--yes'])).toMatchObject({ code: 0, err: '' });
      expect(rt.store.partners.get('fabrikam')!.slackTeamId).toBeNull();
    } finally {
      rt.close();
    }
  }, 30_000);

  it('refuses an unknown partner, naming it, and the direct team', async () => {
    const db = join(dir, 'refused.db');
    const rt = testRuntime({ databasePath: db });
    const before = dump(rt);
    try {
      const unknown = await run(db, ['partner', 'close', 'fabrikan', '--yes']);
      expect(unknown).toMatchObject({ code: 1, out: '', err: 'no partner "fabrikan"; partner ids: contoso, fabrikam, northwind' });
      const direct = await run(db, ['partner', 'close', 'direct']);
      expect(direct.code).toBe(1);
      expect(direct.err).toContain('"direct" is');
      expect(direct.err).toContain('not a partner');
      expect((await run(db, ['partner', 'close'])).code).toBe(2);
      expect(dump(rt)).toBe(before);
    } finally {
      rt.close();
    }
  });
});
