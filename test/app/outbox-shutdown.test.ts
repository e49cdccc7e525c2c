import { afterEach, describe, expect, it } from 'vitest';
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
    const worker = startOutboxWorker(rt.db.db, { slack: slow }, () => rt!.clock.now(), rt.logger, 60_000);
    void worker.kick();
    await new Promise((ok) => setTimeout(ok, 50)); // first delivery under way; SIGTERM arrives
    const t0 = Date.now();
    await worker.stop();
    const took = Date.now() - t0;
    // A supervisor (docker stop: 10 s, systemd: 90 s) would SIGKILL long before a real backlog is
    // worked off at 30 s per hung call: the message then under way goes out again after the restart.
    expect({ took: took < 1_000, sentAfterStop: sent.length }).toEqual({ took: true, sentAfterStop: 1 });
  });
});
