import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { policyTextWith } from '../../support/builders.js';
import { openArbitratedCase } from '../../support/cases.js';
import { testRuntime } from '../../support/runtime.js';
import { appHomeOpened } from '../../support/slack-requests.js';
import { tick } from '../../../src/app/scheduler.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});
const published = () => h.fake.callsTo('views.publish');
type HomeBlocks = { blocks: { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[] };
const buttons = (view: unknown) => (view as HomeBlocks).blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

describe('App Home: "Open" on a case of the queue', () => {
  it('the Home tab says the case went to the direct messages (where the click posted it), and is brought up to date', async () => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
      const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    await h.send(appHomeOpened({ user: USERS.pat.id }));
    const home = await h.fake.waitFor(() => published()[0], 'the first home');
    const open = buttons(home.args.view).find((e) => e.text.text.startsWith('Open #'))!;
    expect(open.action_id).toBe(SLACK_IDS.actions.open_case);
    const posted = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === USERS.pat.id);
    const before = posted().length;
    await h.click(USERS.pat, open.action_id, open.value, { inHome: true });
    await h.fake.waitFor(() => published()[1], 'the republished home');
    // The case went to the DM, as from a command's answer…
    expect(posted().length).toBe(before + 1);
    // …and the Home tab, where the click was, says so above the page as it stands.
    const page = visible(published()[1]!.args.view);
    expect(page).toMatch(new RegExp(`Dispute #${open.value} is in your direct messages with me, with its ruling buttons`));
    expect(page).toContain('Waiting for your ruling');
  });

  it('on a Home left open while the case escalated past them: the Home tab and the case in the direct messages say who rules on it now, not only that it went there', async () => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
      const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    await h.send(appHomeOpened({ user: USERS.pat.id }));
    const home = await h.fake.waitFor(() => published()[0], 'the first home');
    const open = buttons(home.args.view).find((e) => e.text.text.startsWith('Open #'))!;
    // Pat's SLA runs out while the Home tab stays as it was published: the case goes to Dana.
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(Number(open.value))!.arbitrator).toBe('dana');
    const posted = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === USERS.pat.id);
    const before = posted().length;
    await h.click(USERS.pat, open.action_id, open.value, { inHome: true });
    await h.fake.waitFor(() => published()[1], 'the republished home');
    const page = visible(published()[1]!.args.view);
    expect(page).toContain(`Dispute #${open.value} is in your direct messages with me, without ruling buttons: it moved to Dana Reyes, who rules on it now.`);
    expect(page).toContain('No cases are waiting for your ruling');
    const dm = visible(posted()[before]!.args);
    expect(dm).toContain('This case moved to Dana Reyes, who rules on it now.');
    expect(dm).not.toMatch(/Approve|Award/);
  });

  it('by someone who left the policy, once the case was handed on from them: the case in the direct messages says who rules on it now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-slack-left-'));
    const db = join(dir, 'left.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(v1);
    v1.close();
    // 2026.2, from Dec 8, no longer names Pat (Sam arbitrates Default now).
    const policyPath = join(dir, 'policy.yaml');
    const PAT = '  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n';
    writeFileSync(policyPath, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], [PAT, ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    const left = await startSlack({ databasePath: db, policyPath });
    try {
      left.rt.clock.set('2026-12-08T14:00:00Z');
      tick(left.rt.db, left.rt.deps, left.rt.clock.now(), left.rt.logger);
      expect(left.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
      const posted = () => left.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === USERS.pat.id);
      const before = posted().length;
      await left.click(USERS.pat, SLACK_IDS.actions.open_case, String(d.id));
      const dm = visible((await left.fake.waitFor(() => posted()[before], 'the case in the DM')).args);
      expect(dm).toContain('This case moved to Dana Reyes, who rules on it now.');
      expect(dm).not.toMatch(/Approve|Award/);
    } finally {
      await left.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
