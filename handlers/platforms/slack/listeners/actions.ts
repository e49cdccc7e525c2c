import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { logClaimActivity } from '../../../activity.js';
import { claimForm } from '../../../claim.js';
import { disputeForm } from '../../../dispute.js';
import { ACTIONS, reply, text, type ActionId, type Form, type Reply } from '../../../replies/model.js';
import { refreshStaleCards } from '../../../notify.js';
import { home } from '../../../roe.js';
import { approve, askForm, awardForm, caseCard, withMovedPast } from '../../../rule.js';
import { answerForm } from '../../../answer.js';
import { caseTitle } from '../../../dispute-card.js';
import { snoozeReminder } from '../../../snooze.js';
import { parseNumberId } from '../../../validate.js';
import { showAccount } from '../../../who-owns.js';
import type { Principal } from '../../../../src/core/authz.js';
import { isDomainError } from '../../../../src/core/errors.js';
import { interactiveUser, tellUser, type SlackContext } from '../context.js';
import { actionPattern, SLACK_IDS } from '../ids.js';
import { homeView, renderForm, renderReply } from '../render.js';

type Click = BlockAction<ButtonAction>;

function containerString(body: Click, key: string): string | undefined {
  const v: unknown = body.container[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The message a button was on, when it was on a message (not in App Home or a modal). */
function messageOf(body: Click): { channel: string; ts: string } | null {
  const channel = body.channel?.id ?? containerString(body, 'channel_id');
  const ts = containerString(body, 'message_ts') ?? body.message?.ts;
  return channel && ts ? { channel, ts } : null;
}

/**
 * Whether the clicked message still offers its Snooze buttons (a reminder not yet snoozed), as
 * Slack sends the message's blocks with the click: a question asked from it leaves them there.
 */
function offersSnooze(body: Click): boolean {
  const blocks: unknown = body.message?.blocks;
  if (!Array.isArray(blocks)) return false;
  const snooze = actionPattern(SLACK_IDS.actions[ACTIONS.snooze]);
  const isSnooze = (e: unknown) => typeof e === 'object' && e !== null && typeof (e as { action_id?: unknown }).action_id === 'string' && snooze.test((e as { action_id: string }).action_id);
  return blocks.some((b: unknown) => {
    const elements: unknown = typeof b === 'object' && b !== null && (b as { type?: unknown }).type === 'actions' ? (b as { elements?: unknown }).elements : undefined;
    return Array.isArray(elements) && elements.some(isSnooze);
  });
}

const toUser = (body: Click) => ({ user: body.user.id, responseUrl: body.response_url || undefined, channel: body.channel?.id });

/**
 * Buttons. Each listener acks first, then runs its handler: a reply replaces the message the
 * button was on or is shown only to the clicker; a form opens as a modal. Refusals thrown by the
 * handlers go to the app's error handler, which shows them only to the clicker.
 */
export function register(app: App, { deps, identities, log }: SlackContext): void {
  const on = (action: ActionId, run: (viewer: Principal, value: string, body: Click, client: App['client']) => Promise<void>) => {
    app.action<Click>(actionPattern(SLACK_IDS.actions[action]), async ({ ack, body, action: button, client }) => {
      await ack();
      const viewer = await identities.principal(interactiveUser(body.user));
      await run(viewer, button.value ?? '', body, client);
    });
  };
  const openForm = async (client: App['client'], body: Click, form: Form, o: { fromReminder?: boolean } = {}) => {
    const message = messageOf(body);
    // A reminder the form was opened from stays one once it is updated (see the ask form's submission).
    const from = message && o.fromReminder && offersSnooze(body) ? { ...message, reminder: true } : message;
    await client.views.open({ trigger_id: body.trigger_id, view: renderForm(form, { channel: body.channel?.id ?? null, message: from }) });
  };

  on(ACTIONS.pickAccount, async (viewer, value, body, client) => {
    await tellUser(client, toUser(body), showAccount(deps, viewer, value), { replace: true });
  });

  /**
   * The clicked message shown as `card`: a failure to update it is logged (what was done is
   * done), not told as the click's failure. False when it could not be updated.
   */
  const updateClicked = async (client: App['client'], message: { channel: string; ts: string }, card: Reply): Promise<boolean> => {
    try {
      await client.chat.update({ channel: message.channel, ts: message.ts, ...renderReply(card) });
      return true;
    } catch (err) {
      log.warn({ err }, 'slack: the clicked case card could not be updated');
      return false;
    }
  };

  on(ACTIONS.approve, async (viewer, value, body, client) => {
    const message = messageOf(body);
    let card: Reply;
    try {
      card = approve(deps, viewer, value);
    } catch (e) {
      // A card gone stale (a new claim changed the recommendation): it shows the case as it
      // stands now, and the error handler says why nothing was ruled.
      if (message && isDomainError(e) && e.code === 'conflict') await updateClicked(client, message, caseCard(deps, viewer, value));
      throw e;
    }
    // Ruled: the card shows it (the outbox brings the case cards it sent up to date should Slack refuse this update).
    if (message) await updateClicked(client, message, card);
    else await tellUser(client, toUser(body), card);
  });

  on(ACTIONS.award, async (viewer, value, body, client) => openForm(client, body, awardForm(deps, viewer, value)));
  on(ACTIONS.ask, async (viewer, value, body, client) => openForm(client, body, askForm(deps, viewer, value), { fromReminder: true }));
  on(ACTIONS.answer, async (viewer, value, body, client) => openForm(client, body, answerForm(deps, viewer, value)));
  on(ACTIONS.openClaim, async (viewer, value, body, client) => openForm(client, body, claimForm(deps, viewer, value)));
  on(ACTIONS.openDispute, async (viewer, value, body, client) => openForm(client, body, disputeForm(deps, viewer, value)));

  on(ACTIONS.snooze, async (viewer, value, body, client) => {
    // The reminder becomes the snoozed case: its snooze buttons go, its ruling buttons stay.
    const snoozed = snoozeReminder(deps, viewer, value);
    const message = messageOf(body);
    if (!message) {
      await tellUser(client, toUser(body), snoozed);
      return;
    }
    // Snoozed: should Slack refuse to update the reminder, the clicker is told so (only they see
    // it), not that the click failed and to try again (which would snooze it once more).
    if (await updateClicked(client, message, snoozed)) return;
    const said = snoozed.blocks.slice(0, snoozed.lead?.count ?? 0);
    await tellUser(client, toUser(body), reply(snoozed.summary, said.length > 0 ? said : [text(snoozed.summary)]));
  });

  // A case opened from the queue (App Home, /roe queue) goes to the person's DM with the bot: a
  // message of its own, which its ruling buttons then update in place.
  on(ACTIONS.openCase, async (viewer, value, body, client) => {
    // A queue left open (App Home, an answer above) while the case moved past them: who rules on it now, first.
    const { card, to: movedTo } = withMovedPast(deps, viewer, Number(value), caseCard(deps, viewer, value));
    const posted = await client.chat.postMessage({ channel: body.user.id, ...renderReply(card) });
    // With ruling buttons, it is remembered as the cards sent to arbitrators are, so that it is
    // brought up to date (its buttons taken away) once the case is ruled, closed or moved on.
    const person = viewer.kind === 'internal' ? viewer.personKey : null;
    const disputeId = Number(value);
    if (person && Number.isSafeInteger(disputeId) && posted.ts && posted.channel && card.blocks.some((b) => b.type === 'actions')) {
      const remembered = { disputeId, person, channel: posted.channel, ts: posted.ts, user: body.user.id };
      try {
        deps.ctx.store.transaction(() => {
          deps.ctx.store.caseCards.remember(remembered);
          // Ruled or moved on while it was being posted: brought up to date at once.
          refreshStaleCards(deps, disputeId);
        });
      } catch (e) {
        // Another process holds the database (an import): the case is shown all the same, but
        // not remembered, so its buttons stay once it moves on (a click then shows it as it stands).
        if (!isDomainError(e) || e.code !== 'busy') throw e;
      }
    }
    // Where the case went, named as this person may know it (an approval, to the company's people).
    const wentTo = () => {
      const d = deps.ctx.store.disputes.get(disputeId);
      const where = `${d ? caseTitle(viewer, d) : `Dispute #${parseNumberId(value) ?? value}`} is in your direct messages with me`;
      const buttons = card.blocks.some((b) => b.type === 'actions') ? ', with its ruling buttons' : '';
      if (movedTo !== null) return { where, said: text(`${where}, without ruling buttons: it moved to ${movedTo}, who rules on it now.`, 'warning') };
      return { where, said: text(`${where}${buttons}.`, 'good') };
    };
    // Clicked in App Home, the DM is in another tab: the page is published again, saying where
    // the case went, over the queue as it stands now.
    if (body.view?.type === 'home') {
      const page: Reply = home(deps, viewer);
      try {
        await client.views.publish({ user_id: body.user.id, view: homeView({ ...page, blocks: [wentTo().said, { type: 'divider' }, ...page.blocks] }) });
      } catch (err) {
        // The case is in their DM all the same.
        log.warn({ err }, 'slack: could not say in App Home where an opened case went');
      }
      return;
    }
    // Clicked in a channel (a command's answer), nothing changes where the person looks: they are told where the case went.
    if (body.response_url && posted.channel && body.channel?.id !== posted.channel) {
      const { where, said } = wentTo();
      try {
        await tellUser(client, toUser(body), reply(where, [said]));
      } catch (err) {
        // The case is in their DM all the same (a response_url expires after 30 minutes).
        log.warn({ err }, 'slack: could not say where an opened case went');
      }
    }
  });

  on(ACTIONS.logActivity, async (viewer, value, body, client) => {
    if (body.view?.type !== 'home') {
      await tellUser(client, toUser(body), logClaimActivity(deps, viewer, value));
      return;
    }
    // In App Home the page is published again with what happened on top: done, or refused (a
    // button gone stale: the claim expired since), the page then showing how things stand.
    let said: Reply['blocks'];
    try {
      said = logClaimActivity(deps, viewer, value).blocks;
    } catch (e) {
      if (!isDomainError(e)) throw e;
      // A refusal as busy says itself that nothing was saved.
      said = e.code === 'busy' ? [text(e.message, 'warning')] : [text(e.message, 'warning'), text('Nothing was changed.', 'muted')];
    }
    const page: Reply = home(deps, viewer);
    await client.views.publish({ user_id: body.user.id, view: homeView({ ...page, blocks: [...said, { type: 'divider' }, ...page.blocks] }) });
  });
}
