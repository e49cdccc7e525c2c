import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { serve, type Serving } from '../../src/app/serve.js';
import { createSlackHost } from '../../src/app/slack.js';
import { createTeamsHost } from '../../src/app/teams.js';
import { ROOT } from '../support/builders.js';
import { FakeSlack } from '../support/fake-slack.js';
import { sendSigned, slashCommand, WORKSPACE } from '../support/slack-requests.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-123456789012-123456789012-SECRETbotTOKENvalue99',
  SLACK_SIGNING_SECRET: 'signing-secret-SECRET-0123456789abcdef',
  MICROSOFT_APP_ID: '00000000-0000-4000-8000-00000000a11d',
  MICROSOFT_APP_PASSWORD: 'app-password-SECRET-~.-_0123456789',
};

let rt: TestRuntime;
let fake: FakeSlack;
let serving: Serving;
beforeAll(async () => {
  fake = await FakeSlack.start({ team: WORKSPACE.team });
  rt = testRuntime({ env: { ...SECRETS, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'trace' } });
  serving = await serve(rt, [createSlackHost(rt, { clientOptions: { retryConfig: { retries: 0 } } }), createTeamsHost(rt)], 0);
});
afterAll(async () => {
  await serving.stop();
  await fake.close();
  rt.close();
});

describe('no secret ever in a log line', () => {
  it('serving Slack and Teams at trace level: requests, refusals and failures log no token, secret or password', async () => {
    const url = `http://127.0.0.1:${serving.port}`;
    const slack = `${url}/slack/events`;
    const user = { id: 'U0SAM', name: 'sam', team: WORKSPACE.team };
    await sendSigned(slack, slashCommand({ command: '/who-owns', text: 'acme', user, responseUrl: `${fake.apiUrl}response/1` }), { secret: SECRETS.SLACK_SIGNING_SECRET });
    await sendSigned(slack, slashCommand({ command: '/roe', text: 'stats', user, responseUrl: `${fake.apiUrl}response/2` }), { secret: 'wrong-secret' });
    await sendSigned(slack, { body: 'payload=null', contentType: 'application/x-www-form-urlencoded' }, { secret: SECRETS.SLACK_SIGNING_SECRET });
    const teams = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.MICROSOFT_APP_PASSWORD}` }, body: JSON.stringify({ type: 'message', text: 'roe help', serviceUrl: 'http://127.0.0.1:9/', from: { id: '29:x' }, recipient: { id: '28:bot' }, conversation: { id: 'a:1' }, channelId: 'msteams' }) });
    expect(teams.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(rt.logs.lines.length).toBeGreaterThan(5);
    const all = rt.logs.lines.join('\n');
    for (const [name, secret] of Object.entries(SECRETS).filter(([k]) => k !== 'MICROSOFT_APP_ID')) {
      expect(all.includes(secret), `${name} appears in the logs`).toBe(false);
    }
  });

  it('a bad configuration names the variable but never prints a secret value', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { cwd: ROOT, encoding: 'utf8', input: '', env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'not-a-bot-token-SECRET', SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN: must be a bot token starting with xoxb-');
    expect(r.stderr + r.stdout).not.toContain('SECRET');
    expect(() => loadConfig({ MICROSOFT_APP_ID: SECRETS.MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD: '' })).toThrow(/MICROSOFT_APP_PASSWORD: is required/);
  });
});
