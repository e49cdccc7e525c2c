import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { startSlack, USERS, textsIn, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

/** Text a person typed, quoted back in mrkdwn: its * _ ~ ` must not become bold, italics, strike-through or code. */
const FORMATTED = /(^|[\s"])[*_~`][^*_~`\s][^*_~`]*[*_~`]($|[\s".])/;

describe('what a person typed, quoted back in mrkdwn, shows as typed', () => {
  it('/who-owns *acme* _x_ ~y~: "No account matches …" does not turn the search into bold, italics and strike-through', async () => {
    const { res } = await h.command(USERS.sam, SLACK_IDS.commands.whoOwns, '*acme* _x_ ~y~');
    // What the asker sees (the blocks; the fallback text is for notifications): quoted as typed, in plain text.
    const shown = textsIn((res.json() as { blocks: unknown[] }).blocks).filter((t) => t.text.includes('acme*'));
    expect(shown.length).toBeGreaterThan(0);
    for (const t of shown) expect(t.type === 'plain_text' || !FORMATTED.test(t.text)).toBe(true);
    expect(shown.map((t) => t.text).join('\n')).toContain('"*acme* _x_ ~y~"');
  });

  it('/claim *Initech* (no such account): the form’s intro quotes the text without formatting it', async () => {
    const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim, '*nosuch* `corp`');
    const intro = textsIn(view.blocks).find((t) => t.text.includes('nosuch'))!;
    expect(intro).toBeDefined();
    expect(intro.type === 'plain_text' || !FORMATTED.test(intro.text)).toBe(true);
    expect(intro.text).toContain('*nosuch* `corp`');
  });
});
