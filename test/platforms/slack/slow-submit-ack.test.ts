import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { blockSuggestion } from '../../support/slack-requests.js';

/**
 * A form submission must be acknowledged within 3 seconds: only that acknowledgement can carry
 * the outcome (response_action). The listener asks users.info again once its 10-minute cache
 * has lapsed (a claim form easily stays open that long), and waits for it before acking.
 */
let h: Harness;
beforeEach(async () => {
  // Only Date is faked (timers run for real), so the form can be "filled in" over 11 minutes.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
  vi.useRealTimers();
});

describe('view_submission is acknowledged within Slack’s 3 seconds', () => {
  it('a colleague who spent 11 minutes on the claim form submits while users.info is slow: answered in time, and not told it failed when the claim was filed', async () => {
    const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    vi.setSystemTime(Date.now() + 11 * 60_000);
    const release = h.fake.hold('users.info');
    setTimeout(release, 4_000);
    const res = await h.submit(USERS.sam, view, { account: 'soylent', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Soylent services', stage: 'qualified' });
    await new Promise((r) => setTimeout(r, 1_500));
    const filed = h.rt.store.claims.all().filter((c) => c.opportunity.name === 'Soylent services');
    const apologies = h.fake.callsTo('chat.postMessage').filter((c) => /something went wrong on our side/.test(visible(c.args)));
    // Bolt answers 404 once 3 s pass without an acknowledgement (Slack shows "trouble connecting"
    // in the modal): the submission is acknowledged with the outcome, once, and nobody is told it failed.
    expect({ status: res.status, filed: filed.length, apologies: apologies.length }).toEqual({ status: 200, filed: 1, apologies: 0 });
    expect(res.json()).toMatchObject({ response_action: 'update' });
  });

  it('the account typeahead of a form open for 11 minutes still answers while users.info is slow', async () => {
    await h.openForm(USERS.sam, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    vi.setSystemTime(Date.now() + 11 * 60_000);
    const release = h.fake.hold('users.info');
    try {
      const res = await h.send(blockSuggestion({ user: USERS.sam, actionId: SLACK_IDS.options.account, blockId: 'account', value: 'soylent' }));
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json())).toContain('Soylent Corp');
    } finally {
      release();
    }
  });
});
