import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LISTENER_MODULES, SLACK_EVENTS_PATH } from '../../../handlers/platforms/slack/app.js';
import type { SlackContext } from '../../../handlers/platforms/slack/context.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { ListenerTable, type ListenerKind } from '../../../handlers/platforms/slack/listeners/table.js';
import { ROOT } from '../../support/builders.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Manifest {
  features: {
    slash_commands: { command: string; url: string }[];
    shortcuts: { callback_id: string; type: string; name: string }[];
    app_home: { home_tab_enabled: boolean; messages_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string };
  };
}

const manifestText = readFileSync(resolve(ROOT, 'manifests/slack/manifest.yaml'), 'utf8');
const manifest = parse(manifestText) as Manifest;

const schema = JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/manifest-schemas/slack-manifest.schema.1.0.0.json'), 'utf8')) as object;
// The official schema uses a few annotation keywords of its own ("regex", "_note"); strict mode would reject them.
const validate = addFormats(new Ajv({ allErrors: true, strict: false })).compile(schema);

describe('manifests/slack/manifest.yaml', () => {
  it('is valid against Slack’s manifest schema 1.0.0', () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('(the schema does reject what Slack would: a shortcut name over 24 characters, an unknown setting)', () => {
    expect(validate({ ...manifest, features: { ...manifest.features, shortcuts: [{ name: 'Dispute who owns this account', type: 'message', callback_id: 'x', description: 'x' }] } })).toBe(false);
    expect(validate({ ...manifest, settings: { ...manifest.settings, socket: true } })).toBe(false);
  });

  it('declares exactly the commands, shortcut and events the code handles', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(Object.values(SLACK_IDS.commands).sort());
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual(Object.values(SLACK_IDS.shortcuts).sort());
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ name: 'Dispute ownership', type: 'message' })]);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(Object.values(SLACK_IDS.events).sort());
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
  });

  it('keeps the Messages tab read-only, since no message events are handled (typing to the bot would go unanswered)', () => {
    const m = manifest as unknown as { features: { app_home: { messages_tab_read_only_enabled: boolean } }; settings: { event_subscriptions: { bot_events: string[] } } };
    expect(m.settings.event_subscriptions.bot_events).not.toContain('message.im');
    expect(m.features.app_home.messages_tab_read_only_enabled).toBe(true);
  });

  it('is org-ready: an app created on an Enterprise Grid org gets its events, and can be installed across the org (the bot tells the org-wide install apart)', () => {
    const m = manifest as unknown as { settings: { org_deploy_enabled?: boolean } };
    expect(m.settings.org_deploy_enabled).toBe(true);
  });

  it('sends everything to the one endpoint, with interactivity and the options load URL on', () => {
    const urls = [...manifest.features.slash_commands.map((c) => c.url), manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.settings.interactivity.message_menu_options_url];
    for (const url of urls) expect(url).toBe(`https://roe.example.com${SLACK_EVENTS_PATH}`);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('asks for the scopes the code uses, and no more', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'chat:write.public', 'commands', 'im:write', 'users:read']);
  });
});

/**
 * The bot scopes each Slack Web API method the code calls needs, as Slack's method reference
 * (https://docs.slack.dev/reference/methods/<method>, "Required scopes", bot token) gives them.
 * A call of a method not listed here fails the test below: look its scope up and add it.
 */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  'auth.test': [],
  'chat.getPermalink': [],
  'chat.postEphemeral': ['chat:write'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.open': ['im:write'], // a 1:1 DM; an mpim would need mpim:write
  'users.info': ['users:read'],
  'views.open': [],
  'views.publish': [],
  'views.update': [],
};

/** `client.<family>.<method>(` calls in the non-test sources that use Slack's SDK, with where each is. */
function slackMethodCalls(): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of ['handlers', 'src'].flatMap((d) => walk(resolve(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    if (!/from '@slack\//.test(text)) continue;
    for (const m of text.matchAll(/\bclient\.([a-z]+)\.([a-zA-Z]+)\(/g)) {
      const method = `${m[1]}.${m[2]}`;
      calls.set(method, [...(calls.get(method) ?? []), relative(ROOT, file)]);
    }
  }
  return calls;
}

describe('the bot scopes cover every Web API method the code calls', () => {
  const calls = slackMethodCalls();

  it('finds the calls (the scan still matches how the code calls Slack)', () => {
    expect([...calls.keys()]).toEqual(expect.arrayContaining(['chat.postMessage', 'conversations.open', 'users.info', 'views.publish']));
  });

  it('knows the scope of every method called', () => {
    const unknown = [...calls].filter(([method]) => !(method in METHOD_SCOPES)).map(([method, files]) => `${method} (${[...new Set(files)].join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('grants what those methods need, the commands and the shortcut, posting where the bot was not invited, and nothing else', () => {
    const needed = new Set([...calls.keys()].flatMap((method) => METHOD_SCOPES[method] ?? []));
    // Slash commands and shortcuts come with the `commands` scope.
    if (manifest.features.slash_commands.length + manifest.features.shortcuts.length > 0) needed.add('commands');
    // Dispute threads go to the channel a dispute was raised in, joined or not (deliver.ts falls
    // back to the raiser's DM only where Slack refuses): a public channel the bot was not invited
    // to needs chat:write.public, which Slack grants only beside chat:write.
    expect(needed.has('chat:write')).toBe(true);
    needed.add('chat:write.public');
    expect(manifest.oauth_config.scopes.bot.slice().sort()).toEqual([...needed].sort());
  });
});

describe('every id in ids.ts has a listener, and every listener an id', () => {
  type Kind = ListenerKind;
  const table = new ListenerTable();
  for (const m of LISTENER_MODULES) m.register(table.app, {} as SlackContext);
  const registered = table.registered();
  const matches = (kind: Kind, id: string) => registered.some((r) => r.kind === kind && (typeof r.id === 'string' ? r.id === id : r.id.test(id)));

  it.each([
    ...Object.values(SLACK_IDS.commands).map((id) => ['command', id] as const),
    ...Object.values(SLACK_IDS.actions).map((id) => ['action', id] as const),
    ...Object.values(SLACK_IDS.views).map((id) => ['view', id] as const),
    ...Object.values(SLACK_IDS.shortcuts).map((id) => ['shortcut', id] as const),
    ...Object.values(SLACK_IDS.options).map((id) => ['options', id] as const),
    ...Object.values(SLACK_IDS.events).map((id) => ['event', id] as const),
  ])('%s %s', (kind, id) => {
    expect(matches(kind, id)).toBe(true);
    if (kind === 'action') expect(matches(kind, `${id}:3`)).toBe(true);
  });

  it('no listener is registered for an id that is not in ids.ts', () => {
    const known = new Set<string>([...Object.values(SLACK_IDS.commands), ...Object.values(SLACK_IDS.actions), ...Object.values(SLACK_IDS.views), ...Object.values(SLACK_IDS.shortcuts), ...Object.values(SLACK_IDS.options), ...Object.values(SLACK_IDS.events)]);
    for (const r of registered) {
      const ok = typeof r.id === 'string' ? known.has(r.id) : [...known].some((k) => (r.id as RegExp).test(k));
      expect(ok, `${r.kind} ${String(r.id)}`).toBe(true);
    }
    expect(registered).toHaveLength(known.size);
  });
});
