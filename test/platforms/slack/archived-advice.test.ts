import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, sharedChannelDispute, startSlack } from '../../support/slack-harness.js';

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
    await sharedChannelDispute(h);
    const before = h.fake.callsTo('chat.postMessage').length;
    h.fake.failNext(1, { error: 'is_archived' }, 'chat.postMessage');
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').slice(before).find((c) => textOf(c.args).includes('I could not post this update'));
    expect(dm).toBeDefined();
    expect(textOf(dm!.args)).not.toMatch(/invite me there and the next updates go to the channel/);
    expect(textOf(dm!.args)).toMatch(/that channel is archived, so the updates come here instead/);
  });
});
