import { createHash } from 'node:crypto';
import { ActivityTypes, TeamsActivityHandler, TeamsInfo, TurnContext, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TeamsChannelAccount } from 'botbuilder';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import { DomainError, isDomainError } from '../../../src/core/errors.js';
import type { ThreadRef } from '../../../src/core/types.js';
import { logClaimActivity } from '../../activity.js';
import { claimForm, claimStatus, submitClaim, type SubmitMeta } from '../../claim.js';
import { type HandlerDeps } from '../../deps.js';
import { disputeForm, submitDispute } from '../../dispute.js';
import { ACTIONS, APOLOGY, FORMS, quote, reply, text, TONE_MARK, type Block, type Form, type Reply } from '../../replies/model.js';
import { help, mine, pageNumber, queue, roe } from '../../roe.js';
import { caseTitle } from '../../dispute-card.js';
import { approve, askedCard, askForm, awardForm, caseCard, submitAward, withMovedPast } from '../../rule.js';
import { answerForm, questionOf, submitAnswer } from '../../answer.js';
import { dueAhead, snoozeButtons, snoozeStays } from '../../notify.js';
import { snoozeReminder } from '../../snooze.js';
import { FormValuesError } from '../../validate.js';
import { showAccount, whoOwns } from '../../who-owns.js';
import { contactFrom, isPersonal, tenantOf, type TeamsContacts } from './contacts.js';
import { isVerb, TEAMS_IDS, type Verb } from './ids.js';
import { cardAttachment, leadData, leadOf, plain, renderForm, renderPrivateStub, renderRefusal, renderReply, type AdaptiveCard, type BackButton, type CardRefresh, type FormState, type Prefill } from './render.js';

/** The log the adapter writes to (a pino logger fits). */
export interface TeamsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TeamsBotOptions {
  deps: HandlerDeps;
  resolve: (identity: ChatIdentity) => Principal;
  /** Whether a tenant is the company's own (its users are internal). */
  isHomeTenant: (tenantId: string | null) => boolean;
  /**
   * Ask Teams' roster about each sender: whether a guest account or an anonymous meeting
   * participant (either acts for nobody), and
   * which tenant they are of (in a channel or a group chat the activity names the host's). Set
   * when Teams is authenticated or the company's tenant is configured.
   */
  useRoster?: boolean;
  contacts: TeamsContacts;
  log: TeamsLog;
}

const GUEST_TTL_MS = 10 * 60_000;
/** How long a turn waits for Teams to say whether someone is a guest. */
const ROSTER_TIMEOUT_MS = 2_000;
/** How many people's roster answers are kept. */
const MAX_ROSTER_ANSWERS = 5_000;
/** The refusal of someone of the company's tenant Teams has never said is a guest or not, and cannot say now. */
const NOT_CONFIRMED = 'I could not confirm with Teams which organisation you belong to: Teams is not answering just now. Please try again in a minute.';

/** A case card's refresh, for the person it was shown to. */
function caseRefresh(disputeId: string, userId: string): CardRefresh {
  return { verb: TEAMS_IDS.refresh.disputeCase, data: { [TEAMS_IDS.data.value]: disputeId }, userIds: [userId] };
}

/**
 * What a user action produced, before it is a card: a reply's buttons may carry where it came
 * from (`carry`), and a button under them go `back` to the card it took the place of.
 */
type Answer = { kind: 'reply'; reply: Reply; refresh?: CardRefresh | undefined; carry?: Record<string, unknown> | undefined; back?: BackButton | undefined } | { kind: 'form'; form: Form; state?: FormState } | { kind: 'card'; card: AdaptiveCard; summary: string };

/** An answer as a card; a form's card is the instance `instance` (the id of the activity that asked for it). */
function renderAnswer(a: Answer, instance: string | undefined): AdaptiveCard {
  if (a.kind === 'reply') return renderReply(a.reply, { refresh: a.refresh, carry: a.carry, back: a.back });
  if (a.kind === 'form') return renderForm(a.form, { instance, ...a.state });
  return a.card;
}

/**
 * The key that makes a submit done once: one person's submits of one form card are one
 * request (a double click sends two activities); without an instance, the activity itself (a
 * redelivery). Hashed: the key is stored, and names nobody.
 */
function requestKeyOf(a: Activity, data: Record<string, unknown>): string | null {
  const instance = str(data[TEAMS_IDS.data.instance]);
  if (instance && a.from?.id) return formKey(a.from.id, instance);
  return a.id ? `teams:${a.id}` : null;
}

function formKey(userId: string, instance: string): string {
  return `teams:form:${createHash('sha256').update(`${userId}\n${instance}`).digest('hex').slice(0, 32)}`;
}

