import type { App } from '@slack/bolt';

/** The kinds of Slack requests a listener is registered for, as Bolt names its methods. */
export const LISTENER_KINDS = ['command', 'action', 'view', 'shortcut', 'options', 'event'] as const;
export type ListenerKind = (typeof LISTENER_KINDS)[number];

type Run = (args: unknown) => unknown;
type Id = string | RegExp;

/** What a request of each kind is routed on: the command, action id, callback id, event type. */
const KEY: Record<ListenerKind, (args: Record<string, unknown>) => unknown> = {
  command: (a) => (a.command as { command?: unknown }).command,
  action: (a) => (a.action as { action_id?: unknown }).action_id,
  view: (a) => (a.view as { callback_id?: unknown }).callback_id,
  shortcut: (a) => (a.shortcut as { callback_id?: unknown }).callback_id,
  options: (a) => (a.options as { action_id?: unknown }).action_id,
  event: (a) => (a.event as { type?: unknown }).type,
};

const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);

/**
 * The listener kind a request body is for and the id Bolt routes it on (as {@link KEY} reads it
 * from Bolt's arguments); null for what Bolt answers without a listener of ours (events, which
 * it acknowledges whatever their type, Slack's URL verification).
 */
function routeOf(body: Record<string, unknown>): { kind: ListenerKind; id: unknown; name: string } | null {
  if (body.command !== undefined) return { kind: 'command', id: body.command, name: 'command' };
  switch (body.type) {
    case 'block_actions':
      return { kind: 'action', id: field(field(body.actions, '0'), 'action_id'), name: 'action_id' };
    case 'view_submission':
      return { kind: 'view', id: field(body.view, 'callback_id'), name: 'callback_id' };
    case 'shortcut':
    case 'message_action':
      return { kind: 'shortcut', id: body.callback_id, name: 'callback_id' };
    case 'block_suggestion':
      return { kind: 'options', id: body.action_id, name: 'action_id' };
    default:
      return null;
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const matches = (id: Id, key: unknown) => typeof key === 'string' && (typeof id === 'string' ? id === key : id.test(key));

/**
 * The app's listeners, gathered before they reach Bolt. Bolt runs the middleware of every
 * registered listener for every request, so each registration costs every request something:
 * the listener modules register here (on {@link app}, which has the App's registration
 * methods), and {@link mount} gives Bolt one listener per kind, matching exactly the ids
 * registered, which hands the request to the listener of its id.
 */
export class ListenerTable {
  private readonly listeners = new Map<ListenerKind, { id: Id; run: Run }[]>();
  /** Listeners still running: Bolt acknowledges a request first, so their work outlives the HTTP exchange. */
  private readonly running = new Set<Promise<void>>();

  /** Registration methods shaped like the App's: `command(id, listener)`, `action(id, listener)`… */
  readonly app: App = Object.fromEntries(
    LISTENER_KINDS.map((kind) => [
      kind,
      (id: unknown, ...rest: unknown[]) => {
        const run = rest[0];
        if ((typeof id !== 'string' && !(id instanceof RegExp)) || rest.length !== 1 || typeof run !== 'function') {
          throw new Error(`${kind} listeners are registered with one id (a string or RegExp) and one function`);
        }
        this.add(kind, id, run as Run);
      },
    ]),
  ) as unknown as App;

  private add(kind: ListenerKind, id: Id, run: Run): void {
    const list = this.listeners.get(kind) ?? [];
    list.push({ id, run });
    this.listeners.set(kind, list);
  }

  /**
   * What no listener would take in a request body (`unknown command "/x"`), or null. Bolt
   * answers such a request only when its 3-second acknowledgement timer runs out, with a 404.
   */
  unrouted(body: Record<string, unknown>): string | null {
    const route = routeOf(body);
    if (!route) return null;
    const list = this.listeners.get(route.kind) ?? [];
    return list.some((l) => matches(l.id, route.id)) ? null : `unknown ${route.name} "${String(route.id).slice(0, 80)}"`;
  }

  /** Every registration, in order (what the manifest test compares with ids.ts). */
  registered(): { kind: ListenerKind; id: Id }[] {
    return [...this.listeners].flatMap(([kind, list]) => list.map(({ id }) => ({ kind, id })));
  }

  /** One Bolt listener per kind, for exactly the registered ids. */
  mount(app: App): void {
    for (const [kind, list] of this.listeners) {
      const constraint: Id = list.length === 1 ? list[0]!.id : new RegExp(list.map(({ id }) => (typeof id === 'string' ? `^${escape(id)}$` : `(?:${id.source})`)).join('|'));
      const dispatch = async (args: Record<string, unknown>) => {
        const key = KEY[kind](args);
        for (const l of list) {
          if (!matches(l.id, key)) continue;
          const run = Promise.resolve(l.run(args)).then(() => undefined);
          this.running.add(run);
          try {
            return await run;
          } finally {
            this.running.delete(run);
          }
        }
      };
      (app[kind] as unknown as (id: Id, run: typeof dispatch) => void).call(app, constraint, dispatch);
    }
  }

  /**
   * Resolves once every listener running now has finished (those started meanwhile too), or
   * after `ms`, whichever is first; true if they all finished.
   */
  async settle(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((ok) => (timer = setTimeout(() => ok(false), ms)));
    try {
      while (this.running.size > 0) {
        const done = await Promise.race([Promise.allSettled([...this.running]).then(() => true as const), late]);
        if (!done) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
