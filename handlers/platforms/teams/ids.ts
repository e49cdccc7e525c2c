import { ACTIONS, FORMS, type ActionId, type FormId } from '../../replies/model.js';

/**
 * Every Teams identifier roe-bot uses, defined once. The manifest (manifests/teams/manifest.json)
 * lists the same commands for each scope; a test checks the two agree and that every verb here
 * has a route in the bot.
 */
export const TEAMS_IDS = {
  /** Commands typed to the bot (after its @mention in a channel or group chat), as in the manifest. */
  commands: {
    whoOwns: 'who-owns',
    claim: 'claim',
    dispute: 'dispute',
    roe: 'roe',
    help: 'help',
  },
  /** `Action.Execute` verbs of buttons, one per neutral action. */
  actions: {
    [ACTIONS.pickAccount]: 'roe.pickAccount',
    [ACTIONS.approve]: 'roe.rule.approve',
    [ACTIONS.award]: 'roe.rule.award',
    [ACTIONS.ask]: 'roe.rule.ask',
    [ACTIONS.answer]: 'roe.answer',
    [ACTIONS.logActivity]: 'roe.logActivity',
    [ACTIONS.openClaim]: 'roe.openClaim',
    [ACTIONS.openDispute]: 'roe.openDispute',
    [ACTIONS.snooze]: 'roe.snoozeReminder',
    [ACTIONS.openCase]: 'roe.openCase',
  } as const satisfies Record<ActionId, string>,
  /** `Action.Execute` verbs of form submit buttons, one per neutral form. */
  submits: {
    [FORMS.claim]: 'roe.submit.claim',
    [FORMS.dispute]: 'roe.submit.dispute',
    [FORMS.award]: 'roe.submit.award',
    [FORMS.ask]: 'roe.submit.ask',
    [FORMS.answer]: 'roe.submit.answer',
  } as const satisfies Record<FormId, string>,
  /** Refresh verbs (Universal Actions `refresh`): the card as it stands now, for the viewer. */
  refresh: {
    /** A dispute's case card: the ruling buttons for whoever may rule, the outcome once ruled. */
    disputeCase: 'roe.refresh.case',
    /** An answer asked in a channel or group chat: shown only to the person who asked. */
    privateAnswer: 'roe.refresh.private',
  },
  /** Buttons back to what a card took the place of (Teams replaces the card clicked). */
  back: {
    /** A case card opened from `roe queue`: the queue again, the page it came from, as it now stands. */
    queue: 'roe.back.queue',
  },
  /** Keys of `Action.Execute` data. Inputs are merged in beside them under their field ids. */
  data: {
    /** The button's neutral value (an account id, a dispute id, a claim id). */
    value: 'value',
    /** A form's hidden state (e.g. the dispute id of an award form). */
    state: 'state',
    /**
     * A form's account fields shown filled in, by field id: the name shown (`label`) and the
     * account's id (`value`). Submitted unchanged, the name stands for the id (Teams has no picker).
     */
    prefill: 'prefill',
    /**
     * A form card's instance: the id of the activity that asked for it. One person's submits of
     * one instance (a double click) are one request.
     */
    instance: 'instance',
    /** Action.Submit fallback: the verb travels in the data. */
    verb: 'verb',
    /**
     * A private answer: whom it is for, the command that produced it, and the asker's name as the
     * card everyone sees shows it (what it says again to anyone else who clicks it).
     */
    for: 'for',
    command: 'command',
    asker: 'asker',
    /** A case card's lead lines (why it came), and the case's stamp they hold for (see Reply.lead). */
    lead: 'lead',
    stamp: 'stamp',
    /** A reminder's refresh: redrawn as the reminder, its snooze buttons kept, while it holds. */
    reminder: 'reminder',
    /** A button whose card stays as it is: what it brings comes as a message of its own (Button.keep). */
    keep: 'keep',
    /**
     * A case card opened from `roe queue`: the page of the queue it came from, carried by the
     * queue's Open buttons, then by the case card's buttons and refresh, so that it keeps its way back.
     */
    queue: 'queue',
  },
  /** Bot Framework names used by the adapter. */
  invoke: { adaptiveCardAction: 'adaptiveCard/action' },
  contentTypes: {
    card: 'application/vnd.microsoft.card.adaptive',
    /** An invoke's answer that leaves the card clicked as it is, and shows the person a line. */
    message: 'application/vnd.microsoft.activity.message',
  },
  channelId: 'msteams',
} as const;

export type ButtonVerb = (typeof TEAMS_IDS.actions)[ActionId];
export type SubmitVerb = (typeof TEAMS_IDS.submits)[FormId];
export type RefreshVerb = (typeof TEAMS_IDS.refresh)[keyof typeof TEAMS_IDS.refresh];
export type BackVerb = (typeof TEAMS_IDS.back)[keyof typeof TEAMS_IDS.back];
export type Verb = ButtonVerb | SubmitVerb | RefreshVerb | BackVerb;

/** Every verb a card can carry, for routing and for the test that checks each has a route. */
export const ALL_VERBS: readonly Verb[] = [...Object.values(TEAMS_IDS.actions), ...Object.values(TEAMS_IDS.submits), ...Object.values(TEAMS_IDS.refresh), ...Object.values(TEAMS_IDS.back)];

export function isVerb(v: unknown): v is Verb {
  return typeof v === 'string' && (ALL_VERBS as readonly string[]).includes(v);
}
