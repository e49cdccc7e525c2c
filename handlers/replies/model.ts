import { hasMoment, momentsAsText } from './moment.js';
import { caseKindWords } from '../../src/core/disputes/case-kind.js';
import type { Dispute } from '../../src/core/types.js';

/**
 * The neutral reply and form model. Handlers speak only this; each platform renders it
 * (Slack Block Kit, Teams Adaptive Cards, console text). Every string here is plain text
 * typed by a person or written by the bot: renderers escape it for their markup, so
 * nothing a user typed is ever read as markup, a mention or a link.
 */

/** Neutral action ids: one per button a reply can carry. Platforms map them to their own ids. */
export const ACTIONS = {
  pickAccount: 'pick_account',
  approve: 'rule_approve',
  award: 'rule_award',
  ask: 'rule_ask',
  /** A party answers a question asked on its case: the answer form. */
  answer: 'answer_question',
  logActivity: 'log_activity',
  openClaim: 'open_claim',
  openDispute: 'open_dispute',
  snooze: 'snooze_reminder',
  /** A case of the person's queue: its card, with the ruling buttons when they may rule. */
  openCase: 'open_case',
} as const;
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

/** Neutral form ids. */
export const FORMS = {
  claim: 'claim',
  dispute: 'dispute',
  award: 'award',
  ask: 'ask',
  answer: 'answer',
} as const;
export type FormId = (typeof FORMS)[keyof typeof FORMS];

export type Tone = 'normal' | 'muted' | 'good' | 'warning' | 'attention';

/**
 * The mark a line of each tone starts with in Slack and Teams: ✅ done, ⚠️ take care (a refusal
 * too: nothing was changed), ⛔ lost or failed. Slack shows a line in no colour; Teams' colour
 * alone would say it neither to a screen reader nor to someone who cannot tell the colours apart.
 * Unicode characters, never a `:shortcode:` (a name typed as one stays text).
 */
export const TONE_MARK: Record<Tone, string> = { normal: '', muted: '', good: '\u2705 ', warning: '\u26A0\uFE0F ', attention: '\u26D4 ' };

export type Block =
  | { type: 'text'; text: string; tone?: Tone }
  | { type: 'facts'; facts: { label: string; value: string }[] }
  /** A list item is one line (its detail a second): a line break typed into either shows as a space. */
  | { type: 'list'; title?: string; items: { text: string; detail?: string }[] }
  /**
   * Words a person wrote at length (evidence, a reason, a rationale, a question), under a label
   * saying what they are: set apart from the bot's own lines and shown as written, line breaks
   * kept inside the quote, so that nothing typed there can pass for a line of the bot's.
   */
  | { type: 'quote'; label: string; text: string; many?: boolean }
  | { type: 'actions'; actions: Button[] }
  | { type: 'divider' };

export interface Button {
  action: ActionId;
  label: string;
  /** Opaque to the platform: handed back to the handler on click. */
  value: string;
  style?: 'primary' | 'danger';
  /**
   * What a screen reader says for the button in place of its label, where the label alone does
   * not say what it acts on ("Open #12"): Slack's `accessibility_label`, Teams' `tooltip` (also
   * shown on hover). Plain text, cut to the platform's limit; the label shown is unchanged.
   */
  accessibilityLabel?: string;
  /**
   * Asked before a click that cannot be undone counts (Slack's confirmation dialog: `text`, then
   * `yes` or Cancel; in Teams the first click shows `text` and the `yes` button under the card's
   * buttons); the console's typed commands act at once.
   */
  confirm?: { title: string; text: string; yes: string };
  /**
   * The message it is on stays as it is when clicked, and what the button brings comes as a
   * message of its own (as Slack's buttons that open a case always do): the message holds what
   * nothing else keeps (a party's answer). Teams otherwise replaces the card clicked.
   */
  keep?: boolean;
}

export interface Reply {
  /** `private`: only the person who asked sees it. `public`: posted where it was asked. */
  visibility: 'private' | 'public';
  /** One line, plain: the notification text and the fallback for clients without rich display. */
  summary: string;
  title?: string;
  blocks: Block[];
  /**
   * A case card under a few lines saying why it came (escalated to you, snoozed until…): those
   * first `count` blocks hold while the case stands as `stamp` says (see caseStamp). A card that
   * redraws itself from the case (Teams' refresh) keeps them until then.
   */
  lead?: { count: number; stamp: string };
}

/** A case card (`card`) under lines saying why it came, which hold while the case stands as `stamp` says. */
export function withLead<R extends Reply>(card: R, lead: Block[], stamp: string): R {
  return { ...card, blocks: [...lead, ...card.blocks], lead: { count: lead.length, stamp } };
}

