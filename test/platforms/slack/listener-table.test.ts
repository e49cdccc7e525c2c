import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { LISTENER_MODULES } from '../../../handlers/platforms/slack/app.js';
import type { SlackContext } from '../../../handlers/platforms/slack/context.js';
import { LISTENER_KINDS, ListenerTable, type ListenerKind } from '../../../handlers/platforms/slack/listeners/table.js';

type Mounted = { kind: ListenerKind; constraint: string | RegExp; run: (args: unknown) => Promise<void> };

function mountOn(table: ListenerTable): Mounted[] {
  const mounted: Mounted[] = [];
  const bolt = Object.fromEntries(LISTENER_KINDS.map((kind) => [kind, (constraint: string | RegExp, run: Mounted['run']) => void mounted.push({ kind, constraint, run })]));
  table.mount(bolt as unknown as App);
  return mounted;
}

const test = (c: string | RegExp, s: string) => (typeof c === 'string' ? c === s : c.test(s));

describe('the listener table', () => {
  it('gives Bolt one listener per kind for the whole app (Bolt runs every listener for every request)', () => {
    const table = new ListenerTable();
    for (const m of LISTENER_MODULES) m.register(table.app, {} as SlackContext);
    const mounted = mountOn(table);
    expect(mounted.map((m) => m.kind).sort()).toEqual([...LISTENER_KINDS].sort());
    expect(table.registered().length).toBeGreaterThan(mounted.length);
  });

  it('a kind’s listener matches exactly the registered ids, and hands each request to the listener of its id', async () => {
    const table = new ListenerTable();
    const calls: string[] = [];
    table.app.command('/a.b', async () => void calls.push('a.b'));
    table.app.command('/c', async () => void calls.push('c'));
    table.app.action(/^x(?::\d+)?$/, async () => void calls.push('x'));
    table.app.event('app_home_opened', async () => void calls.push('home'));
    const [command, action, event] = mountOn(table);
    expect(command!.kind).toBe('command');
    for (const [s, ok] of [['/a.b', true], ['/c', true], ['/aXb', false], ['/c2', false], ['x/c', false]] as const) expect(test(command!.constraint, s), s).toBe(ok);
    for (const [s, ok] of [['x', true], ['x:3', true], ['xy', false]] as const) expect(test(action!.constraint, s), s).toBe(ok);
    expect(event!.constraint).toBe('app_home_opened');

    await command!.run({ command: { command: '/c' } });
    await command!.run({ command: { command: '/a.b' } });
    await action!.run({ action: { action_id: 'x:2' } });
    await event!.run({ event: { type: 'app_home_opened' } });
    expect(calls).toEqual(['c', 'a.b', 'x', 'home']);
  });

  it('names a request no listener would take (Bolt would answer it only after its 3-second timeout)', () => {
    const table = new ListenerTable();
    table.app.command('/c', async () => undefined);
    table.app.action(/^x(?::\d+)?$/, async () => undefined);
    table.app.view('form', async () => undefined);
    table.app.event('app_home_opened', async () => undefined);
    expect(table.unrouted({ command: '/c' })).toBeNull();
    expect(table.unrouted({ command: '/nope' })).toBe('unknown command "/nope"');
    expect(table.unrouted({ type: 'block_actions', actions: [{ action_id: 'x:2' }] })).toBeNull();
    expect(table.unrouted({ type: 'block_actions', actions: [{ action_id: 'old_button' }] })).toBe('unknown action_id "old_button"');
    expect(table.unrouted({ type: 'view_submission', view: { callback_id: 'form' } })).toBeNull();
    expect(table.unrouted({ type: 'view_submission', view: { callback_id: 'other' } })).toBe('unknown callback_id "other"');
    expect(table.unrouted({ type: 'block_suggestion', action_id: 'search' })).toBe('unknown action_id "search"');
    expect(table.unrouted({ type: 'shortcut', callback_id: 's' })).toBe('unknown callback_id "s"');
    // Events are acknowledged by Bolt whether or not a listener takes them (Slack retries any other answer).
    expect(table.unrouted({ type: 'event_callback', event: { type: 'reaction_added' } })).toBeNull();
  });

  it('refuses a registration it would not route (constraint objects, extra middleware)', () => {
    const table = new ListenerTable();
    const register = table.app.action as unknown as (...a: unknown[]) => void;
    expect(() => register({ type: 'block_actions' }, async () => undefined)).toThrow(/one id/);
    expect(() => register('x', async () => undefined, async () => undefined)).toThrow(/one id/);
  });
});
