import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, type Harness } from '../../support/slack-harness.js';
import { messageAction } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

describe('"Dispute ownership": the message quoted as evidence', () => {
  it('keeps the address of a link in the message (the CRM opportunity), not only its label', async () => {
    // As Slack sends a message with a labelled link: <url|label>.
    const text = 'Registered in our CRM: <https://crm.example.com/opp/4711|opportunity 4711>';
    await h.send(messageAction({ user: USERS.northwind, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message: { ts: '1764000100.000200', user: USERS.contoso.id, text }, responseUrl: h.fake.responseUrl() }));
    const open = await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'views.open');
    const evidence = (open.args.view as { blocks: { block_id?: string; element?: { initial_value?: string } }[] }).blocks.find((b) => b.block_id === 'evidence')!.element!.initial_value!;
    expect(evidence).toContain('"Registered in our CRM: opportunity 4711 (https://crm.example.com/opp/4711)"');
  });
});
