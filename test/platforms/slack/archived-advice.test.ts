import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHARED_CHANNEL, startSlack, USERS, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const textOf = (args: Record<string, unknown>) => JSON.stringify(args.blocks ?? []);

describe('Slack: a dispute channel archived since', () => {
  it('the raiser’s DM does not tell them to invite the bot into the archived channel (impossible), promising the next updates go there', async () => {
    const nw = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, nw, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' });
    await h.drain();
    const co = await h.openForm(USERS.contoso, '/claim', '', SHARED_CHANNEL);
    await h.submit(USERS.contoso, co, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
    const before = h.fake.callsTo('chat.postMessage').length;
    h.fake.failNext(1, { error: 'is_archived' }, 'chat.postMessage');
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').slice(before).find((c) => textOf(c.args).includes('I could not post this update'));
    expect(dm).toBeDefined();
    expect(textOf(dm!.args)).not.toMatch(/invite me there and the next updates go to the channel/);
    expect(textOf(dm!.args)).toMatch(/that channel is archived, so the updates come here instead/);
  });
});
