import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

describe('Slack: a "Loading…" modal closed by the user before it is filled in', () => {
  it('the user who cancelled is not sent "Sorry, something went wrong on our side" (views.update: not_found)', async () => {
    const release = h.fake.hold('users.info');
    const { responseUrl } = await h.command(USERS.sam, SLACK_IDS.commands.claim, 'soylent', { channel: SHARED_CHANNEL });
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'views.open (Loading…)');
    // The user pressed Cancel on "Loading…": Slack no longer knows the view.
    h.fake.failNext(1, { error: 'not_found' }, 'views.update');
    release();
    await h.fake.waitFor(() => h.fake.callsTo('views.update')[0], 'views.update');
    await new Promise((r) => setTimeout(r, 500));
    const told = h.fake.responsesTo(responseUrl).map((r) => visible(r.body as Record<string, unknown>));
    const posted = [...h.fake.callsTo('chat.postEphemeral'), ...h.fake.callsTo('chat.postMessage')].map((c) => visible(c.args));
    expect([...told, ...posted].join('\n')).not.toMatch(/something went wrong/);
  });
});
