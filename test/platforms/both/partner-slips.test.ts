/**
 * A partner's manager (Northwind, in a Slack Connect channel) and their colleague (Northwind's
 * Teams tenant) slip on a number or a command word: each answer says what went wrong and what to
 * type instead, in the words of their platform, and tells them nothing of another party's claims.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';
import { readCard } from '../../support/fake-connector.js';
import { SHARED_CHANNEL, visible } from '../../support/slack-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

/** Contoso's live claim on Soylent, filed from the shared channel. */
async function contosoClaim(): Promise<number> {
  const form = await h.openForm(SLACK_USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.contoso, form, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent BI', stage: 'proposal' });
  await h.drain();
  return h.rt.store.claims.all().find((c) => c.claimant === 'contoso' && c.accountId === 'soylent')!.id;
}

describe('/roe activity N with a number that is not one of theirs', () => {
  it('Slack: a mistyped number and another party’s claim read alike, and say where their own numbers are', async () => {
    h = await startBoth();
    const theirs = await contosoClaim();
    const missing = visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'activity 999', SHARED_CHANNEL));
    expect(missing).toContain('Claim #999 is not one of your organisation’s claims. /roe mine lists yours, with their numbers.');
    expect(missing).not.toContain('only for your own organisation');
    const other = visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', `activity ${theirs}`, SHARED_CHANNEL));
    expect(other).toBe(missing.replaceAll('#999', `#${theirs}`));
    expect(h.rt.store.claims.get(theirs)!.lastActivityAt).toEqual(h.rt.store.claims.get(theirs)!.registeredAt);
  });

  it('Teams: the same, naming the command as typed there', async () => {
    h = await startBoth();
    const theirs = await contosoClaim();
    const missing = readCard(await h.say(TEAMS_USERS.northwind, 'roe activity 999'));
    expect(missing).toContain('Claim #999 is not one of your organisation’s claims. roe mine lists yours, with their numbers.');
    expect(readCard(await h.say(TEAMS_USERS.northwind, `roe activity ${theirs}`))).toBe(missing.replaceAll('#999', `#${theirs}`));
  });
});

describe('a command word mistyped, or one that does not exist', () => {
  it('Slack: /roe minee is answered with the command it is close to', async () => {
    h = await startBoth();
    const seen = visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'minee', SHARED_CHANNEL));
    expect(seen).toContain('Unknown command "minee" (did you mean /roe mine?). Here is what I can do:');
  });

  it('Teams: who-own and stast typed to the bot are answered with the command they are close to', async () => {
    h = await startBoth();
    expect(readCard(await h.say(TEAMS_USERS.northwind, 'who-own soylent'))).toContain('Unknown command "who-own" (did you mean who-owns?).');
    expect(readCard(await h.say(TEAMS_USERS.northwind, 'roe stast'))).toContain('Unknown command "stast" (did you mean roe stats?).');
  });

  it('answer typed as a command says how an arbitrator’s question is answered', async () => {
    h = await startBoth();
    const teams = readCard(await h.say(TEAMS_USERS.northwind, 'answer 1 We met them in March'));
    expect(teams).toContain('There is no answer command: an arbitrator’s question comes to your chat with me with an Answer button, and only the arbitrator reads your answer.');
    const slack = visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'answer 1', SHARED_CHANNEL));
    expect(slack).toContain('There is no answer command: an arbitrator’s question comes to your chat with me with an Answer button, and only the arbitrator reads your answer.');
  });

  it('a word near no command gets the help as before', async () => {
    h = await startBoth();
    const seen = visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'zzz', SHARED_CHANNEL));
    expect(seen).toContain('Unknown command "zzz". Here is what I can do:');
  });
});
