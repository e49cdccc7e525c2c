import type { App } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlackContext } from '../../../handlers/platforms/slack/context.js';
import type { SlackIdentities } from '../../../handlers/platforms/slack/identity.js';
import { ACK_BUDGET_MS, register } from '../../../handlers/platforms/slack/listeners/commands.js';
import { LISTENER_KINDS, ListenerTable } from '../../../handlers/platforms/slack/listeners/table.js';
import type { Principal } from '../../../src/core/authz.js';
import { visible } from '../../support/slack-harness.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

/**
 * `/who-owns` answers in its acknowledgement when it knows the user at once or learns who they
 * are (users.info) within the acknowledgement budget; when Slack is slower than that, it
 * acknowledges empty (Slack wants the acknowledgement within 3 seconds) and the answer goes to
 * the response_url. Either way the user gets exactly one answer.
 */
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  rt.close();
});

function whoOwnsListener(principal: () => Promise<Principal>): (args: unknown) => Promise<void> {
  const identities = { principalNow: () => null, principal } as unknown as SlackIdentities;
  const table = new ListenerTable();
  register(table.app, { deps: rt.deps, identities, log: rt.logger } as SlackContext);
  let run: ((args: unknown) => Promise<void>) | undefined;
  const bolt = Object.fromEntries(LISTENER_KINDS.map((k) => [k, (_c: unknown, r: (args: unknown) => Promise<void>) => void (k === 'command' ? (run = r) : undefined)]));
  table.mount(bolt as unknown as App);
  return run!;
}

const command = { command: '/who-owns', text: 'acme corp', user_id: 'U0SAM', user_name: 'sam', team_id: 'T0HOME', response_url: 'https://hooks.slack.test/1' };

describe('/who-owns when Slack is slow to say who the user is', () => {
  it('within the budget: the answer is the acknowledgement, nothing goes to the response_url', async () => {
    const listener = whoOwnsListener(() => new Promise((ok) => setTimeout(() => ok(as.person(rt, 'sam')), ACK_BUDGET_MS - 500)));
    const ack = vi.fn(async () => undefined);
    const respond = vi.fn(async () => undefined);
    const done = listener({ command, body: command, ack, respond });
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    await done;
    expect(ack).toHaveBeenCalledTimes(1);
    const answer = (ack.mock.calls[0] as unknown[])[0] as Record<string, unknown>;
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toContain('Northwind Partners (First registration)');
    expect(respond).not.toHaveBeenCalled();
  });

  it('past the budget: an empty acknowledgement in time, then the answer through the response_url', async () => {
    const listener = whoOwnsListener(() => new Promise((ok) => setTimeout(() => ok(as.person(rt, 'sam')), ACK_BUDGET_MS + 1_500)));
    const ack = vi.fn(async () => undefined);
    const respond = vi.fn(async () => undefined);
    const done = listener({ command, body: command, ack, respond });
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack.mock.calls[0]).toEqual([]);
    expect(respond).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_500);
    await done;
    expect(respond).toHaveBeenCalledTimes(1);
    const answer = (respond.mock.calls[0] as unknown[])[0] as Record<string, unknown>;
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toContain('Northwind Partners (First registration)');
  });

  it('a failure to learn who the user is, in time: an apology as the acknowledgement, logged', async () => {
    const listener = whoOwnsListener(() => Promise.reject(new Error('users.info: invalid_auth')));
    const ack = vi.fn(async () => undefined);
    const respond = vi.fn(async () => undefined);
    await listener({ command, body: command, ack, respond });
    const answer = (ack.mock.calls[0] as unknown[])[0] as Record<string, unknown>;
    expect(visible(answer)).toMatch(/Sorry, something went wrong on our side/);
    expect(respond).not.toHaveBeenCalled();
    expect(rt.logs.lines.some((l) => l.includes('slack request failed') && l.includes('invalid_auth'))).toBe(true);
  });
});