/** Whether a stored outbox body is a reply (what every deliverer sends). */
export function isReply(body: unknown): body is Reply {
  if (typeof body !== 'object' || body === null) return false;
  const r = body as Record<string, unknown>;
  return typeof r.summary === 'string' && Array.isArray(r.blocks);
}

/**
 * A post in a dispute's thread as queued: the reply made for a channel that may hold any
 * partner, and how to post it. It rides in the body because messages to one target keep their
 * order only while the target stays the same.
 */
export interface ThreadPost extends Reply {
  /**
   * The same update made for the raiser, sent to them where the bot may not post in the
   * thread's channel (or where the channel is the raiser's own chat); null when a message of
   * their own already says it; absent on posts that have none.
   */
  raiserCopy?: Reply | null;
  /**
   * What the raiser's copy calls the case ("dispute #3", "approval of claim #12 (case #7)"), for
   * a note sent with it; absent with no copy (the post itself speaks of "dispute #N").
   */
  raiserCase?: string;
  /** Also shown in the channel (Slack `reply_broadcast`): how a case ended. */
  broadcast?: boolean;
}

/** The raiser's copy of a queued thread post: a reply, null (none to send), or undefined (send the post itself). */
export function raiserCopyOf(body: unknown): Reply | null | undefined {
  const copy = (body as ThreadPost).raiserCopy;
  return copy === null ? null : isReply(copy) ? copy : undefined;
}

/**
 * A post to a channel as queued, and the same news made for the person who gets it by DM when
 * the bot may not post there (the target's `fallbackUser`): spoken to, not about.
 */
export interface ChannelPost extends Reply {
  fallbackCopy?: Reply;
  /**
   * The channel in words (`the escalation channel`), for the note before the fallback copy where
   * a platform has no mention of a channel to show (Teams).
   */
  place?: string;
}

/** What a queued channel post calls its channel in words, if it says. */
export function placeOf(body: unknown): string | undefined {
  const place = (body as ChannelPost).place;
  return typeof place === 'string' && place.trim() !== '' ? place : undefined;
}

/** The copy of a queued channel post made for its fallback user, if it has one. */
export function fallbackCopyOf(body: unknown): Reply | undefined {
  const copy = (body as ChannelPost).fallbackCopy;
  return isReply(copy) ? copy : undefined;
}

/**
 * A DM showing a case with its ruling buttons, as queued for the person who rules: where it
 * lands is remembered (Slack), so that it is brought up to date once the case moves on.
 */
/** The case a case card shows, and the person of the policy it is for. */
export interface CaseCardRef {
  disputeId: number;
  person: string;
}

export interface CaseCardPost extends Reply {
  caseCard?: CaseCardRef;
}

/** The case a queued DM shows with its ruling buttons, if it does. */
export function caseCardOf(body: unknown): CaseCardRef | undefined {
  const c = (body as CaseCardPost).caseCard;
  return c && typeof c.disputeId === 'number' && typeof c.person === 'string' ? c : undefined;
}

/**
 * A Slack case card brought up to date in place, as queued: the case it shows, for the log line
 * that says which card was left as it was (one deleted meanwhile), and whose card it is (the
 * person of the policy it was sent to; not in updates queued by an earlier release): an update
 * that keeps the ruling buttons is sent only while that person may still rule.
 */
export interface CardUpdatePost extends Reply {
  cardUpdate?: { disputeId: number; person?: string };
}

/** The case a queued update of a case card shows, and whose card it is, if it says. */
export function cardUpdateOf(body: unknown): { disputeId: number; person?: string } | undefined {
  const c = (body as CardUpdatePost).cardUpdate;
  if (!c || typeof c.disputeId !== 'number') return undefined;
  return typeof c.person === 'string' ? { disputeId: c.disputeId, person: c.person } : { disputeId: c.disputeId };
}

/**
 * A message that says something only until a moment (a warning before a deadline): queued, it
 * is not sent once that moment has passed (the bot or the platform was down meanwhile), since
 * what it warns of has happened by then. An ISO date in the stored body.
 */
export interface TimelyReply extends Reply {
  staleAt?: string;
}

/** The moment a queued message stops making sense, if it has one. */
export function staleAtOf(body: unknown): Date | undefined {
  const at = typeof body === 'object' && body !== null ? (body as TimelyReply).staleAt : undefined;
  const d = typeof at === 'string' ? new Date(at) : undefined;
  return d && Number.isFinite(d.getTime()) ? d : undefined;
}

