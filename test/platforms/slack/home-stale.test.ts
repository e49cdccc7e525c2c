import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { appHomeOpened } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});
const published = () => h.fake.callsTo('views.publish');

describe('App Home: a stale button', () => {
  it('"Log activity" on a claim that expired since the page was published: the Home tab shows why and is brought up to date (not only a DM in the Messages tab)', async () => {
    await h.send(appHomeOpened({ user: USERS.northwind.id }));
    const home = await h.fake.waitFor(() => published()[0], 'the first home');
    const button = (home.args.view as { blocks: { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[] }).blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text.text.startsWith('Log activity'))!;
    h.rt.clock.advance(200 * 86_400_000); // the claim has expired meanwhile
    await h.click(USERS.northwind, button.action_id, button.value, { inHome: true });
    await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage')[0] ?? published()[1], 'an answer');
    await new Promise((r) => setTimeout(r, 300));
    expect(published()).toHaveLength(2);
    const page = visible(published()[1]!.args.view);
    expect(page).toMatch(/Claim #\d+ is expired/);
    expect(page).not.toMatch(/Log activity/);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
