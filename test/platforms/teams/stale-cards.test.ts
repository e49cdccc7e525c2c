import { describe, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import * as rule from '../../../handlers/rule.js';
import { tick } from '../../../src/app/scheduler.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { as } from '../../support/runtime.js';
import { installActivity, startTeams, USERS } from '../../support/teams-harness.js';

describe('Teams: a backlog delivered after a Teams outage', () => {
  it('a reminder and case card for a case that has since moved on to someone else are not sent to the person who may no longer rule it', async () => {
    const t = await startTeams();
    try {
      const rt = t.rt;
      await t.post(installActivity(USERS.sam, { kind: 'personal' }, t.connector.url));
      rt.clock.set('2026-12-07T15:00:00Z');
      const origin = { platform: 'teams' as const, channel: '19:shared-channel@thread.tacv2', thread: null };
      const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
      submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin, requestKey: null });
      submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
      // Teams is down: nothing is delivered. The first reminder rings (queued), then the breach moves the case to Dana.
      rt.clock.set('2026-12-08T15:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      rt.clock.set('2026-12-10T15:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      // Teams is back.
      t.connector.calls.length = 0;
      await t.drain();
      const creates = t.connector.calls.filter((c) => c.kind === 'create');
      const patChat = `a:created-${creates.findIndex((c) => JSON.stringify(c.body).includes('29:pat')) + 1}`;
      const toPat = t.connector.calls.filter((c) => c.kind === 'send' && c.status === 200 && c.conversationId === patChat).map((c) => readCard(cardOf(c)).split('\n')[0]);
      // Pat may no longer rule this case (he is told it moved to Dana); a "Reminder: dispute #1 is
      // due <a time long past>" with snooze buttons, and the original case card with its ruling
      // buttons, make no sense any more. Slack drops both (caseCardLive); Teams sends them.
      expect(toPat.filter((x) => !/moved to Dana/.test(x ?? ''))).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it('a reminder queued before the arbitrator ruled is not sent to them after the ruling', async () => {
    const t = await startTeams();
    try {
      const rt = t.rt;
      await t.post(installActivity(USERS.sam, { kind: 'personal' }, t.connector.url));
      rt.clock.set('2026-12-07T15:00:00Z');
      const origin = { platform: 'teams' as const, channel: '19:shared-channel@thread.tacv2', thread: null };
      const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
      submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin, requestKey: null });
      submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      await t.drain();
      // Teams throttles / is down for a while: the first reminder is queued...
      rt.clock.set('2026-12-08T15:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      // ...and Pat rules (from the card he already has) before it goes out.
      rule.approve(rt.deps, as.person(rt, 'pat'), d.id);
      expect(rt.store.disputes.get(d.id)!.status).toBe('ruled');
      t.connector.calls.length = 0;
      await t.drain();
      const texts = t.connector.calls.filter((c) => c.kind === 'send' && c.status === 200).map((c) => readCard(cardOf(c)).split('\n')[0]);
      expect(texts.filter((x) => (x ?? '').startsWith('Reminder'))).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
