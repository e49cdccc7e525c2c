import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, textsIn, type Harness } from '../../support/slack-harness.js';
import { messageAction } from '../../support/slack-requests.js';

/**
 * Slack's trigger_id is good for 3 seconds: a modal must open by then, even while Slack is slow
 * on a lookup the form needs (users.info, chat.getPermalink). It opens as "Loading…" and is
 * filled in once the lookup answers.
 */
let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const texts = (view: unknown) => textsIn((view as { blocks: unknown[] }).blocks).map((t) => t.text);

describe('a modal opens while Slack is slow on a lookup, then shows the form', () => {
  it('/claim by a colleague not looked up yet while users.info does not answer', async () => {
    const release = h.fake.hold('users.info');
    const { res } = await h.command(USERS.sam, SLACK_IDS.commands.claim, 'soylent', { channel: SHARED_CHANNEL });
    expect(res.status).toBe(200);
    // Opened while users.info is still unanswered: "Loading…".
    const opened = await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'views.open');
    expect(h.fake.callsTo('users.info').every((c) => c.result.ok === undefined)).toBe(true);
    expect(texts(opened.args.view)).toEqual(['Loading…']);
    release();
    const updated = await h.fake.waitFor(() => h.fake.callsTo('views.update')[0], 'views.update');
    expect(updated.args.view_id).toBe((opened.result.view as { id: string }).id);
    expect((updated.args.view as { callback_id?: string }).callback_id).toBe(SLACK_IDS.views.claim);
    expect(JSON.stringify(updated.args.view)).toContain('Soylent Corp');
  });

  it('"Dispute ownership" while chat.getPermalink does not answer: the form opens naming the message by channel and time', async () => {
    // Sam is looked up first, so only the permalink is slow.
    await h.command(USERS.sam, SLACK_IDS.commands.roe, 'help');
    await h.fake.waitFor(() => h.fake.callsTo('users.info').length > 0, 'users.info');
    const release = h.fake.hold('chat.getPermalink');
    try {
      const res = await h.send(messageAction({ user: USERS.sam, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message: { ts: '1764000100.000200', user: USERS.northwind.id, text: 'acme is ours' }, responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(200);
      const opened = await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'views.open');
      expect((opened.args.view as { callback_id?: string }).callback_id).toBe(SLACK_IDS.views.dispute);
      const evidence = (opened.args.view as { blocks: { block_id?: string; element?: { initial_value?: string } }[] }).blocks.find((b) => b.block_id === 'evidence')!.element!.initial_value!;
      expect(evidence).toContain(`Raised from this message: ${SHARED_CHANNEL}/1764000100.000200`);
      expect(evidence).toContain('"acme is ours"');
    } finally {
      release();
    }
  });
});
