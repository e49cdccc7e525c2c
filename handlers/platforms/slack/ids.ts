import { ACTIONS, FORMS, type ActionId, type FormId } from '../../replies/model.js';

/**
 * Every Slack identifier roe-bot uses, defined once. The manifest (manifests/slack/manifest.yaml)
 * declares the same commands and shortcut; a test checks the two agree and that every id here
 * has a listener.
 */
export const SLACK_IDS = {
  /** Slash commands, as typed (and as in the manifest). */
  commands: {
    whoOwns: '/who-owns',
    claim: '/claim',
    dispute: '/dispute',
    roe: '/roe',
  },
  /** Shortcut callback ids. */
  shortcuts: {
    disputeMessage: 'dispute_message',
  },
  /**
   * Button action ids, one per neutral action. When one message carries several buttons of the
   * same action, the second and later get a `:n` suffix (Block Kit wants action ids unique
   * within a message); listeners match `id` and `id:n` (see {@link actionPattern}).
   */
  actions: {
    [ACTIONS.pickAccount]: 'roe_pick_account',
    [ACTIONS.approve]: 'roe_rule_approve',
    [ACTIONS.award]: 'roe_rule_award',
    [ACTIONS.ask]: 'roe_rule_ask',
    [ACTIONS.answer]: 'roe_answer_question',
    [ACTIONS.logActivity]: 'roe_log_activity',
    [ACTIONS.openClaim]: 'roe_open_claim',
    [ACTIONS.openDispute]: 'roe_open_dispute',
    [ACTIONS.snooze]: 'roe_snooze_reminder',
    [ACTIONS.openCase]: 'roe_open_case',
  } satisfies Record<ActionId, string>,
  /** The account typeahead (external_select) in forms; its options come from the options listener. */
  options: {
    account: 'roe_account_search',
  },
  /** Modal callback ids, one per neutral form. */
  views: {
    [FORMS.claim]: 'roe_claim_form',
    [FORMS.dispute]: 'roe_dispute_form',
    [FORMS.award]: 'roe_award_form',
    [FORMS.ask]: 'roe_ask_form',
    [FORMS.answer]: 'roe_answer_form',
  } satisfies Record<FormId, string>,
  /** Events the app subscribes to. */
  events: {
    appHomeOpened: 'app_home_opened',
  },
  /**
   * Inside a modal each field is an input block whose block_id is the neutral field id (so
   * `response_action: errors` keys are the handler's field ids), holding one element with this
   * action_id. Inputs dispatch no actions, so these need no listener.
   */
  inputs: {
    value: 'value',
  },
} as const;

/** The listener pattern for a button action id: the id itself or the id with a `:n` suffix. */
export function actionPattern(actionId: string): RegExp {
  return new RegExp(`^${actionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::\\d+)?$`);
}