function summaryOf(a: Answer): string {
  return a.kind === 'reply' ? a.reply.summary : a.kind === 'form' ? a.form.title : a.summary;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

const RESERVED: ReadonlySet<string> = new Set(Object.values(TEAMS_IDS.data));

/** The account fields a submitted form showed filled in ({@link Prefill}), as its button carried them. */
export function prefillOf(data: Record<string, unknown>): Prefill {
  const carried = data[TEAMS_IDS.data.prefill];
  const out: Prefill = {};
  if (isRecord(carried)) {
    for (const [k, v] of Object.entries(carried)) {
      if (isRecord(v) && typeof v.label === 'string' && typeof v.value === 'string') out[k] = { label: v.label, value: v.value };
    }
  }
  return out;
}

/**
 * A submitted card's values: its inputs (as text), an account name submitted as it was filled in
 * replaced by that account's id, then its hidden state, which wins. (The id is no more than the
 * person could type: an account id typed is taken as such.)
 */
export function formValues(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (RESERVED.has(k)) continue;
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  for (const [k, { label, value }] of Object.entries(prefillOf(data))) {
    if (out[k] !== undefined && out[k].trim() === label.trim()) out[k] = value;
  }
  const state = data[TEAMS_IDS.data.state];
  if (isRecord(state)) for (const [k, v] of Object.entries(state)) if (typeof v === 'string') out[k] = v;
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
/** The HTML Teams wraps typed text in (rich text, pasted links, mentions): tags of these names only, so a typed "<acme>" stays. */
const HTML_TAG = /<\/?(?:at|a|p|div|span|br|b|strong|i|em|u|s|strike|code|pre|blockquote|ul|ol|li|h[1-6])\b[^<>]*>/gi;

/** A person, channel or tag @mentioned in a message, with its name. */
const MENTION = /<at\b[^<>]*>[^<]*<\/at>/gi;

/**
 * What a message says, as typed: its text, the bot's mention left out. An account is looked up
 * without anyone else @mentioned in the text (`who-owns acme @Sam Patel`): an account is no
 * one to mention, and the name would be searched with it.
 */
const typedText = (a: Activity): string => {
  const raw = TurnContext.removeRecipientMention(a) ?? a.text ?? '';
  const text = plainFromTeams(raw);
  return parseCommand(text).command === TEAMS_IDS.commands.whoOwns ? plainFromTeams(raw.replace(MENTION, ' ')) : text;
};

/** A typed command as the card everyone sees names it: the text, or help when it names no command. */
const asked = (text: string): string => (parseCommand(text).command ? text.trim() : 'help');

/** What a channel or group chat sees when someone asks: who asked what; the answer is the card's refresh, for the asker alone. */
function privateStub(askerName: string, command: string, forUser: string, other = false): Answer {
  return { kind: 'card', card: renderPrivateStub({ askerName, command, forUser, other }), summary: `${askerName} asked roe-bot` };
}

/** The roles Teams' roster gives a full member of a tenant (`owner` for a team's owners; none from a roster that gives no role). */
const MEMBER_ROLES: ReadonlySet<string> = new Set(['', 'user', 'owner', 'member']);
/** The roles of someone who is no full member of the tenant the roster names. */
const OUTSIDER_ROLES: ReadonlySet<string> = new Set(['guest', 'anonymous']);

/** The roster's `userRole` of a user, in lower case ('' for none). */
function roleOf(member: Pick<TeamsChannelAccount, 'userRole'>): string {
  return typeof member.userRole === 'string' ? member.userRole.trim().toLowerCase() : '';
}

/**
 * Whether Teams' roster says the account is no full member of the tenant it names. A guest
 * (`guest`, or an Entra B2B sign-in name with `#EXT#`) may be anyone's person; an anonymous
 * meeting participant (`anonymous`, someone who joined by the link without signing in) is given
 * the tenant of the meeting's organiser; a role Teams may add later is not taken on trust either.
 */
function notAMember(member: Pick<TeamsChannelAccount, 'userRole' | 'userPrincipalName'>): boolean {
  return !MEMBER_ROLES.has(roleOf(member)) || /#EXT#/i.test(member.userPrincipalName ?? '');
}

/** What Teams' roster said of a user: whether no full member ({@link notAMember}: a guest, an anonymous participant), the tenant it places them in, and when. */
interface RosterAnswer {
  guest: boolean;
  tenant: string | null;
  at: number;
}

/**
 * A message's text as the person typed it. Teams may send it as HTML: a mention of the bot
 * first (`<at>roe</at>`, left there when no mention entity names it as the bot), rich text
 * (`<p>`, `<strong>`), pasted links and e-mail addresses as `<a>`, characters as entities
 * (`&amp;`, `&#160;`). Leading mentions go; other tags leave their text, and entities are
 * read as their characters; zero-width characters go.
 */
export function plainFromTeams(text: string): string {
  return text
    .replace(/^(?:\s|&nbsp;)*(?:<at\b[^<>]*>[^<]*<\/at>(?:\s|&nbsp;)*)+/i, '')
    .replace(/<(?:br|\/p|\/div|\/li)\b[^<>]*>/gi, ' ')
    .replace(HTML_TAG, '')
    .replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi, (whole, dec?: string, hex?: string, name?: string) => {
      const code = dec ? Number(dec) : hex ? parseInt(hex, 16) : undefined;
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      return ENTITIES[name!.toLowerCase()] ?? whole;
    })
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '');
}

/** A command word written with a colon after it, as in a note (`who-owns: acme`). */
const COMMAND_COLON = /^\/?(who-owns|claim|dispute|roe|help|mine|queue|case|activity|stats|policy):\s*/i;