export type FieldKind = 'text' | 'multiline' | 'number' | 'select' | 'account';

export interface Field {
  id: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** For `select`; for `account` the platform offers a typeahead backed by the matcher. */
  options?: { value: string; label: string }[];
  initial?: { value: string; label: string };
  /**
   * For `account`: `initial` is the text typed with the command, which names no single account
   * (the form's intro says why), kept in the field to be corrected rather than typed again: its
   * value is that text, not an account's id.
   */
  asTyped?: boolean;
  placeholder?: string;
  hint?: string;
  maxLength?: number;
}

export interface Form {
  id: FormId;
  title: string;
  submitLabel: string;
  intro?: string;
  fields: Field[];
  /** Hidden values carried through the form (e.g. the dispute id). */
  state: Record<string, string>;
}

/** What a handler answers to a submitted form: done, or errors to show on the fields. */
export type Submission = { ok: true; reply: Reply } | { ok: false; errors: Record<string, string>; message: string };

export function text(t: string, tone?: Tone): Block {
  return tone ? { type: 'text', text: t, tone } : { type: 'text', text: t };
}

let segmenter: Intl.Segmenter | undefined;

/**
 * The characters of `s` as a reader sees them (grapheme clusters): a letter with its combining
 * accents (e + U+0301), a flag (two regional indicators), an emoji with its skin tone or a
 * family joined by zero-width joiners (👩‍👩‍👧) is one.
 */
export function graphemes(s: string): Iterable<string> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/**
 * `s` cut to at most `max` characters (UTF-16 code units), ending in an ellipsis when cut; the
 * cut falls between the characters a reader sees ({@link graphemes}), never inside a surrogate
 * pair, between a letter and its accent, or inside an emoji sequence or a flag.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = 0;
  for (const g of graphemes(s.slice(0, max + 32))) {
    if (end + g.length > max - 1) break;
    end += g.length;
  }
  return `${s.slice(0, end)}…`;
}

/**
 * `s` cut to `max` characters as a reader counts them (its moments in the policy's words): whole,
 * its moments still marked, when it fits; else those words cut ({@link clip}), never a mark in two.
 */
export function clipMarked(s: string, max: number): string {
  if (!hasMoment(s)) return clip(s, max);
  const words = momentsAsText(s);
  return words.length <= max ? s : clip(words, max);
}

/** `many`: one of many of its kind (each claim's evidence), the first to give way on a crowded card. */
export function quote(label: string, words: string, opts: { many?: boolean } = {}): Block {
  return { type: 'quote', label, text: words, ...(opts.many ? { many: true } : {}) };
}

/** Text meant as one line (a list item, a fact), its line breaks shown as spaces. */
export function oneLine(s: string): string {
  return /[\r\n\v\f\u0085\u2028\u2029]/.test(s) ? s.replace(/(?<![ \t])[ \t]*(?:[\r\n\v\f\u0085\u2028\u2029][ \t]*)+/g, ' ') : s;
}

export function reply(summary: string, blocks: Block[], opts: { title?: string; visibility?: Reply['visibility'] } = {}): Reply {
  // The summary is plain wherever it shows (a notification, a client without cards): a moment in it reads as the policy's words.
  return { visibility: opts.visibility ?? 'private', summary: momentsAsText(summary), ...(opts.title ? { title: opts.title } : {}), blocks };
}

/**
 * What an admin does about a message a person's platform refused because they left (their
 * user deactivated or gone), as the parked message's error says it on every platform: for a case
 * card, who they are in the policy, their case (`d`, read by the deliverer, names it as
 * caseKindWords does; else "dispute #N"), which moves on by itself (unless another platform
 * may still reach them: see unreachable in the SLA service), and what moves their other cases on.
 */
export function departedAdvice(card: CaseCardRef | undefined, d?: Pick<Dispute, 'id' | 'parties' | 'claimIds'> | null): string {
  // Named as the company's people name it: a claim waiting for approval as the approval of its claim.
  const named = d && d.id === card?.disputeId ? caseKindWords(d) : `dispute #${card?.disputeId}`;
  return card
    ? `they are "${card.person}" of the policy, who has ${named}: it moves on to the next of its escalation chain (or, past its end, to the escalation channel) unless they can be reached on another platform, where their card goes instead; if they left, remove them from the policy's people in a new version and all their open cases move on`
    : 'if they left, see “When someone leaves” in the README';
}

/** What a person reads when a request fails on our side (logged; nothing was changed): one text on every platform. */
export const APOLOGY = 'Sorry, something went wrong on our side. It has been logged; please try again in a moment.';
