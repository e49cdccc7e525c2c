import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { serve, type PlatformHost, type Serving } from '../../src/app/serve.js';
import { createHttpServer } from '../../src/app/server.js';
import { createTeamsHost } from '../../src/app/teams.js';
import { TEAMS_IDS } from '../../handlers/platforms/teams/ids.js';
import { cardOf, FakeConnector, type ConnectorCall } from './fake-connector.js';
import { testRuntime, type TestRuntime } from './runtime.js';

/** The company's own tenant (MICROSOFT_APP_TENANT_ID in these tests) and the partners' (examples/partners.csv). */
export const TENANTS = {
  home: '11111111-1111-4111-8111-111111111111',
  northwind: '5b1f3c1e-0000-4000-8000-00000000a001',
  contoso: '5b1f3c1e-0000-4000-8000-00000000a002',
  stranger: '99999999-9999-4999-8999-999999999999',
} as const;

export const BOT = { id: '28:00000000-0000-4000-8000-0000000b0700', name: 'roe-bot' };

export interface TeamsUser {
  id: string;
  name: string;
  /** None for someone who joined a meeting anonymously (Teams sends no `from.aadObjectId` for them). */
  aadObjectId?: string;
  tenant: string;
}

/** People of the example policy (teams ids 29:…), a colleague not in it, partner users and a stranger. */
export const USERS = {
  sam: { id: '29:sam', name: 'Sam Patel', aadObjectId: 'a0000000-0000-4000-8000-000000000001', tenant: TENANTS.home },
  pat: { id: '29:pat', name: 'Pat Okafor', aadObjectId: 'a0000000-0000-4000-8000-000000000002', tenant: TENANTS.home },
  dana: { id: '29:dana', name: 'Dana Reyes', aadObjectId: 'a0000000-0000-4000-8000-000000000003', tenant: TENANTS.home },
  rep: { id: '29:riley', name: 'Riley Rep', aadObjectId: 'a0000000-0000-4000-8000-000000000004', tenant: TENANTS.home },
  northwind: { id: '29:nora', name: 'Nora Northwind', aadObjectId: 'b0000000-0000-4000-8000-000000000001', tenant: TENANTS.northwind },
  contoso: { id: '29:carl', name: 'Carl Contoso', aadObjectId: 'c0000000-0000-4000-8000-000000000001', tenant: TENANTS.contoso },
  stranger: { id: '29:xavier', name: 'Xavier Stranger', aadObjectId: 'd0000000-0000-4000-8000-000000000001', tenant: TENANTS.stranger },
} satisfies Record<string, TeamsUser>;

/** Where a message is typed: a 1:1 chat with the bot, a group chat, a meeting's chat (a group chat to the bot), or a channel thread. */
export type Scope = { kind: 'personal' } | { kind: 'groupChat' } | { kind: 'meeting' } | { kind: 'channel'; root?: string };

export const GROUP_CHAT = '19:group-chat-1@thread.v2';
export const MEETING_CHAT = '19:meeting_NjY2ZTk0YjUtYjA4NC00ZGJmLWI3ZWMtMTgzNWRhMWI1Yjc3@thread.v2';
export const CHANNEL = '19:shared-channel@thread.tacv2';
export const personalChat = (u: TeamsUser) => `a:1on1-${u.id.slice(3)}`;

let seq = 1000;
const nextId = () => String(++seq);

export type ActivityJson = Record<string, unknown>;

export function conversationOf(u: TeamsUser, scope: Scope): Record<string, unknown> {
  switch (scope.kind) {
    case 'personal':
      return { id: personalChat(u), conversationType: 'personal', tenantId: u.tenant, isGroup: false };
    case 'groupChat':
      return { id: GROUP_CHAT, conversationType: 'groupChat', tenantId: u.tenant, isGroup: true };
    case 'meeting':
      return { id: MEETING_CHAT, conversationType: 'groupChat', tenantId: u.tenant, isGroup: true };
    case 'channel':
      return { id: `${CHANNEL};messageid=${scope.root ?? '1700000000001'}`, conversationType: 'channel', tenantId: u.tenant, isGroup: true, name: 'Shared deals' };
  }
}

function base(u: TeamsUser, scope: Scope, serviceUrl: string): ActivityJson {
  return {
    id: nextId(),
    timestamp: '2026-11-30T15:00:00.000Z',
    serviceUrl,
    channelId: 'msteams',
    from: { id: u.id, name: u.name, ...(u.aadObjectId ? { aadObjectId: u.aadObjectId } : {}) },
    recipient: BOT,
    conversation: conversationOf(u, scope),
    locale: 'en-US',
    channelData: {
      tenant: { id: u.tenant },
      ...(scope.kind === 'meeting' ? { meeting: { id: 'MCMxOTptZWV0aW5nX05qWTJaVGswWWpVdFlqQTROQzAwWkdKbUxXSTNaV010TVRnek5XUmhNV0kxWWpjM0B0aHJlYWQudjIjMA==' } } : {}),
      ...(scope.kind === 'channel' ? { teamsChannelId: CHANNEL, teamsTeamId: '19:team@thread.tacv2', channel: { id: CHANNEL }, team: { id: '19:team@thread.tacv2' } } : {}),
    },
  };
}

