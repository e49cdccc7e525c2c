import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { createHttpServer } from '../../src/app/server.js';
import { createSlackHost } from '../../src/app/slack.js';
import type { PlatformHost } from '../../src/app/serve.js';
import type { Dispute } from '../../src/core/types.js';
import { FakeSlack, type ApiCall, type FakeSlackUser } from './fake-slack.js';
import { testRuntime, type TestRuntime } from './runtime.js';
import {
  blockActions,
  sendSigned,
  slashCommand,
  viewSubmission,
  WORKSPACE,
  type OpenedView,
  type Workspace,
  type SendOptions,
  type SlackRequest,
  type SlackResponse,
  type SlackUser,
} from './slack-requests.js';

export const BOT_TOKEN = 'xoxb-000000000000-111111111111-TESTTOKENabcdefghijklmno';
export const SIGNING_SECRET = 'f00dfacef00dfacef00dfacef00dface';

/** People of the example policy (home workspace), partner users (Slack Connect) and a stranger. */
export const USERS = {
  dana: { id: 'U0DANA', name: 'dana', team: WORKSPACE.team },
  pat: { id: 'U0PAT', name: 'pat', team: WORKSPACE.team },
  vp: { id: 'U0VP', name: 'morgan', team: WORKSPACE.team },
  sam: { id: 'U0SAM', name: 'sam', team: WORKSPACE.team },
  /** A colleague in the home workspace who is not named in the policy. */
  rep: { id: 'U0REP', name: 'riley', team: WORKSPACE.team },
  northwind: { id: 'U0NW1', name: 'nora.northwind', team: 'T0NORTHWIND' },
  contoso: { id: 'U0CO1', name: 'carl.contoso', team: 'T0CONTOSO' },
  stranger: { id: 'U0XX1', name: 'xavier', team: 'T0STRANGER' },
} satisfies Record<string, SlackUser>;

const directory: FakeSlackUser[] = Object.values(USERS).map((u) => ({ id: u.id, team_id: u.team, name: u.name }));

/** The shared channel where partners and reps work together. */
export const SHARED_CHANNEL = 'C0SHARED';

export interface Harness {
  rt: TestRuntime;
  fake: FakeSlack;
  host: PlatformHost;
  url: string;
  /** Posts a request signed with the app's secret (or as told). */
  send(req: SlackRequest, o?: Partial<SendOptions>): Promise<SlackResponse>;
  /** Runs a slash command; returns the HTTP answer and the response_url it carried. */
  command(user: SlackUser, command: string, text?: string, o?: { channel?: string; withUserTeam?: boolean }): Promise<{ res: SlackResponse; responseUrl: string }>;
  /** The first post to a response_url (what the user sees after a command or a click). */
  answer(responseUrl: string): Promise<Record<string, unknown>>;
  /** Opens a form with a command and returns the modal the app opened. */
  openForm(user: SlackUser, command: string, text?: string, channel?: string): Promise<OpenedView>;
  /** The modal of the n-th views.open (0-based), with the id the fake gave it. */
  openedView(index: number): OpenedView;
  /** Submits a modal; returns the HTTP answer (its JSON is the response_action). */
  submit(user: SlackUser, view: OpenedView, values: Record<string, string>, headers?: Record<string, string>): Promise<SlackResponse>;
  click(user: SlackUser, actionId: string, value: string, o?: { channel?: string; messageTs?: string; messageBlocks?: unknown[]; inHome?: boolean }): Promise<{ res: SlackResponse; responseUrl: string }>;
  /** Delivers the outbox through the Slack deliverer, as the worker would. */
  drain(): Promise<number>;
  ledgerCount(): number;
  close(): Promise<void>;
}

/**
 * `enterprise`: the workspace is in that Enterprise Grid org (auth.test says so); `orgWide`: the app
 * is installed across that org. `policyPath`: a policy other than the example. `env`: more variables.
 */
