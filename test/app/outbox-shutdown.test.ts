import { afterEach, describe, expect, it, vi } from 'vitest';
import { reply, text } from '../../handlers/replies/model.js';
import { startOutboxWorker, type Deliverer } from '../../src/app/outbox-worker.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

describe('SIGTERM while the outbox has a backlog', () => {
  it('stopping the worker waits only for the delivery under way, not for the whole backlog', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', demo: false });
    for (let i = 0; i < 20; i++) rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'user', user: `U${i}` }, body: reply(`m${i}`, [text(`m${i}`)]), dedupeKey: `k${i}` }, rt.clock.now());
    // A slow platform: each call takes 300 ms (a hung call is given up only after 30 s).
    const sent: number[] = [];
    const slow: Deliverer = async (m) => {
      await new Promise((ok) => setTimeout(ok, 300));
      sent.push(m.id);
    };
    // The timers' clock moves only as the test moves it: how long the stop waits is read from it,
    // not from a wall clock a loaded machine slows down.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const worker = startOutboxWorker(rt.db.db, { slack: slow }, () => rt!.clock.now(), rt.logger, 60_000);
      void worker.kick();
      await vi.advanceTimersByTimeAsync(50); // first delivery under way; SIGTERM arrives
      expect(sent).toEqual([]);
      let stopped = false;
      void worker.stop().then(() => (stopped = true));
      // The delivery under way ends 250 ms later: the stop with it, the 19 others left waiting.
      await vi.advanceTimersByTimeAsync(249);
      expect(stopped).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      // A supervisor (docker stop: 10 s, systemd: 90 s) would SIGKILL long before a real backlog is
      // worked off at 30 s per hung call: the message then under way goes out again after the restart.
      expect({ stopped, sentAfterStop: sent.length }).toEqual({ stopped: true, sentAfterStop: 1 });
      // Nothing more goes out once stopped.
      await vi.advanceTimersByTimeAsync(10_000);
      expect(sent).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