/** A message typed to the bot; in a group chat or channel it starts with the bot's @mention, as Teams sends it. */
export function messageActivity(u: TeamsUser, text: string, scope: Scope, serviceUrl: string): ActivityJson {
  const mention = scope.kind !== 'personal';
  return {
    ...base(u, scope, serviceUrl),
    type: 'message',
    textFormat: 'plain',
    text: mention ? `<at>${BOT.name}</at> ${text}` : text,
    entities: mention ? [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }, { type: 'clientInfo', locale: 'en-US' }] : [{ type: 'clientInfo', locale: 'en-US' }],
  };
}

/** An Action.Execute click (`adaptiveCard/action` invoke). */
export function invokeActivity(u: TeamsUser, verb: string, data: Record<string, unknown>, scope: Scope, serviceUrl: string, replyToId = 'activity-1'): ActivityJson {
  return { ...base(u, scope, serviceUrl), type: 'invoke', name: TEAMS_IDS.invoke.adaptiveCardAction, replyToId, value: { action: { type: 'Action.Execute', id: 'button', verb, data }, trigger: 'manual' } };
}

/** An Action.Submit click (clients without Universal Actions): a message whose value carries the data and the verb. */
export function submitActivity(u: TeamsUser, value: Record<string, unknown>, scope: Scope, serviceUrl: string, replyToId = 'activity-1'): ActivityJson {
  return { ...base(u, scope, serviceUrl), type: 'message', replyToId, value, text: '' };
}

/** The bot installed (added to a conversation by `u`). */
export function installActivity(u: TeamsUser, scope: Scope, serviceUrl: string): ActivityJson {
  return { ...base(u, scope, serviceUrl), type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] };
}

export interface PostResult {
  status: number;
  body: unknown;
}

export interface TeamsHarness {
  rt: TestRuntime;
  connector: FakeConnector;
  host: PlatformHost;
  url: string;
  post(activity: ActivityJson, headers?: Record<string, string>): Promise<PostResult>;
  /** Types `text` to the bot; returns the card of the bot's answer in that conversation. */
  say(u: TeamsUser, text: string, scope?: Scope): Promise<Record<string, unknown>>;
  /** Clicks an Action.Execute; returns the card of the invoke response (what replaces the card). */
  click(u: TeamsUser, verb: string, data: Record<string, unknown>, scope?: Scope): Promise<Record<string, unknown>>;
  /** Delivers the outbox with the Teams deliverer; returns how many were delivered. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The Teams endpoint on loopback, with the fake connector as every activity's `serviceUrl`.
 * `serve: true` runs the whole server (`serve`, with its outbox worker); by default the same
 * routes run without the worker so that tests deliver the outbox themselves with `drain`.
 */
export async function startTeams(o: { env?: Record<string, string>; serve?: boolean; policyPath?: string; deliveryTimeoutMs?: number; databasePath?: string } = {}): Promise<TeamsHarness> {
  const connector = await FakeConnector.start();
  // Teams' roster places each member in their own tenant (tests may say otherwise, or leave one out).
  for (const u of Object.values(USERS)) connector.memberTenants.set(u.id, u.tenant);
  const rt = testRuntime({ env: { MICROSOFT_APP_TENANT_ID: TENANTS.home, ...o.env }, ...(o.policyPath ? { policyPath: o.policyPath } : {}), ...(o.databasePath ? { databasePath: o.databasePath } : {}) });
  const host = createTeamsHost(rt, o.deliveryTimeoutMs ? { deliveryTimeoutMs: o.deliveryTimeoutMs } : {});
  let serving: Serving | null = null;
  let server: Server | null = null;
  let port: number;
  if (o.serve) {
    serving = await serve(rt, [host], 0);
    port = serving.port;
  } else {
    server = createHttpServer({ ...host.routes }, rt.logger);
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  }
  const url = `http://127.0.0.1:${port}`;

  const post = async (activity: ActivityJson, headers: Record<string, string> = {}): Promise<PostResult> => {
    const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };

  const lastMessageIn = (conversationId: string, after: number): ConnectorCall => {
    const calls = connector.calls.slice(after).filter((c) => (c.kind === 'reply' || c.kind === 'send') && c.conversationId === conversationId);
    const last = calls.at(-1);
    if (!last) throw new Error(`the bot posted nothing in ${conversationId}; calls: ${JSON.stringify(connector.calls.slice(after).map((c) => `${c.method} ${c.path}`))}`);
    return last;
  };

  return {
    rt,
    connector,
    host,
    url,
    post,
    async say(u, text, scope = { kind: 'personal' }) {
      const before = connector.calls.length;
      const activity = messageActivity(u, text, scope, connector.url);
      const res = await post(activity);
      if (res.status !== 200) throw new Error(`POST /api/messages answered ${res.status}: ${JSON.stringify(res.body)}`);
      return cardOf(lastMessageIn((activity.conversation as { id: string }).id, before));
    },
    async click(u, verb, data, scope = { kind: 'personal' }) {
      const res = await post(invokeActivity(u, verb, data, scope, connector.url));
      const body = res.body as { statusCode?: number; type?: string; value?: Record<string, unknown> } | null;
      if (res.status !== 200 || body?.type !== TEAMS_IDS.contentTypes.card || !body.value) throw new Error(`invoke answered ${res.status}: ${JSON.stringify(res.body)}`);
      return body.value;
    },
    drain: () => drainOutbox(rt.db.db, { teams: host.deliver }, () => rt.clock.now(), rt.logger),
    async stop() {
      if (serving) await serving.stop();
      if (server) await new Promise<void>((ok) => server!.close(() => ok()));
      await connector.stop();
      rt.close();
    },
  };
}
