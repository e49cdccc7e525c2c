import { createRequire } from 'node:module';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messageActivity, startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

/** A bearer token as a client sends it: it must never reach the log. */
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLWJvZHk.c2lnbmF0dXJl';

/** botframework-connector's AuthenticationError, as botbuilder throws it (a 401). */
const { AuthenticationError } = createRequire(createRequire(import.meta.url).resolve('botbuilder'))('botframework-connector') as { AuthenticationError: new (message: string, statusCode: number) => Error };

/**
 * What botbuilder's CloudAdapter does before a turn exists (authenticating the request, the
 * connector's credentials) fails here as it would on a real outage: a spy on the authentication
 * object the adapter asks. onTurnError never sees such a failure.
 */
describe('the Bot Framework adapter failing outside a turn', () => {
  let h: TeamsHarness;
  afterEach(async () => {
    vi.restoreAllMocks();
    await h.stop();
  });

  it('is one error line in the bot’s log (not the console), without the token, and the request gets a 500 saying nothing of the cause', async () => {
    h = await startTeams();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'createUserTokenClient').mockRejectedValueOnce(new Error(`AADSTS7000215: could not get a token for the connector (sent with Bearer ${TOKEN})`));
    const before = h.rt.logs.lines.length;
    const res = await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url), { authorization: `Bearer ${TOKEN}` });
    expect(res).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(consoleError).not.toHaveBeenCalled();
    const lines = h.rt.logs.lines.slice(before);
    const failed = lines.filter((l) => l.includes('teams request failed in the Bot Framework adapter, outside the turn'));
    expect(failed).toHaveLength(1);
    const line = JSON.parse(failed[0]!) as { level: number; platform: string; err: { message: string }; activity: { type: string } };
    expect(line).toMatchObject({ level: 50, platform: 'teams', activity: { type: 'message' } });
    expect(line.err.message).toContain('AADSTS7000215: could not get a token for the connector');
    expect(lines.join('\n')).not.toContain(TOKEN);
    // the turn never ran: nothing was answered in the chat; the next request is served
    expect(h.connector.calls).toEqual([]);
    expect((await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url))).status).toBe(200);
  });

  it('a 401 refusing the bot’s own credentials (the connector’s token service), not the request’s, is a 500 and an error line, as botbuilder tells them apart', async () => {
    h = await startTeams();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'createUserTokenClient').mockRejectedValueOnce(Object.assign(new Error('the token service refused the bot’s app password'), { statusCode: 401 }));
    const res = await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url), { authorization: `Bearer ${TOKEN}` });
    expect(res).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(h.rt.logs.lines.filter((l) => l.includes('teams request failed in the Bot Framework adapter, outside the turn'))).toHaveLength(1);
    expect(h.rt.logs.lines.filter((l) => l.includes('teams request refused by the Bot Framework adapter'))).toHaveLength(0);
  });

  it('refusing the token is a warning in the bot’s log and a 401 in the bot’s words', async () => {
    h = await startTeams();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'authenticateRequest').mockRejectedValueOnce(new AuthenticationError('Unauthorized. Invalid AppId passed on token', 401));
    const res = await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url), { authorization: `Bearer ${TOKEN}` });
    expect(res).toEqual({ status: 401, body: { error: 'unauthorized: Bot Framework’s token is missing or not valid' } });
    expect(consoleError).not.toHaveBeenCalled();
    const refused = h.rt.logs.lines.filter((l) => l.includes('teams request refused by the Bot Framework adapter'));
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!)).toMatchObject({ level: 40, status: 401, err: { message: 'Unauthorized. Invalid AppId passed on token' } });
    expect(h.rt.logs.lines.join('\n')).not.toContain(TOKEN);
    expect(h.connector.calls).toEqual([]);
  });
});
