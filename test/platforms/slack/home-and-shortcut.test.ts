import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { appHomeOpened, messageAction } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const published = () => h.fake.callsTo('views.publish');

describe('App Home', () => {
  it('publishes the user’s claims with their protection ends', async () => {
    const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim);
    await h.submit(USERS.sam, view, { account: 'soylent', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Soylent services', stage: 'qualified' });
    const res = await h.send(appHomeOpened({ user: USERS.sam.id }));
    expect(res.status).toBe(200);
    const publish = await h.fake.waitFor(() => published()[0], 'views.publish');
    expect(publish.args.user_id).toBe(USERS.sam.id);
    expect((publish.args.view as { type: string }).type).toBe('home');
    const seen = visible(publish.args.view);
    expect(seen).toContain('Your claims');
    expect(seen).toMatch(/#\d+ Soylent Corp \(Services\): protected until Feb 28, 2027/);
  });

  it('shows an arbitrator their queue with due times', async () => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [USERS.contoso, 'qualified']] as const) {
      const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    await h.send(appHomeOpened({ user: USERS.pat.id }));
    const seen = visible((await h.fake.waitFor(() => published()[0], 'views.publish')).args.view);
    expect(seen).toContain('Waiting for your ruling');
    expect(seen).toMatch(/#\d+ Soylent Corp \(Analytics\): due Dec 2, 2026, 10:00 AM EST/);
  });

  it('the messages tab publishes nothing', async () => {
    const res = await h.send(appHomeOpened({ user: USERS.sam.id, tab: 'messages' }));
    expect(res.status).toBe(200);
    // Then the home tab: once its page is published, the messages tab event (sent first) has had its turn.
    await h.send(appHomeOpened({ user: USERS.sam.id, tab: 'home' }));
    await h.fake.waitFor(() => published()[0], 'the home tab');
    expect(published()).toHaveLength(1);
  });

  it('logging activity from App Home renews the claim and republishes the page with the confirmation', async () => {
    await h.send(appHomeOpened({ user: USERS.northwind.id }));
    const home = await h.fake.waitFor(() => published()[0], 'the first home');
    const button = (home.args.view as { blocks: { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[] }).blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text.text.startsWith('Log activity'))!;
    expect(button.action_id).toBe(SLACK_IDS.actions.log_activity);
    h.rt.clock.advance(86_400_000);
    // Its value: the claim, and the page of the list it was on (Teams draws that list again).
    expect(button.value).toMatch(/^\d+:mine:1$/);
    const claim = h.rt.store.claims.get(Number(button.value.split(':')[0]))!;
    await h.click(USERS.northwind, button.action_id, button.value, { inHome: true });
    const again = await h.fake.waitFor(() => published()[1], 'the republished home');
    expect(visible(again.args.view)).toMatch(new RegExp(`Activity logged on claim #${claim.id}`));
    expect(h.rt.store.claims.get(claim.id)!.lastActivityAt.getTime()).toBe(h.rt.clock.now().getTime());
  });
});

describe('message shortcut "Dispute ownership"', () => {
  const message = { ts: '1764000100.000200', user: USERS.northwind.id, text: 'We are already working Acme &amp; their CIO, <@U0CO1>' };

  it('opens the dispute form with the message linked as evidence; submitting announces it in that channel', async () => {
    const responseUrl = h.fake.responseUrl();
    const res = await h.send(messageAction({ user: USERS.contoso, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message, responseUrl }));
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'the dispute modal');
    expect(h.fake.callsTo('chat.getPermalink')[0]!.args).toMatchObject({ channel: SHARED_CHANNEL, message_ts: message.ts });
    const view = h.openedView(0);
    expect(view.callback_id).toBe(SLACK_IDS.views.dispute);
    const evidence = view.blocks.find((b) => b.block_id === 'evidence')!.element as unknown as { initial_value: string };
    expect(evidence.initial_value).toContain(`https://home.slack.com/archives/${SHARED_CHANNEL}/p1764000100000200`);
    expect(evidence.initial_value).toContain('We are already working Acme & their CIO');

    const submitted = await h.submit(USERS.contoso, view, { account: 'acme', product: 'Analytics', reason: 'We met the CIO first', evidence: evidence.initial_value });
    expect((submitted.json() as { response_action: string }).response_action).toBe('update');
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect(dispute.evidence).toContain('p1764000100000200');
    // Announced under the message it was raised from.
    expect(dispute.origin).toEqual({ platform: 'slack', channel: SHARED_CHANNEL, thread: message.ts });
    await h.drain();
    const posted = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(posted.length).toBeGreaterThan(0);
    for (const p of posted) expect(p.args.thread_ts).toBe(message.ts);
  });

  it('raised from a reply in a thread, the dispute is announced in that thread', async () => {
    const reply = { ...message, ts: '1764000200.000300', thread_ts: message.ts };
    await h.send(messageAction({ user: USERS.contoso, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message: reply, responseUrl: h.fake.responseUrl() }));
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'the dispute modal');
    await h.submit(USERS.contoso, h.openedView(0), { account: 'acme', product: 'Analytics', reason: 'We met the CIO first' });
    expect(h.rt.store.disputes.all().at(-1)!.origin).toEqual({ platform: 'slack', channel: SHARED_CHANNEL, thread: message.ts });
  });

  it('when Slack gives no link to the message, the form still opens, naming the message by channel and time', async () => {
    h.fake.failNext(1, { error: 'channel_not_found' }, 'chat.getPermalink');
    const res = await h.send(messageAction({ user: USERS.contoso, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message, responseUrl: h.fake.responseUrl() }));
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[0], 'the dispute modal');
    const evidence = h.openedView(0).blocks.find((b) => b.block_id === 'evidence')!.element as unknown as { initial_value: string };
    expect(evidence.initial_value).toContain(`Raised from this message: ${SHARED_CHANNEL}/${message.ts}`);
  });

  it('a user of no known partner is refused, only they see it', async () => {
    const responseUrl = h.fake.responseUrl();
    await h.send(messageAction({ user: USERS.stranger, callbackId: SLACK_IDS.shortcuts.disputeMessage, channel: SHARED_CHANNEL, message, responseUrl }));
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(/not linked to a partner of ours yet, so you cannot raise disputes/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });
});
