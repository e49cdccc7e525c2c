import type { Readable, Writable } from 'node:stream';
import { runConsole } from '../../handlers/platforms/console/console.js';
import { renderReply } from '../../handlers/platforms/console/render.js';
import type { Reply } from '../../handlers/replies/model.js';
import { dueMessages, markDelivered } from '../../db/repos/outbox.repo.js';
import { seedDemo } from './demo.js';
import { tick } from './scheduler.js';
import type { Runtime } from './runtime.js';

/** Runs the local console on a runtime: demo data on first run, notifications shown inline. */
export async function hostConsole(rt: Runtime, input: Readable, output: Writable): Promise<void> {
  const demo = seedDemo(rt.ctx);
  if (demo.loaded) {
    rt.reindex();
    output.write(`Loaded the demo data (examples/*.csv) into a new database, ${rt.config.databasePath}. To start over: stop the bot and delete ${rt.config.databasePath}*.\n`);
  } else if (demo.skipped) {
    output.write(`${demo.skipped}\n`);
  } else if (rt.store.accounts.count() === 0) {
    output.write('No accounts yet: import them with `npx roe import accounts FILE` (see examples/accounts.csv).\n');
  }
  const people = () => rt.policies.inForceAt(rt.clock.now()).policy.people;
  const drain = async (): Promise<string[]> => {
    const out: string[] = [];
    // A message behind another to the same place (a thread's second post) is due once that one
    // is shown: take them until none is left, so all of a command's messages show under it.
    for (;;) {
      const batch = dueMessages(rt.db.db, 'console', rt.clock.now(), 500);
      if (batch.length === 0) return out;
      for (const m of batch) {
        const where =
          m.target.kind === 'user'
            ? `DM to ${people()[m.target.user]?.name ?? m.target.user}`
            : m.target.kind === 'dispute-thread'
              ? `thread of dispute #${m.target.disputeId}`
              : `#${m.target.channel}`;
        out.push(`  ┌ ${where}\n${renderReply(m.body as Reply).replace(/^/gm, '  │ ')}`);
        markDelivered(rt.db.db, m.id, rt.clock.now());
      }
    }
  };
  await runConsole({
    deps: rt.deps,
    resolve: rt.resolve,
    people,
    partners: () => rt.store.partners.all(),
    drain,
    tick: () => {
      const r = tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      if (r.error) rt.logger.error({ err: r.error.err, timers: r.error.timers }, 'scheduler: timers could not be fired; they stay pending');
    },
    input,
    output,
    startAs: Object.hasOwn(people(), 'sam') ? 'sam' : (Object.keys(people())[0] ?? 'me'),
    logError: (err) => rt.logger.error({ err }, 'console command failed'),
  });
}
