/**
 * What a sales rep types to roe-bot in Teams in their first month, through the real botbuilder
 * adapter: an account's name alone, in their 1:1 chat with the bot, as they would to a colleague.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS } from '../../../handlers/replies/model.js';
import { executeOf, readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

describe("an account's name typed to the bot without a command", () => {
  it.each(['acme', 'Acme Corporation'])('%j is pointed to who-owns, with the account to open, above the help', async (typed) => {
    const card = await h.say(USERS.rep, typed, { kind: 'personal' });
    const text = readCard(card);
    expect(text).toContain(`Unknown command "${typed.split(' ')[0]!.toLowerCase()}". To see who owns Acme Corporation, type who-owns Acme Corporation, or open it here:`);
    expect(text).toContain('who-owns <name, alias or domain>');
    const open = executeOf(card, TEAMS_IDS.actions[ACTIONS.pickAccount]);
    expect(open.data).toMatchObject({ value: 'acme' });
    const answer = readCard(await h.click(USERS.rep, open.verb, open.data, { kind: 'personal' }));
    expect(answer).toContain('Northwind Partners (First registration)');
  });

  it('words that name no account get the help as before', async () => {
    const text = readCard(await h.say(USERS.rep, 'hello there', { kind: 'personal' }));
    expect(text).toContain('Unknown command "hello". Here is what I can do:');
    expect(text).not.toContain('To see who owns');
  });
});

describe('a command written with a colon after it', () => {
  it.each(['who-owns: acme', 'Who-owns:acme'])('%j is the command', async (typed) => {
    const text = readCard(await h.say(USERS.rep, typed, { kind: 'personal' }));
    expect(text).toContain('Northwind Partners (First registration)');
    expect(text).not.toContain('Unknown command');
  });
});

describe('who-owns with a colleague @mentioned in it', () => {
  it('looks up the account, not the colleague\'s name with it, in a channel and in a 1:1 chat', async () => {
    for (const scope of [{ kind: 'channel' }, { kind: 'personal' }] as const) {
      const shown = await h.say(USERS.rep, 'who-owns acme <at>Sam Patel</at>', scope);
      // In a channel the answer is the card's refresh, for the asker alone.
      const card = scope.kind === 'channel' ? await h.click(USERS.rep, TEAMS_IDS.refresh.privateAnswer, executeOf(shown, TEAMS_IDS.refresh.privateAnswer).data, scope) : shown;
      const text = readCard(card);
      expect(text).toContain('Northwind Partners (First registration)');
      expect(text).not.toContain('No account matches');
    }
  });
});
