import { createRequire } from 'node:module';
import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { unexpectedError } from '../../src/app/cli.js';
import { createLogger, createTextLogger, secretsOf } from '../../src/app/logger.js';
import { EXAMPLE_POLICY_PATH } from '../support/builders.js';
import { FakeConnector } from '../support/fake-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { flush, sink } from '../support/log-sink.js';

/**
 * Errors the HTTP clients throw on a real failure (a 500, a refusal, a connection refused),
 * against the loopback fakes, logged as the bot logs them (`{ err }`): the log holds what an
 * operator needs (message, code, status, the request's method and URL) and no credential,
 * however deep under the error the client kept its request.
 */

const BOT_TOKEN = 'xoxb-000000000000-111111111111-LOGTOKENabcdefghijklmn';
/** A Bot Framework access token, as login.microsoftonline.com gives one to the bot. */
const CONNECTOR_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const APP_PASSWORD = 'Qx8~appPasswordValue.NotARealOne_123';
const SIGNING_SECRET = 'f00dfacef00dfacef00dfacef00dface';
const APP_ID = '00000000-0000-4000-8000-0000000000aa';


/** Runs `fn`, which must throw, and returns what it threw. */
async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

/** botbuilder's own dependencies, as it loads them. */
const fromBotbuilder = createRequire(createRequire(import.meta.url).resolve('botbuilder'));

let connector: FakeConnector | null = null;
let slack: FakeSlack | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await connector?.stop();
  await slack?.close();
  connector = null;
  slack = null;
});

describe('an HTTP client’s error in the log', () => {
  it('axios (botbuilder’s HTTP client) answered 500 by the connector: status, code and request kept; its config, request and answer (with the bearer token) not', async () => {
    connector = await FakeConnector.start();
    connector.failNext(500);
    const axios = fromBotbuilder('axios') as { post: (url: string, body: unknown, o: unknown) => Promise<unknown> };
    const err = await thrown(() => axios.post(`${connector!.url}v3/conversations/a%3A1/activities`, { type: 'message', text: 'hi' }, { headers: { Authorization: `Bearer ${CONNECTOR_TOKEN}` } }));
    expect(connector.calls[0]!.authorization).toBe(`Bearer ${CONNECTOR_TOKEN}`); // the request did carry it
    const out = sink();
    createLogger('info', out.stream).error({ err }, 'could not post to Teams');
    await flush();
    expect(out.text()).not.toContain(CONNECTOR_TOKEN);
    const line = JSON.parse(out.text()) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'AxiosError', message: 'Request failed with status code 500', code: 'ERR_BAD_RESPONSE', status: 500, request: `POST ${connector.url}v3/conversations/a%3A1/activities` });
    expect(Object.keys(line.err)).not.toContain('config');
    expect(Object.keys(line.err)).not.toContain('response');
  });

  it('axios refused a connection (the connector down): the cause is kept, the request’s headers are not', async () => {
    connector = await FakeConnector.start();
    const url = connector.url;
    await connector.stop();
    connector = null;
    const axios = fromBotbuilder('axios') as { post: (url: string, body: unknown, o: unknown) => Promise<unknown> };
    const err = await thrown(() => axios.post(`${url}v3/conversations`, { isGroup: false }, { headers: { Authorization: `Bearer ${CONNECTOR_TOKEN}` } }));
    const out = sink();
    createLogger('info', out.stream).error({ err }, 'could not reach Teams');
    await flush();
    expect(out.text()).not.toContain(CONNECTOR_TOKEN);
    expect(JSON.parse(out.text())).toMatchObject({ err: { code: 'ECONNREFUSED', request: `POST ${url}v3/conversations` } });
  });

  it('Bot Framework’s connector client refused (403) with the bot’s token: the status and the request’s method and URL, no token', async () => {
    connector = await FakeConnector.start();
    const bc = fromBotbuilder('botframework-connector') as {
      AppCredentials: { prototype: { getToken: () => Promise<string> } };
      MicrosoftAppCredentials: new (id: string, password: string, tenant: string) => unknown;
      ConnectorClient: new (credentials: unknown, o: { baseUri: string }) => { conversations: { sendToConversation: (id: string, a: unknown) => Promise<unknown> } };
    };
    // The token service is login.microsoftonline.com: its answer is given here, the request to the connector is real.
    vi.spyOn(bc.AppCredentials.prototype, 'getToken').mockResolvedValue(CONNECTOR_TOKEN);
    const client = new bc.ConnectorClient(new bc.MicrosoftAppCredentials(APP_ID, APP_PASSWORD, 'tenant'), { baseUri: connector.url });
    connector.failNext(403);
    const err = await thrown(() => client.conversations.sendToConversation('a:1', { type: 'message', text: 'hi' }));
    expect(connector.calls[0]!.authorization).toBe(`Bearer ${CONNECTOR_TOKEN}`);
    const out = sink();
    createLogger('info', out.stream).error({ err }, 'could not post to Teams');
    await flush();
    for (const secret of [CONNECTOR_TOKEN, APP_PASSWORD]) expect(out.text()).not.toContain(secret);
    expect(JSON.parse(out.text())).toMatchObject({ err: { type: 'RestError', statusCode: 403, request: `POST ${connector.url}v3/conversations/a%3A1/activities` } });
  });

  it('Slack’s Web API answered 500: the status and code, not Slack’s whole answer (its headers, its body)', async () => {
    slack = await FakeSlack.start({ team: 'T0HOME' });
    slack.failNext(1, { status: 500 }, 'chat.postMessage');
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const err = await thrown(() => client.chat.postMessage({ channel: 'C1', text: 'hi' }));
    const out = sink();
    createLogger('info', out.stream).error({ err }, 'slack request failed');
    await flush();
    expect(out.text()).not.toContain(BOT_TOKEN);
    const line = JSON.parse(out.text()) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'WebAPIHTTPError', code: 'slack_webapi_http_error', statusCode: 500 });
    expect(Object.keys(line.err)).not.toContain('headers');
    expect(Object.keys(line.err)).not.toContain('body');
  });

  it('Slack refused a call: its error word stays', async () => {
    slack = await FakeSlack.start({ team: 'T0HOME' });
    slack.failNext(1, { error: 'missing_scope', more: { needed: 'chat:write', provided: 'commands' } }, 'chat.postMessage');
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const err = await thrown(() => client.chat.postMessage({ channel: 'C1', text: 'hi' }));
    const out = sink();
    createLogger('info', out.stream).error({ err }, 'slack request failed');
    await flush();
    expect(JSON.parse(out.text())).toMatchObject({ err: { code: 'slack_webapi_platform_error', data: { error: 'missing_scope', needed: 'chat:write', provided: 'commands' } } });
  });
});

