import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { undelivered } from '../../../db/repos/outbox.repo.js';
import { reply, text } from '../../../handlers/replies/model.js';
import { installActivity, personalChat, startTeams, USERS } from '../../support/teams-harness.js';

describe('a Teams call given up after its timeout', () => {
  it('is aborted, not left running beside its retry (a late answer could post the message twice)', async () => {
    const t = await startTeams({ deliveryTimeoutMs: 300 });
    try {
      await t.post(installActivity(USERS.sam, { kind: 'personal' }, t.connector.url));
      t.connector.calls.length = 0;
      t.connector.hangNext(1);
      t.rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'user', user: USERS.sam.id }, body: reply('Dispute #1 escalated to you', [text('Dispute #1 escalated to you')]), dedupeKey: 'slow:1' }, t.rt.clock.now());
      expect(await t.drain()).toBe(0); // given up after 0.3 s: pending, to be retried
      const hung = (t.connector as unknown as { hung: ServerResponse[] }).hung;
      expect(hung).toHaveLength(1);
      // The bot closed the request it gave up on: Teams sees it cancelled.
      const deadline = Date.now() + 2_000;
      while (!hung[0]!.socket?.destroyed && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
      expect(hung[0]!.socket?.destroyed ?? true).toBe(true);
      // The retry delivers it: one request beside the cancelled one, and nothing more.
      t.rt.clock.advance(5_000);
      expect(await t.drain()).toBe(1);
      expect(t.connector.calls.filter((c) => c.kind === 'send' && c.conversationId === personalChat(USERS.sam))).toHaveLength(2);
      expect(await t.drain()).toBe(0);
      expect(undelivered(t.rt.db.db)).toHaveLength(0);
    } finally {
      await t.stop();
    }
  });
});