/** Typed text as a command word and the rest, the bot's @mention already removed. */
export function parseCommand(text: string): { command: string; rest: string } {
  const clean = text.replace(/&nbsp;/g, ' ').replace(/[\u00a0\s]+/g, ' ').trim();
  // "who owns acme" (and "who-owns acme?") as people write it; a lone "?" after the command
  // ("who-owns ?") asks how to use it, as in Slack, and is kept.
  const asked = clean.replace(/^\/?who\s+owns\b/i, 'who-owns');
  const words = (/^\S+ \?$/.test(asked) ? asked : asked.replace(/(?<!\?)\?+$/, '').trim()).replace(COMMAND_COLON, '$1 ');
  const [first = '', ...rest] = words.split(' ');
  return { command: first.replace(/^\//, '').toLowerCase(), rest: rest.join(' ').trim() };
}

/** A channel conversation id carries its thread: `19:…@thread.tacv2;messageid=ROOT`. */
export function splitThread(conversationId: string): { channel: string; thread: string | null } {
  const m = /^(.*);messageid=(\d+)$/.exec(conversationId);
  return m ? { channel: m[1]!, thread: m[2]! } : { channel: conversationId, thread: null };
}

/** Where a claim or dispute was raised: a channel's thread, or the chat itself. */
export function originOf(activity: Activity): ThreadRef {
  const conv = activity.conversation;
  if (conv.conversationType === 'channel') {
    const { channel, thread } = splitThread(conv.id);
    return { platform: 'teams', channel, thread: thread ?? activity.replyToId ?? activity.id ?? null };
  }
  return { platform: 'teams', channel: conv.id, thread: null };
}

/**
 * roe-bot in Teams: typed commands, card buttons and form submits (Universal Actions, with the
 * Action.Submit fallback), and installs. It only translates: activity -> handler -> card.
 * Refusals and failures are thrown and answered by {@link createTurnErrorHandler}.
 */
export class RoeTeamsBot extends TeamsActivityHandler {
  constructor(private readonly o: TeamsBotOptions) {
    super();
    this.onMessage(async (ctx, next) => {
      await this.onUserMessage(ctx);
      await next();
    });
    // Installed (or a member added): remember who did it and, in a 1:1, where to reach them later.
    this.onConversationUpdate(async (ctx, next) => {
      const a = ctx.activity;
      if (a.from?.id) {
        const who = this.principal(a);
        this.remember(a, who);
        const botAdded = (a.membersAdded ?? []).some((m) => m.id === a.recipient.id);
        if (botAdded && isPersonal(a)) await this.send(ctx, { kind: 'reply', reply: help(who) });
      }
      await next();
    });
    this.onInstallationUpdate(async (ctx, next) => {
      if (ctx.activity.from?.id) this.remember(ctx.activity, this.principal(ctx.activity));
      await next();
    });
  }

  /** Roster answers, by user id. */
  private readonly roster = new Map<string, RosterAnswer>();

  /**
   * Every turn first asks Teams' roster (once per person every ten minutes) whether the sender is
   * a guest account and which tenant they are of: a partner's person invited into the company's
   * tenant arrives with its tenant id and must not read as a colleague (nor someone invited into a
   * partner's tenant as that partner), nor may someone who joined a meeting anonymously (whom the
   * roster places in the organiser's tenant), and in a channel or group chat the activity names the
   * host's tenant, not the sender's. While Teams does not answer
   * (within two seconds), its last answer stands. With none yet the person is not known: nothing
   * they ask is done (it is logged), and a message, a click or a new 1:1 chat with the bot is
   * told to try again in a minute (as Slack refuses someone users.info never answered for).
   */
  override async run(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const id = a?.from?.id;
    if (this.o.useRoster && id && !(await this.askRoster(ctx, id))) {
      // In a channel the refusal, as any answer, reaches the asker alone: in the refresh of the
      // card everyone sees (which asks the roster again).
      if (a.type === ActivityTypes.Message && !isPersonal(a)) return this.send(ctx, privateStub(a.from.name || id, asked(typedText(a)), id));
      if (a.type === ActivityTypes.Message || a.type === ActivityTypes.Invoke || (a.type === ActivityTypes.ConversationUpdate && isPersonal(a) && (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id))) {
        throw new DomainError('unknown_user', NOT_CONFIRMED);
      }
      return;
    }
    await super.run(ctx);
  }

  /** The roster's answer for a user: fresh, or asked now, or the last one while Teams does not answer; undefined when Teams never answered for them. */
  private async askRoster(ctx: TurnContext, id: string): Promise<RosterAnswer | undefined> {
    const now = this.o.deps.ctx.clock.now().getTime();
    const known = this.roster.get(id);
    if (known && now - known.at <= GUEST_TTL_MS) return known;
    let timer: NodeJS.Timeout | undefined;
    try {
      // Not long: the person waits for the answer (and the SDK retries a failing roster for seconds).
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no roster answer within ${ROSTER_TIMEOUT_MS} ms`)), ROSTER_TIMEOUT_MS);
      });
      const member = await Promise.race([TeamsInfo.getMember(ctx, id), timedOut]);
      const role = roleOf(member);
      if (!MEMBER_ROLES.has(role) && !OUTSIDER_ROLES.has(role)) {
        this.o.log.warn({ userRole: role.slice(0, 40) }, 'teams: the roster gives a user a role roe-bot does not know (neither user, owner, guest nor anonymous); they are taken for a guest and may only ask for help');
      }
      const answer = { guest: notAMember(member), tenant: typeof member.tenantId === 'string' && member.tenantId !== '' ? member.tenantId : null, at: now };
      // Kept in the order last asked: the one dropped past the limit is the one asked longest ago.
      this.roster.delete(id);
      this.roster.set(id, answer);
      if (this.roster.size > MAX_ROSTER_ANSWERS) this.roster.delete(this.roster.keys().next().value!);
      return answer;
    } catch (e) {
      if (known) {
        this.o.log.warn({ err: describeError(e) }, 'teams: could not ask the roster whose a user is (guest, tenant); their last answer stands');
      } else {
        this.o.log.warn({ err: describeError(e), activity: describeActivity(ctx.activity) }, 'teams: could not ask the roster whose a user is (guest, tenant), and Teams never answered for them; nothing they ask is done');
      }
      return known;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The sender's own tenant. Outside a 1:1 chat it is the roster's (the activity names the
   * host's); with no roster answer there (run refuses such a turn; this only if it was dropped
   * since) it is unknown, and so is the sender.
   */
  private senderTenant(a: Activity): string | null {
    if (this.o.useRoster !== true || isPersonal(a)) return tenantOf(a);
    const roster = this.roster.get(a.from.id);
    if (!roster) return null;
    // A roster that names no tenant: the host's stands only when it is the company's (whose roster says who is a guest).
    return roster.tenant ?? (this.o.isHomeTenant(tenantOf(a)) ? tenantOf(a) : null);
  }

  /** The principal of the sender: their tenant says internal, partner or unknown (a guest account is nobody's); the policy names people by Teams or Entra id. */
  private principal(a: Activity): Principal {
    const roster = this.o.useRoster === true ? this.roster.get(a.from.id) : undefined;
    const tenant = this.senderTenant(a);
    const home = this.o.isHomeTenant(tenant);
    // With the roster asked (run refuses a turn it never answered for; none here only if it was
    // dropped since, read as a guest): a guest account acts for nobody, in any tenant; nor does
    // someone the roster places in another tenant than their 1:1 chat names.
    const chat = isPersonal(a) ? tenantOf(a) : null;
    const guest = this.o.useRoster === true && (!roster || roster.guest || (chat !== null && roster.tenant !== null && roster.tenant.toLowerCase() !== chat.toLowerCase()));
    const identity: ChatIdentity = { platform: 'teams', userId: a.from.id, displayName: a.from.name || a.from.id, orgId: tenant, home: home && !guest, ...(guest ? { guest } : {}) };
    const p = this.o.resolve(identity);
    if (p.kind === 'internal' && p.personKey === null && a.from.aadObjectId) {
      const byAad = this.o.resolve({ ...identity, userId: a.from.aadObjectId });
      if (byAad.kind === 'internal' && byAad.personKey) return { ...p, personKey: byAad.personKey };
    }
    return p;
  }

  /** Every contact refreshes what the bot knows of the sender: first contact stores where to reach them. */
  private remember(a: Activity, who: Principal): void {
    if (!a.from?.id || !a.serviceUrl || !a.recipient?.id) return;
    const known = this.o.contacts.get(a.from.id);
    this.o.contacts.save(contactFrom(a, known, this.senderTenant(a)), {
      displayName: who.displayName,
      partnerId: who.kind === 'external' ? who.partnerId : null,
      personKey: who.kind === 'internal' ? who.personKey : null,
    });
  }

  private async send(ctx: TurnContext, a: Answer): Promise<void> {
    await ctx.sendActivity({ type: 'message', attachments: [cardAttachment(renderAnswer(a, ctx.activity.id))], summary: plain(summaryOf(a)) });
  }

  private async onUserMessage(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const who = this.principal(a);
    this.remember(a, who);
    const value: unknown = a.value;
    if (isRecord(value) && isVerb(value[TEAMS_IDS.data.verb])) {
      await this.onSubmitFallback(ctx, who, value[TEAMS_IDS.data.verb] as Verb, value);
      return;
    }
    const text = typedText(a);
    if (isPersonal(a)) {
      await this.send(ctx, this.command(who, text));
      return;
    }
    // In a channel or group chat the command runs only for the asker, in the refresh of the card
    // everyone sees (who asked what): its answer, or its refusal, reaches them alone. Run here, a
    // refusal would reach the turn error handler and be posted for all. (A reply marked public
    // would be shown privately too; no typed command gives one.)
    await this.send(ctx, privateStub(who.displayName, asked(text), a.from.id));
  }

  /** A typed command: who-owns, claim, dispute, roe …; anything else gets the help card. */
  private command(who: Principal, text: string): Answer {
    const { deps } = this.o;
    const { command, rest } = parseCommand(text);
    const c = TEAMS_IDS.commands;
    switch (command) {
      case c.whoOwns:
        return { kind: 'reply', reply: whoOwns(deps, who, rest) };
      case c.claim:
        return { kind: 'form', form: claimForm(deps, who, rest) };
      case c.dispute:
        return { kind: 'form', form: disputeForm(deps, who, rest) };
      case c.roe:
        return this.roeAnswer(who, rest);
      case c.help:
        return { kind: 'reply', reply: roe(deps, who, 'help') };
      default:
        // `mine`, `queue`, `case 12` typed without `roe` (its arguments kept).
        return this.roeAnswer(who, `${command} ${rest}`);
    }
  }

  /**
   * `roe <args>`: a page of the queue has its Open buttons carry which page it is, so that the
   * case card that takes its place has a way back to it ({@link fromQueue}).
   */
  private roeAnswer(who: Principal, args: string): Answer {
    const reply = roe(this.o.deps, who, args);
    const [sub = '', given = ''] = args.trim().split(/\s+/);
    const page = sub.toLowerCase() === 'queue' ? pageNumber(given) : null;
    return { kind: 'reply', reply, ...(page !== null ? { carry: queueCarry(page) } : {}) };
  }

  /**
   * A card clicked in a client without Universal Actions: a message whose value carries the verb.
   * In a 1:1 chat the card is replaced in place; elsewhere the answer could be for one person
   * only, so the person is asked to use the 1:1 chat (or a current Teams client) instead.
   */
  private async onSubmitFallback(ctx: TurnContext, who: Principal, verb: Verb, data: Record<string, unknown>): Promise<void> {
    const a = ctx.activity;
    if (!isPersonal(a)) {
      throw new DomainError('invalid_input', 'This Teams client cannot show roe-bot answers privately here. Use a current Teams client, or send the command to roe-bot in a 1:1 chat.');
    }
    // A card that stays as it is (Button.keep): what the button brings comes below it.
    if (kept(verb, data)) return this.send(ctx, this.act(a, who, verb, data));
    let answer: Answer;
    try {
      answer = this.act(a, who, verb, data);
    } catch (e) {
      // A refused click on a case's card: the case as it stands under the refusal, in its place (as Action.Execute's).
      answer = fromQueue(queueCarried(who, data), this.refusedOnCase(e, who, verb, str(data[TEAMS_IDS.data.value]), a.from.id));
    }
    const card = cardAttachment(renderAnswer(answer, a.id));
    if (a.replyToId) await ctx.updateActivity({ type: 'message', id: a.replyToId, conversation: a.conversation, attachments: [card], summary: plain(summaryOf(answer)) });
    else await this.send(ctx, answer);
  }

  /** `adaptiveCard/action`: a button, a form submit or a refresh; the answer is the card that replaces it. */
  protected override async onAdaptiveCardInvoke(ctx: TurnContext, invoke: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const a = ctx.activity;
    const who = this.principal(a);
    this.remember(a, who);
    const verb = invoke.action.verb;
    if (!isVerb(verb)) throw new DomainError('invalid_input', 'This card is out of date. Send the command again for a new one.');
    const data: unknown = invoke.action.data;
    const record = isRecord(data) ? data : {};
    if (kept(verb, record) && isPersonal(a)) return this.besideCard(ctx, who, verb, record);
    let answer: Answer;
    try {
      answer = this.act(a, who, verb, record);
    } catch (e) {
      answer = fromQueue(queueCarried(who, record), this.refusedOnCase(e, who, verb, str(record[TEAMS_IDS.data.value]), a.from.id));
    }
    return { statusCode: 200, type: TEAMS_IDS.contentTypes.card, value: renderAnswer(answer, a.id) };
  }

  /**
   * A click on a button whose card stays as it is (Button.keep: "Show the case" under a party's
   * answer, which nothing else keeps): what it brings is posted below as a message of its own, as
   * Slack does, and the person reads a line saying where it is; a refusal is that line instead.
   */
  private async besideCard(ctx: TurnContext, who: Principal, verb: Verb, data: Record<string, unknown>): Promise<AdaptiveCardInvokeResponse> {
    let answer: Answer;
    try {
      answer = this.act(ctx.activity, who, verb, data);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      this.o.log.info({ code: e.code }, 'teams request refused');
      // Marked as every refusal is (renderRefusal): this line has no colour to say it either.
      return keptCard(`${TONE_MARK.warning}${e.message} Nothing was changed.`);
    }
    await this.send(ctx, answer);
    const d = this.o.deps.ctx.store.disputes.get(Number(str(data[TEAMS_IDS.data.value]).split(':')[0]));
    const buttons = answer.kind === 'reply' && answer.reply.blocks.some((b) => b.type === 'actions') ? ', with its ruling buttons' : '';
    return keptCard(`${d ? caseTitle(who, d) : summaryOf(answer)} is below${buttons}.`);
  }

  /** What a form sent with this request key filed (a claim, a dispute), as this person may see it now. */
  private filedFrom(who: Principal, key: string): Reply | null {
    const { deps } = this.o;
    const claim = deps.ctx.store.claims.byRequestKey(key);
    if (claim) return claimStatus(deps, who, claim);
    const dispute = deps.ctx.store.disputes.byRequestKey(key);
    if (!dispute) return null;
    try {
      return caseCard(deps, who, String(dispute.id));
    } catch {
      return null;
    }
  }

  /**
   * A refused click on a case's card (approve, award, ask, snooze), or on a question's Answer
   * button (the case closed since it was asked): the card becomes the case as it stands for this
   * person, the refusal above it (and the question, which the card showed), rather than the
   * refusal alone (which took the card and its buttons away). Anything else, or a case this
   * person may not see, is thrown on to the turn's error handler.
   */
  private refusedOnCase(e: unknown, who: Principal, verb: Verb, value: string, userId: string): Answer {
    const answering = verb === TEAMS_IDS.actions[ACTIONS.answer];
    const onCase = answering || [ACTIONS.approve, ACTIONS.award, ACTIONS.ask, ACTIONS.snooze].some((x) => TEAMS_IDS.actions[x] === verb);
    if (!onCase || !isDomainError(e)) throw e;
    const question = answering ? questionOf(value) : '';
    const answer = this.caseWithRefusal(e, who, value.split(':')[0] ?? '', userId, question ? [quote('The question', question)] : []);
    if (!answer) throw e;
    return answer;
  }

  /**
   * A ruling form (award, ask) that cannot be shown again because the case moved on since it
   * was (ruled or settled meanwhile, or no longer this person's to rule): the card becomes the
   * case as it stands with why, as a refused click on its buttons does, and what they wrote is
   * quoted under the refusal, so that nothing typed is lost (a case they may not see: the
   * refusal and their words alone).
   */
  private movedOn(why: DomainError, who: Principal, disputeId: string, wrote: string | undefined, userId: string): Answer {
    const words = wrote?.trim() ? [quote('What you wrote', wrote.trim())] : [];
    return this.caseWithRefusal(why, who, disputeId, userId, words) ?? { kind: 'reply', reply: reply(why.message, [...refusalBlocks(why), ...words]) };
  }

  /** The case as it stands for this person, the refusal above it (then `more`); null when they may not see it. */
  private caseWithRefusal(e: DomainError, who: Principal, disputeId: string, userId: string, more: Block[] = []): Answer | null {
    let card: Reply;
    try {
      card = caseCard(this.o.deps, who, disputeId);
    } catch {
      return null;
    }
    this.o.log.info({ code: e.code }, 'teams request refused');
    return { kind: 'reply', reply: { ...card, blocks: [...refusalBlocks(e), ...more, ...card.blocks] }, refresh: caseRefresh(disputeId, userId) };
  }

  /**
   * A question sent: the case as it stands, its ruling buttons kept, under where the question
   * went and where its answers come, and the question itself (as Slack's case card shows them),
   * lines that hold while the case stands as it did.
   */
  private asked(who: Principal, values: Record<string, string>, meta: SubmitMeta, fromReminder: boolean): Reply {
    const { deps } = this.o;
    const { card, shown, dispute: d } = askedCard(deps, who, values, meta);
    if (!d) return card;
    // Asked from a reminder, it keeps its Snooze buttons while the case is still the asker's and
    // not yet due (as Slack's reminder does): waiting for the answers is what a snooze is for.
    const snooze = fromReminder && snoozeStays(deps, who, d, card);
    return snooze ? { ...shown, blocks: [...shown.blocks, snoozeButtons(d.id)] } : shown;
  }

  /**
   * A reminder as Teams redraws it: the reminder, its ruling and snooze buttons, while its line
   * holds (the case stands as it did, with this person to rule it, and is not yet due); then the
   * case as it stands (ruled, moved on, or overdue: ruling buttons kept, no snooze, and past the
   * end of its chain the line saying it is still theirs), as Slack brings its reminders up to date.
   */
  private reminderShown(who: Principal, value: string, lead: ReturnType<typeof leadOf>, refresh: CardRefresh): Answer {
    const { deps } = this.o;
    const id = Number(value.split(':')[0]);
    const stillDue = dueAhead(deps, deps.ctx.store.disputes.get(id));
    const shown = this.movedPast(who, id, caseCard(deps, who, value, lead));
    const mayRule = shown.blocks.some((b) => b.type === 'actions');
    if (!stillDue || !shown.lead || !mayRule) return { kind: 'reply', reply: shown, refresh: withLeadData(refresh, shown) };
    const reminder: Reply = { ...shown, blocks: [...shown.blocks, snoozeButtons(id)] };
    const again = withLeadData(refresh, reminder);
    return { kind: 'reply', reply: reminder, refresh: { ...again, data: { ...again.data, [TEAMS_IDS.data.reminder]: true } } };
  }

  /**
   * A case card shown (Open) or redrawn for one of the company's people it went past while it is
   * still open (it escalated past them, they have a part in it, or they left the policy): its
   * buttons are gone, and a line first says who rules on it now, as Slack's card is updated to
   * say (one rule for both: withMovedPast).
   */
  private movedPast(who: Principal, disputeId: number, shown: Reply): Reply {
    return withMovedPast(this.o.deps, who, disputeId, shown).card;
  }

  /** One route per verb (buttons, form submits, refreshes). */
  private act(a: Activity, who: Principal, verb: Verb, data: Record<string, unknown>): Answer {
    const { deps } = this.o;
    const value = str(data[TEAMS_IDS.data.value]);
    const values = formValues(data);
    const prefill = prefillOf(data);
    const instance = str(data[TEAMS_IDS.data.instance]);
    // What was typed and filled in, and the card's instance: a form sent back keeps all three.
    const typed: Typed = { values, prefill, ...(instance ? { instance } : {}) };
    const meta: SubmitMeta = { origin: originOf(a), requestKey: requestKeyOf(a, data) };
    const refreshCase = (disputeId: string): CardRefresh => caseRefresh(disputeId, a.from.id);
    // Clicked on a reminder (or sent from a form opened there): what the reminder carried of itself.
    const reminder = reminderCarried(data);
    // Clicked on a case card opened from the queue (or sent from a form opened there): the queue's page.
    const queued = queueCarried(who, data);
    // What a ruling form opened here carries of where its card came from.
    const carry = reminder || queued !== undefined ? { ...reminder, ...(queued !== undefined ? queueCarry(queued) : {}) } : undefined;
    const ids = TEAMS_IDS;
    switch (verb) {
      case ids.actions[ACTIONS.pickAccount]:
        return { kind: 'reply', reply: showAccount(deps, who, value) };
      case ids.actions[ACTIONS.approve]:
        return fromQueue(queued, { kind: 'reply', reply: approve(deps, who, value), refresh: refreshCase(value) });
      case ids.actions[ACTIONS.award]:
        return { kind: 'form', form: awardForm(deps, who, value), state: { back: backToCase(value, reminder, queued), carry } };
      case ids.actions[ACTIONS.ask]:
        return { kind: 'form', form: askForm(deps, who, value), state: { back: backToCase(value, reminder, queued), carry } };
      case ids.actions[ACTIONS.answer]:
        return { kind: 'form', form: answerForm(deps, who, value) };
      case ids.actions[ACTIONS.logActivity]: {
        const [claim = '', from, page] = value.split(':');
        if (from !== 'mine') return { kind: 'reply', reply: logClaimActivity(deps, who, claim) };
        // Clicked on the list of roe mine, which this answer replaces: the list again, as it now
        // stands, under what was done (or refused), so its other buttons stay at hand.
        let said: Block[];
        try {
          said = logClaimActivity(deps, who, claim).blocks;
        } catch (e) {
          if (!isDomainError(e) || e.code === 'busy') throw e;
          said = refusalBlocks(e);
        }
        const list = mine(deps, who, Number(page) > 0 ? Number(page) : 1);
        return { kind: 'reply', reply: { ...list, blocks: [...said, { type: 'divider' }, ...list.blocks] } };
      }
      case ids.actions[ACTIONS.openClaim]:
        return { kind: 'form', form: claimForm(deps, who, value) };
      case ids.actions[ACTIONS.openDispute]:
        return { kind: 'form', form: disputeForm(deps, who, value) };
      case ids.actions[ACTIONS.snooze]:
        return { kind: 'reply', reply: snoozeReminder(deps, who, value) };
      case ids.actions[ACTIONS.openCase]:
        return fromQueue(queued, { kind: 'reply', reply: this.movedPast(who, Number(value.split(':')[0]), caseCard(deps, who, value)), refresh: refreshCase(value) });
      case ids.submits[FORMS.claim]:
        return submitted(() => claimForm(deps, who), typed, () => submitClaim(deps, who, values, meta));
      case ids.submits[FORMS.dispute]:
        return submitted(() => disputeForm(deps, who), typed, () => submitDispute(deps, who, values, meta));
      case ids.submits[FORMS.award]:
        return fromQueue(queued, submitted(() => awardForm(deps, who, values.dispute), typed, () => submitAward(deps, who, values), { refresh: () => refreshCase(values.dispute ?? ''), back: backToCase(values.dispute ?? '', reminder, queued), carry, gone: (why) => this.movedOn(why, who, values.dispute ?? '', values.rationale, a.from.id) }));
      case ids.submits[FORMS.ask]:
        return fromQueue(queued, submitted(() => askForm(deps, who, values.dispute), typed, () => this.asked(who, values, meta, reminder !== undefined), { refresh: (shown) => asReminder(withLeadData(refreshCase(values.dispute ?? ''), shown), shown), back: backToCase(values.dispute ?? '', reminder, queued), carry, gone: (why) => this.movedOn(why, who, values.dispute ?? '', values.question, a.from.id) }));
      case ids.submits[FORMS.answer]:
        // The case closed while they typed: it as it stands, the refusal and what they wrote above it.
        // Shown again (an answer to correct), with the question it was opened on, as the button gave it.
        return submitted(() => answerForm(deps, who, values.question ? `${values.dispute ?? ''}:${values.question}` : values.dispute), typed, () => submitAnswer(deps, who, values, meta), { gone: (why) => this.movedOn(why, who, values.dispute ?? '', values.answer, a.from.id) });
      case ids.refresh.disputeCase: {
        // Redrawn from the case, under the lines it was sent with (why it came) while they hold.
        if (data[ids.data.reminder] === true) return this.reminderShown(who, value, leadOf(data), refreshCase(value));
        const shown = this.movedPast(who, Number(value.split(':')[0]), caseCard(deps, who, value, leadOf(data)));
        return fromQueue(queued, { kind: 'reply', reply: shown, refresh: withLeadData(refreshCase(value), shown) });
      }
      case ids.back.queue: {
        // The queue as it now stands, the page the case came from (past its end now: says so).
        const page = queued ?? 1;
        return { kind: 'reply', reply: queue(deps, who, page), carry: queueCarry(page) };
      }
      case ids.refresh.privateAnswer: {
        const forUser = str(data[ids.data.for]);
        const command = str(data[ids.data.command]);
        if (forUser !== a.from.id) {
          // Anyone else who refreshes or clicks sees what everyone sees (and how to ask for their own): the asker as the card
          // names them, never a name looked up by the id it carries (which the client sets: a
          // card made up would learn the name of anyone the bot knows). Someone who may only ask
          // for help (a guest, an unknown tenant) is not told who asked.
          const asker = (who.kind !== 'unknown' && str(data[ids.data.asker]).trim()) || 'Someone';
          return privateStub(asker, command, forUser, true);
        }
        const refresh: CardRefresh = { verb: ids.refresh.privateAnswer, data: { [ids.data.for]: forUser, [ids.data.command]: command }, userIds: [forUser] };
        const answer = this.command(who, command);
        if (answer.kind !== 'form') return answer.kind === 'reply' ? { ...answer, refresh } : answer;
        // A form asked for in a channel is shown by this refresh, which Teams runs again whenever
        // the asker comes back to the chat: the form is one instance per message, and once it
        // was sent, what it filed is shown instead of a blank form.
        const instance = a.replyToId;
        const filed = instance ? this.filedFrom(who, formKey(a.from.id, instance)) : null;
        if (filed) return { kind: 'reply', reply: filed, refresh };
        return { ...answer, state: { ...answer.state, refresh, ...(instance ? { instance } : {}) } };
      }
    }
  }
}

/**
 * A ruling form's way back to the case card it took the place of (in Teams the form replaces the
 * card clicked, where Slack opens a modal over it): the case as it stands, its buttons and its
 * refresh back, the form left unsent.
 */
function backToCase(disputeId: string, reminder?: Record<string, unknown>, queued?: number): FormState['back'] {
  const value = disputeId.split(':')[0] ?? '';
  // Opened from a reminder: the reminder redrawn, its Snooze buttons with it, while it holds.
  if (reminder) return { label: 'Back to the reminder', verb: TEAMS_IDS.refresh.disputeCase, data: { ...reminder, [TEAMS_IDS.data.value]: value } };
  // Opened from the queue: the case card keeps its way back there.
  return { label: 'Back to the case', verb: TEAMS_IDS.actions[ACTIONS.openCase], data: { ...(queued !== undefined ? queueCarry(queued) : {}), [TEAMS_IDS.data.value]: value } };
}

/** What the queue's buttons, and those of a case card opened from it, carry: the queue's page. */
function queueCarry(page: number): Record<string, unknown> {
  return { [TEAMS_IDS.data.queue]: page };
}

/**
 * The page of the queue a click or a form carried ({@link queueCarry}), when it says it came from
 * one; never for anyone but the company's people (a partner's user has no queue, so a page they
 * send was made up: no Back to the queue for them).
 */
function queueCarried(who: Principal, data: Record<string, unknown>): number | undefined {
  if (who.kind !== 'internal') return undefined;
  const page = data[TEAMS_IDS.data.queue];
  return typeof page === 'number' && Number.isSafeInteger(page) && page > 0 ? page : undefined;
}

/**
 * A case card opened from the queue (`page` of it): in Teams it took the queue's place, so its
 * buttons and its refresh carry the page, and a button under them redraws the queue as it now
 * stands, while the card shows the case (ruled, refused or redrawn). Any other answer as it is.
 */
function fromQueue(page: number | undefined, a: Answer): Answer {
  if (page === undefined || a.kind !== 'reply') return a;
  const carry = queueCarry(page);
  const refresh = a.refresh && { ...a.refresh, data: { ...a.refresh.data, ...carry } };
  return { ...a, refresh, carry: { ...a.carry, ...carry }, back: { label: 'Back to the queue', verb: TEAMS_IDS.back.queue, data: carry } };
}

/**
 * A click on a button whose card stays as it is (Button.keep): only Show the case carries it, so
 * `keep` sent with any other verb (made up) is a click like any other, answered in place.
 */
function kept(verb: Verb, data: Record<string, unknown>): boolean {
  return data[TEAMS_IDS.data.keep] === true && verb === TEAMS_IDS.actions[ACTIONS.openCase];
}

/** What a click or a form carried of the reminder it came from ({@link reminderCarry}): its lead lines and stamp, when it says it is one. */
function reminderCarried(data: Record<string, unknown>): Record<string, unknown> | undefined {
  const ids = TEAMS_IDS.data;
  if (data[ids.reminder] !== true) return undefined;
  return { [ids.reminder]: true, ...(data[ids.lead] !== undefined ? { [ids.lead]: data[ids.lead] } : {}), ...(data[ids.stamp] !== undefined ? { [ids.stamp]: data[ids.stamp] } : {}) };
}

/** A case card's refresh that redraws it as a reminder (its Snooze buttons kept while it holds), when it shows them. */
function asReminder(refresh: CardRefresh, shown: Reply): CardRefresh {
  const snooze = shown.blocks.some((b) => b.type === 'actions' && b.actions.some((x) => x.action === ACTIONS.snooze));
  return snooze ? { ...refresh, data: { ...refresh.data, [TEAMS_IDS.data.reminder]: true } } : refresh;
}

/** A case card's refresh carrying the lines shown above the case ({@link leadData}), so that Teams redraws them while they hold. */
function withLeadData(refresh: CardRefresh, shown: Reply): CardRefresh {
  return { ...refresh, data: { ...refresh.data, ...leadData(shown) } };
}

/** What a submitted form held: what was typed, what was filled in, and the card's instance. */
interface Typed {
  values: Record<string, string>;
  prefill: Prefill;
  instance?: string;
}

/** An invoke's answer that leaves the card clicked as it is, and shows the person `line`. */
function keptCard(line: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: TEAMS_IDS.contentTypes.message, value: plain(line) as unknown as Record<string, unknown> };
}

/** A refusal as the first lines of the card that takes the clicked one's place: marked ⚠️, as renderRefusal and Slack mark one. */
const refusalBlocks = (e: DomainError): Block[] => [text(e.message, 'warning'), text('Nothing was changed.', 'muted')];

/**
 * A form submit: done; or, refused, the same form again with what was typed (and what was filled
 * in) and the refusal: under the fields it names, or, naming none (a dispute already open),
 * above them all, as Slack keeps its modal open with it. A form that
 * cannot be shown again (the case it rules on moved on) is `gone`'s to answer, with why not;
 * without `gone` the refusal goes on to the turn's error handler, as does anything that is not
 * a refusal.
 */
function submitted(form: () => Form, typed: Typed, submit: () => Reply, o: { refresh?: (shown: Reply) => CardRefresh; back?: FormState['back']; carry?: FormState['carry']; gone?: (why: DomainError) => Answer } = {}): Answer {
  let refusal: DomainError;
  try {
    const shown = submit();
    return { kind: 'reply', reply: shown, refresh: o.refresh?.(shown) };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    refusal = e;
  }
  let again: Form;
  try {
    again = form();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    if (!o.gone) throw refusal;
    // The send's own refusal when the form fails for the same reason (an answer sent on a closed
    // case "was not sent"; the form asked for anew says no answer can be sent): else why the form cannot come back.
    return o.gone(refusal.code === e.code ? refusal : e);
  }
  // The same form again, the same instance: sent once corrected, it is still this card's one request.
  // Values that failed their checks are marked under their fields: one line above says so
  // (the error's own message restates them by field id). Any other refusal says its own words.
  // A refusal whose whole message is its field's (a claim already filed, on its product line) is said there, once.
  const problems = Object.keys(refusal.fields).length;
  const message = refusal instanceof FormValuesError ? `Please fix what is marked below (${problems === 1 ? 'one field' : `${problems} fields`}).` : Object.values(refusal.fields).includes(refusal.message) ? undefined : refusal.message;
  return { kind: 'form', form: again, state: { values: typed.values, prefill: typed.prefill, errors: refusal.fields, ...(message ? { message } : {}), ...(typed.instance ? { instance: typed.instance } : {}), ...(o.back ? { back: o.back } : {}), ...(o.carry ? { carry: o.carry } : {}) } };
}

/** What a log line may say about an activity: never its text, never a token. */
export function describeActivity(a: Activity | undefined): Record<string, unknown> {
  return { type: a?.type, name: a?.name, conversationType: a?.conversation?.conversationType, activityId: a?.id };
}

/** An error as a log field: name, message, code and stack, and nothing it may carry (requests, headers, tokens). */
export function describeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const extra = e as Error & { code?: unknown; statusCode?: unknown };
  return { name: e.name, message: e.message, ...(typeof extra.code === 'string' ? { code: extra.code } : {}), ...(typeof extra.statusCode === 'number' ? { statusCode: extra.statusCode } : {}), stack: e.stack };
}

/**
 * The one error handler of the Teams adapter: a DomainError is a refusal the user reads (on the
 * card they clicked, or as a message); anything else an apology to the user and an error in the
 * log. Nothing was changed either way: handlers change state in one transaction or not at all.
 */
export function createTurnErrorHandler(log: TeamsLog): (ctx: TurnContext, error: Error) => Promise<void> {
  return async (ctx, error) => {
    const refusal = isDomainError(error);
    if (refusal) log.info({ code: error.code, activity: describeActivity(ctx.activity) }, 'teams request refused');
    else log.error({ err: describeError(error), activity: describeActivity(ctx.activity) }, 'teams turn failed');
    const message = refusal ? error.message : APOLOGY;
    const card = renderRefusal(message, refusal ? 'warning' : 'attention');
    try {
      if (ctx.activity.type === 'invoke') {
        const body = ctx.activity.name === TEAMS_IDS.invoke.adaptiveCardAction ? { statusCode: 200, type: TEAMS_IDS.contentTypes.card, value: card } : undefined;
        await ctx.sendActivity({ type: 'invokeResponse', value: { status: body ? 200 : 500, body } });
        return;
      }
      await ctx.sendActivity({ type: 'message', attachments: [cardAttachment(card)], summary: plain(message) });
    } catch (e) {
      log.error({ err: describeError(e), activity: describeActivity(ctx.activity) }, 'could not tell the Teams user about a failed request');
    }
  };
}