describe('a secret quoted where no redaction path reaches', () => {
  const config = loadConfig({ DATABASE_PATH: ':memory:', ROE_POLICY: EXAMPLE_POLICY_PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TYPE: 'SingleTenant', MICROSOFT_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111' });
  const quoting = () => ({
    err: new Error(`the token service refused client_secret=${APP_PASSWORD} for ${BOT_TOKEN}`),
    deep: { a: { b: { c: { Authorization: `Bearer ${CONNECTOR_TOKEN}`, signing: SIGNING_SECRET } } } },
  });

  it('is blanked in the server’s JSON log: the configured secrets as they are, tokens by their shape', async () => {
    const out = sink();
    createLogger('info', out.stream, secretsOf(config)).error(quoting(), 'refused');
    await flush();
    for (const secret of [APP_PASSWORD, BOT_TOKEN, BOT_TOKEN.slice(5), CONNECTOR_TOKEN, SIGNING_SECRET]) expect(out.text()).not.toContain(secret);
    expect(JSON.parse(out.text())).toMatchObject({ msg: 'refused', err: { message: 'the token service refused client_secret=[redacted] for [redacted]' }, deep: { a: { b: { c: { Authorization: 'Bearer [redacted]', signing: '[redacted]' } } } } });
  });

  it('is blanked in a `roe` command’s text lines, at the debug level (with the stack)', async () => {
    const out = sink();
    createTextLogger('debug', out.stream, secretsOf(config)).error(quoting(), 'refused');
    await flush();
    expect(out.text()).toMatch(/^roe: error: refused\nError: the token service refused client_secret=\[redacted\] for \[redacted\]\n/);
    for (const secret of [APP_PASSWORD, BOT_TOKEN, CONNECTOR_TOKEN, SIGNING_SECRET]) expect(out.text()).not.toContain(secret);
  });
});

describe('an unexpected error that stops `roe` or `npm start`', () => {
  const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, MICROSOFT_APP_PASSWORD: APP_PASSWORD };
  const err = () => new Error(`sign-in refused: client_secret=${APP_PASSWORD}, signing secret ${SIGNING_SECRET}, Authorization: Bearer ${CONNECTOR_TOKEN}, token ${BOT_TOKEN}`);

  it('is one line without the secrets it quotes', () => {
    const line = unexpectedError(err(), env);
    expect(line).toBe('roe: unexpected error: Error: sign-in refused: client_secret=[redacted], signing secret [redacted], Authorization: Bearer [redacted], token [redacted] (LOG_LEVEL=debug shows the stack trace)');
  });

  it('nor with its stack trace (LOG_LEVEL=debug)', () => {
    const line = unexpectedError(err(), { ...env, LOG_LEVEL: 'debug' });
    expect(line).toMatch(/^roe: unexpected error: Error: sign-in refused: client_secret=\[redacted\]/);
    for (const secret of [APP_PASSWORD, SIGNING_SECRET, CONNECTOR_TOKEN, BOT_TOKEN]) expect(line).not.toContain(secret);
  });
});

describe('what only looks close to a credential', () => {
  it('is left as it is: a host name, the hint of a variable, Slack’s app settings', async () => {
    const out = sink();
    createLogger('info', out.stream).warn({ host: 'eyjafjallajokull.examplecompany.com' }, '.env: line 2 has no "=" and is ignored: write it SLACK_BOT_TOKEN=value (SLACK_BOT_TOKEN xoxb-…); see Basic Information → App-Level Tokens');
    await flush();
    expect(JSON.parse(out.text())).toMatchObject({ host: 'eyjafjallajokull.examplecompany.com', msg: '.env: line 2 has no "=" and is ignored: write it SLACK_BOT_TOKEN=value (SLACK_BOT_TOKEN xoxb-…); see Basic Information → App-Level Tokens' });
  });
});
