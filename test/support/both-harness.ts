/** Slack and Teams served by one runtime (as `roe serve` with both configured), each with its fake. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { createHttpServer } from '../../src/app/server.js';
import { createSlackHost } from '../../src/app/slack.js';
import { createTeamsHost } from '../../src/app/teams.js';
import { FakeSlack } from './fake-slack.js';
import { cardOf, FakeConnector } from './fake-connector.js';
import { testRuntime, type TestRuntime } from './runtime.js';
import { BOT_TOKEN, SIGNING_SECRET, USERS as SLACK_USERS } from './slack-harness.js';
import { blockActions, sendSigned, slashCommand, viewSubmission, WORKSPACE, type OpenedView, type SlackUser } from './slack-requests.js';
import { invokeActivity, messageActivity, TENANTS, USERS as TEAMS_USERS, type Scope, type TeamsUser } from './teams-harness.js';
import type { PlatformHost } from '../../src/app/serve.js';

export { SLACK_USERS, TEAMS_USERS, TENANTS };

export interface XHarness {
  rt: TestRuntime;
  fake: FakeSlack;
  connector: FakeConnector;
  slack: PlatformHost;
  teams: PlatformHost;
  slackCommand(user: SlackUser, command: string, text?: string, channel?: string): Promise<Record<string, unknown>>;
  openForm(user: SlackUser, command: string, text?: string, channel?: string): Promise<OpenedView>;
  submit(user: SlackUser, view: OpenedView, values: Record<string, string>): Promise<unknown>;
  slackClick(user: SlackUser, actionId: string, value: string, o?: { channel?: string; messageTs?: string }): Promise<unknown>;
  say(u: TeamsUser, text: string, scope?: Scope): Promise<Record<string, unknown>>;
  click(u: TeamsUser, verb: string, data: Record<string, unknown>, scope?: Scope): Promise<Record<string, unknown>>;
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function startBoth(o: { policyPath?: string; env?: Record<string, string> } = {}): Promise<XHarness> {
  const fake = await FakeSlack.start({ team: WORKSPACE.team, users: Object.values(SLACK_USERS).map((u) => ({ id: u.id, team_id: u.team, name: u.name })) });
  const connector = await FakeConnector.start();
  for (const u of Object.values(TEAMS_USERS)) connector.memberTenants.set(u.id, u.tenant);
  const rt = testRuntime({ env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, MICROSOFT_APP_TENANT_ID: TENANTS.home, ...o.env }, ...(o.policyPath ? { policyPath: o.policyPath } : {}) });
  // Both served, as `roe serve` with MICROSOFT_APP_ID set (which these fakes do without).
  rt.deps.platforms = ['slack', 'teams'];
  const slack = createSlackHost(rt, { clientOptions: { retryConfig: { retries: 0 } } });
  const teams = createTeamsHost(rt);
  const server: Server = createHttpServer({ ...slack.routes, ...teams.routes }, rt.logger);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  await slack.start?.();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (req: Parameters<typeof sendSigned>[1]) => sendSigned(`${base}/slack/events`, req, { secret: SIGNING_SECRET });
  const post = async (activity: Record<string, unknown>) => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const h: XHarness = {
    rt,
    fake,
    connector,
    slack,
    teams,
    async slackCommand(user, command, text = '', channel) {
      const responseUrl = fake.responseUrl();
      const res = await send(slashCommand({ command, text, user, responseUrl, ...(channel ? { channel } : {}) }));
      if (res.status !== 200) throw new Error(`${command}: ${res.status}`);
      if (res.text && res.text !== '') {
        try {
          const j = JSON.parse(res.text) as Record<string, unknown>;
          if (j.blocks || j.text) return j;
        } catch {}
      }
      const [first] = await fake.waitFor(() => (fake.responsesTo(responseUrl).length > 0 ? fake.responsesTo(responseUrl) : undefined), 'answer');
      return first!.body;
    },
    async openForm(user, command, text = '', channel) {
      const before = fake.callsTo('views.open').length;
      const responseUrl = fake.responseUrl();
      await send(slashCommand({ command, text, user, responseUrl, ...(channel ? { channel } : {}) }));
      await fake.waitFor(() => fake.callsTo('views.open').length > before, 'views.open');
      const call = fake.callsTo('views.open')[before]!;
      return { ...(call.args.view as Omit<OpenedView, 'id'>), id: `VX${before}` };
    },
    async submit(user, view, values) {
      const r = await send(viewSubmission({ user, view, values }));
      return r.text ? JSON.parse(r.text) : null;
    },
    async slackClick(user, actionId, value, opts = {}) {
      const responseUrl = fake.responseUrl();
      const r = await send(blockActions({ user, actionId, value, responseUrl, ...opts }));
      return { status: r.status, text: r.text, responseUrl };
    },
    async say(u, text, scope = { kind: 'personal' }) {
      const before = connector.calls.length;
      const activity = messageActivity(u, text, scope, connector.url);
      const res = await post(activity);
      if (res.status !== 200) throw new Error(`teams ${res.status}`);
      const conv = (activity.conversation as { id: string }).id;
      const calls = connector.calls.slice(before).filter((c) => (c.kind === 'reply' || c.kind === 'send') && c.conversationId === conv);
      return cardOf(calls.at(-1));
    },
    async click(u, verb, data, scope = { kind: 'personal' }) {
      const res = await post(invokeActivity(u, verb, data, scope, connector.url));
      const body = res.body as { value?: Record<string, unknown> };
      if (res.status !== 200 || !body?.value) throw new Error(`invoke ${res.status} ${JSON.stringify(res.body)}`);
      return body.value;
    },
    drain: () => drainOutbox(rt.db.db, { slack: slack.deliver, teams: teams.deliver }, () => rt.clock.now(), rt.logger),
    async close() {
      await slack.stop?.();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await fake.close();
      await connector.stop();
      rt.close();
    },
  };
  return h;
}