export async function startSlack(o: { databasePath?: string; enterprise?: string; orgWide?: boolean; policyPath?: string; env?: Record<string, string> } = {}): Promise<Harness> {
  const fake = await FakeSlack.start({ team: WORKSPACE.team, users: directory, ...(o.enterprise ? { enterprise: o.enterprise } : {}), ...(o.orgWide ? { orgWide: true } : {}) });
  const rt = testRuntime({ env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...o.env }, ...(o.databasePath ? { databasePath: o.databasePath } : {}), ...(o.policyPath ? { policyPath: o.policyPath } : {}) });
  const host = createSlackHost(rt, { clientOptions: { retryConfig: { retries: 0 } } });
  const server: Server = createHttpServer({ ...host.routes }, rt.logger);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  await host.start?.();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  const send = (req: SlackRequest, o: Partial<SendOptions> = {}) => sendSigned(url, req, { secret: SIGNING_SECRET, ...o });
  // Payloads as Slack sends them for the workspace (and org, and install) the fake is.
  const ws: Workspace = { ...WORKSPACE, ...(o.enterprise ? { enterprise: o.enterprise } : {}), ...(o.orgWide ? { orgWide: true } : {}) };
  const viewsOpened = () => fake.callsTo('views.open');
  const toOpened = (call: ApiCall, i: number): OpenedView => {
    const view = call.args.view as Omit<OpenedView, 'id'>;
    return { ...view, id: `VTEST${i}` };
  };

  const h: Harness = {
    rt,
    fake,
    host,
    url,
    send,
    async command(user, command, text = '', o = {}) {
      const responseUrl = fake.responseUrl();
      const res = await send(slashCommand({ command, text, user, responseUrl, ws, ...(o.channel ? { channel: o.channel } : {}), ...(o.withUserTeam ? { withUserTeam: true } : {}) }));
      return { res, responseUrl };
    },
    async answer(responseUrl) {
      const [first] = await fake.waitFor(() => (fake.responsesTo(responseUrl).length > 0 ? fake.responsesTo(responseUrl) : undefined), `an answer on ${responseUrl}`);
      return first!.body;
    },
    async openForm(user, command, text = '', channel) {
      const before = viewsOpened().length;
      const { res, responseUrl } = await h.command(user, command, text, channel ? { channel } : {});
      if (res.status !== 200) throw new Error(`${command} answered ${res.status}`);
      await fake.waitFor(() => viewsOpened().length > before || fake.responsesTo(responseUrl).length > 0, `views.open after ${command}`);
      if (viewsOpened().length === before) throw new Error(`${command} opened no modal: ${JSON.stringify(fake.responsesTo(responseUrl)[0]?.body)}`);
      return h.openedView(before);
    },
    openedView(index) {
      return toOpened(viewsOpened()[index]!, index);
    },
    submit(user, view, values, headers) {
      return send(viewSubmission({ user, view, values, ws }), headers ? { headers } : {});
    },
    async click(user, actionId, value, o = {}) {
      const responseUrl = fake.responseUrl();
      const res = await send(blockActions({ user, actionId, value, responseUrl, ws, ...o }));
      return { res, responseUrl };
    },
    drain: () => drainOutbox(rt.db.db, { slack: host.deliver }, () => rt.clock.now(), rt.logger),
    ledgerCount: () => [...rt.store.ledger.entries()].length,
    async close() {
      await host.stop?.();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await fake.close();
      rt.close();
    },
  };
  return h;
}

/** Every text a person could read in a Block Kit payload (blocks, views, fallback text), one per entry. */
export function textsIn(value: unknown): { type: 'mrkdwn' | 'plain_text' | 'rich_text' | 'fallback'; text: string }[] {
  const out: { type: 'mrkdwn' | 'plain_text' | 'rich_text' | 'fallback'; text: string }[] = [];
  const walk = (v: unknown, key: string | null) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, null));
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
        out.push({ type: o.type, text: o.text });
        return;
      }
      // A rich text element's words (a quote), which Slack shows literally.
      if (o.type === 'text' && typeof o.text === 'string') {
        out.push({ type: 'rich_text', text: o.text });
        return;
      }
      for (const [k, x] of Object.entries(o)) walk(x, k);
    } else if (key === 'text' && typeof v === 'string') out.push({ type: 'fallback', text: v });
  };
  walk(value, null);
  return out;
}

/**
 * Everything a person reads in a payload, joined (for "contains" assertions). A moment shown in
 * the reader's own time (`<!date^…|words>`) reads as its words, the policy's time with its zone,
 * as a client shows it that cannot tell the reader's zone: what a reader sees depends on theirs.
 */
export function visible(value: unknown): string {
  return textsIn(value)
    .map((t) => (t.type === 'mrkdwn' ? t.text.replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1') : t.text))
    .join('\n');
}

/**
 * Northwind claims Soylent (Analytics) from the shared channel, its notices delivered; Contoso
 * then claims it there too, which opens the dispute between them, raised in that channel.
 */
export async function sharedChannelDispute(h: Harness): Promise<Dispute> {
  const nw = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
  await h.submit(USERS.northwind, nw, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' });
  await h.drain();
  const co = await h.openForm(USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(USERS.contoso, co, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
  return h.rt.store.disputes.all().at(-1)!;
}
