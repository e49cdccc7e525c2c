import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import { DomainError, isDomainError } from '../../../src/core/errors.js';
import { home, roe } from '../../roe.js';
import { logClaimActivity } from '../../activity.js';
import { claimForm, submitClaim, type SubmitMeta } from '../../claim.js';
import type { HandlerDeps } from '../../deps.js';
import { disputeForm, submitDispute } from '../../dispute.js';
import { type Form, type Reply } from '../../replies/model.js';
import { approve, askedCard, askForm, awardForm, caseCard, submitAward } from '../../rule.js';
import { answerForm, submitAnswer } from '../../answer.js';
import { showAccount, whoOwns } from '../../who-owns.js';
import { snoozeReminder } from '../../snooze.js';
import { parseNumberId } from '../../validate.js';
import { clean, fieldPrompt, renderReply } from './render.js';

export interface ConsoleOptions {
  deps: HandlerDeps;
  resolve: (who: ChatIdentity) => Principal;
  /** People of the policy and partners one can switch to with /as. */
  people: () => Record<string, { name: string }>;
  partners: () => { id: string; name: string }[];
  /** Fires due timers (reminders, escalations, dormancy) before each command. */
  tick: () => void;
  /** Delivers console notifications written to the outbox; returns them as text to show. */
  drain: () => Promise<string[]>;
  input: Readable;
  output: Writable;
  startAs: string;
  logError: (err: unknown) => void;
}

/** `key=value key2="two words"` and bare words, as a shell would split them. */
export function parseInline(text: string): { pairs: Record<string, string>; rest: string } {
  const pairs: Record<string, string> = {};
  const rest: string[] = [];
  const re = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))|"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) {
    // A bare value starting with a quote is one whose closing quote is missing: it would eat
    // only its first word and leave the rest to the fields after it.
    const open = /^["']/.exec(m[4] ?? m[7] ?? '');
    if (open) throw new DomainError('invalid_input', `A quote (${open[0]}) ${m[1] ? `after ${m[1]}= ` : ''}is not closed: put the value between two quotes, e.g. ${m[1] ?? 'account'}=${open[0]}Acme Corporation${open[0]}.`);
    if (m[1]) pairs[m[1].toLowerCase()] = (m[2]?.replace(/\\(.)/g, '$1') ?? m[3] ?? m[4] ?? '').trim();
    else rest.push(m[5]?.replace(/\\(.)/g, '$1') ?? m[6] ?? m[7] ?? '');
  }
  return { pairs, rest: rest.join(' ') };
}

const HELP = `Console commands (as in Slack):
  /who-owns <name, alias, domain> who owns an account
  /claim [account] [k=v ...]      register a deal (fields asked one by one, or given inline)
  /dispute [account] [k=v ...]    dispute ownership
  /roe help|mine [page]|queue [page]|case N|activity N|stats [from [to]]|policy
  /rule <dispute> approve [party] | award [party=… rationale="…"] | ask [question="…"]
                                  (approve names the party the case card recommends, as its
                                  Approve reads; award party=none rejects every claim)
  /answer <dispute> [answer]      answer a question asked on your case (it goes to its arbitrator alone)
  /activity <claim>               log activity on a claim
  /snooze <dispute> 1h|4h|next-business-day   snooze an SLA reminder
  /case <dispute>                 a case as it stands (a dispute, or a claim waiting for approval);
                                  with its ruling buttons if yours to rule
  /home                           your claims and queue
  /as <person or partner>         act as a person of the policy, or as a user of a partner
  /whoami                         who you are acting as
  /quit or /exit                  leave the console (the slash is optional, as for every command)
While a form asks for a field: Enter keeps the [default] or skips an optional field; a line
starting with / cancels the form and runs as a command (/cancel only cancels).`;

/**
 * A choice as typed (`Resell`, `contoso`, `Contoso Consulting`): the value of the option it names
 * in any letter case, by value or label, as a CSV import reads routes and stages; anything else
 * as it was typed, for the handler to refuse.
 */
function chosen(field: Form['fields'][number], typed: string): string {
  const key = typed.trim().toLowerCase();
  const option = field.options?.find((o) => o.value.toLowerCase() === key) ?? field.options?.find((o) => o.label.toLowerCase() === key);
  return option?.value ?? typed;
}

/** The command word of a line: lower case, the slash optional (`help` and `/help` alike). */
function commandWord(line: string): string {
  return (line.trim().split(/\s+/)[0] ?? '').toLowerCase().replace(/^\//, '');
}
const QUIT = new Set(['quit', 'exit']);

/**
 * The local console: the same handlers as Slack and Teams, rendered as text. Reads commands
 * from `input` (a terminal or a piped file) and asks a form's fields one by one.
 */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: o.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const interactive = (o.input as NodeJS.ReadStream).isTTY === true;
  // Every line the terminal gets: what it holds of names and typed text cannot drive the terminal.
  const say = (s: string) => o.output.write(`${clean(s)}\n`);
  // A prompt (a choice's partner names, what was typed offered as the default) and the echo of a piped line too.
  const ask = async (prompt: string): Promise<string | null> => {
    o.output.write(clean(prompt));
    const next = await lines.next();
    if (next.done) {
      o.output.write('\n');
      return null;
    }
    if (!interactive) o.output.write(`${clean(next.value)}\n`);
    return next.value;
  };
  // A person of the policy by key, named as a chat names them (an answer they send is signed with it).
  const personIdentity = (key: string): ChatIdentity => ({ platform: 'console', userId: key, displayName: o.people()[key]?.name ?? key, orgId: null, home: true });
  let identity: ChatIdentity = personIdentity(o.startAs);
  const principal = () => o.resolve(identity);
  const who = (p: Principal) =>
    p.kind === 'external'
      ? `${p.displayName} (${o.partners().find((x) => x.id === p.partnerId)?.name ?? p.partnerId}, external)`
      : p.kind === 'unknown' && p.formerPartner
        ? `${p.displayName} (of ${p.formerPartner.name}, which left the partner programme: help only)`
        : p.displayName;
  let seq = 0;
  /** A command typed where a form field was asked: it cancelled the form and runs next. */
  let carried: string | null = null;
  const meta = (): SubmitMeta => ({ origin: { platform: 'console', channel: 'console', thread: null }, requestKey: `console:${randomUUID()}:${++seq}` });

  /** Asks the fields not given inline; re-asks the ones the handler rejects. */
  const fillForm = async (form: Form, given: Record<string, string>, submit: (values: Record<string, string>) => Reply): Promise<Reply | null> => {
    const values: Record<string, string> = { ...form.state };
    const pending = new Set(form.fields.map((f) => f.id));
    // A misspelt field would be left out silently, then asked for, taking the script's next line.
    const unknown = Object.keys(given).filter((k) => !pending.has(k));
    if (unknown.length > 0) {
      throw new DomainError('invalid_input', `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}. This form's fields: ${form.fields.map((f) => f.id).join(', ')}.`);
    }
    // Given inline, the form is meant to be complete: defaults and optional fields are not asked.
    const inline = Object.keys(given).some((k) => k !== 'account');
    for (const f of form.fields) {
      // An account the form could not find from what was given (its intro says why) is asked
      // first, before the rest, not refused after them (what was given offered as the default).
      if (f.kind === 'account' && given[f.id] !== undefined && (!f.initial || f.asTyped)) continue;
      if (given[f.id] !== undefined) values[f.id] = chosen(f, given[f.id]!);
      else if (inline && (f.initial || !f.required)) values[f.id] = f.initial?.value ?? '';
      else continue;
      pending.delete(f.id);
    }
    // The intro says what to know before typing the fields (what not to write in a question or a
    // rationale, an account not found): with every field given inline, it would come after the fact.
    if (form.intro && pending.size > 0) say(form.intro);
    // Each field may be refused three times before the form is given up; a choice out of range
    // is asked again at once.
    const refused = new Map<string, number>();
    for (;;) {
      for (const f of form.fields.filter((x) => pending.has(x.id))) {
        let typed: string;
        for (;;) {
          const answer = await ask(fieldPrompt(f));
          if (answer === null) return null;
          typed = answer.trim();
          if (!f.options || !/^\d+$/.test(typed) || f.options[Number(typed) - 1]) break;
          say(`  ✘ ${f.label}: pick a number from 1 to ${f.options.length}, or type the choice.`);
        }
        // A field value never starts with "/": such a line is a command, so a half-filled form
        // cannot swallow it as text (and record "/rule …" as a ruling's rationale).
        if (typed.startsWith('/')) {
          say('Form cancelled.');
          if (commandWord(typed) !== 'cancel') carried = typed;
          return null;
        }
        const byNumber = f.options && /^\d+$/.test(typed) ? f.options[Number(typed) - 1]?.value : undefined;
        values[f.id] = byNumber ?? (typed === '' ? (f.initial?.value ?? '') : chosen(f, typed));
      }
      pending.clear();
      try {
        return submit(values);
      } catch (e) {
        if (!isDomainError(e) || Object.keys(e.fields).length === 0) throw e;
        // In the form's order; a problem of no field of it last.
        const order = (id: string) => {
          const i = form.fields.findIndex((f) => f.id === id);
          return i < 0 ? form.fields.length : i;
        };
        for (const [field, message] of Object.entries(e.fields).sort(([a], [b]) => order(a) - order(b))) {
          say(`  ✘ ${form.fields.find((f) => f.id === field)?.label ?? field}: ${clean(message)}`);
          if (form.fields.some((f) => f.id === field)) {
            pending.add(field);
            refused.set(field, (refused.get(field) ?? 0) + 1);
          }
        }
        if (pending.size === 0) throw e;
        const given = [...refused].find(([, n]) => n >= 3);
        if (given) {
          say(`Giving up on this form: ${form.fields.find((f) => f.id === given[0])?.label ?? given[0]} was refused three times.`);
          return null;
        }
      }
    }
  };

  /** A question sent: the case under where it went and where its answers come, and the question, as Slack and Teams show it. */
  const asked = (p: Principal, values: Record<string, string>): Reply => askedCard(o.deps, p, values).shown;

  const run = async (line: string): Promise<Reply | string | null> => {
    const [cmdRaw = '', ...restParts] = line.trim().split(/\s+/);
    const cmd = commandWord(line);
    const rest = line.trim().slice(cmdRaw.length).trim();
    const p = principal();
    switch (cmd) {
      case 'who-owns':
        return o.deps.ctx.store.accounts.get(rest) ? showAccount(o.deps, p, rest) : whoOwns(o.deps, p, rest);
      case 'claim': {
        const { pairs, rest: account } = parseInline(rest);
        const form = claimForm(o.deps, p, pairs.account ?? account);
        const given = { ...pairs, ...(pairs.account ? {} : account ? { account } : {}) };
        return fillForm(form, given, (v) => submitClaim(o.deps, p, v, meta()));
      }
      case 'dispute': {
        const { pairs, rest: account } = parseInline(rest);
        const form = disputeForm(o.deps, p, pairs.account ?? account);
        const given = { ...pairs, ...(pairs.account ? {} : account ? { account } : {}) };
        return fillForm(form, given, (v) => submitDispute(o.deps, p, v, meta()));
      }
      case 'roe':
        return roe(o.deps, p, rest);
      case 'home':
        return home(o.deps, p);
      case 'snooze':
        return snoozeReminder(o.deps, p, restParts.join(':'));
      case 'case': {
        // "0" or a word names no dispute: the usage, as /rule says it (not a forged button's refusal).
        const id = parseNumberId(restParts[0]);
        return id === null ? 'Usage: /case <dispute number>' : caseCard(o.deps, p, String(id));
      }
      case 'activity':
        return logClaimActivity(o.deps, p, restParts[0]?.replace(/^#/, ''));
      case 'rule': {
        const [id = '', action = '', ...more] = restParts;
        const { pairs } = parseInline(more.join(' '));
        const n = parseNumberId(id);
        const usage = 'Usage: /rule <dispute number> approve [party] | award [party=… rationale="…"] | ask [question="…"]';
        if (n === null) return usage;
        const disputeId = String(n);
        // The party the card recommended (`/rule 12 approve northwind`, as its Approve reads): one that changed since is refused.
        if (action === 'approve') return more.length > 1 ? usage : approve(o.deps, p, more[0] ? `${disputeId}:${more[0]}` : disputeId);
        if (action === 'award') return fillForm(awardForm(o.deps, p, disputeId), pairs, (v) => submitAward(o.deps, p, v));
        if (action === 'ask') return fillForm(askForm(o.deps, p, disputeId), pairs, (v) => asked(p, v));
        return usage;
      }
      case 'answer': {
        const [id = ''] = restParts;
        const n = parseNumberId(id);
        if (n === null) return 'Usage: /answer <dispute number> [your answer, as the rest of the line]';
        // The answer given inline as answer="…", or as the rest of the line, as typed (its quotes,
        // its spaces and any word with = in it are the answer's, not fields).
        const typed = rest.slice(id.length).trim();
        const given: Record<string, string> = /^answer=/i.test(typed) ? parseInline(typed).pairs : typed ? { answer: typed } : {};
        return fillForm(answerForm(o.deps, p, String(n)), given, (v) => submitAnswer(o.deps, p, v, meta()));
      }
      case 'as': {
        // A name in quotes ("Pat Okafor"), as /claim takes its values, is the name without them.
        const typed = rest.trim().replace(/^(["'])(.*)\1$/s, '$2').trim();
        const target = typed.toLowerCase();
        const people = o.people();
        if (!target) return `Usage: /as <person or partner>. People: ${Object.keys(people).join(', ')}. Partners: ${o.partners().map((x) => x.id).join(', ')}.`;
        const partner = o.partners().find((x) => x.id.toLowerCase() === target || x.name.toLowerCase() === target);
        // A person by key (pat) or by name (Pat Okafor), as a partner is by id or by name.
        const person = Object.hasOwn(people, target) ? target : (Object.keys(people).find((k) => people[k]!.name.toLowerCase() === target) ?? null);
        if (person !== null) identity = personIdentity(person);
        else if (partner) identity = { platform: 'console', userId: `${partner.id}-user`, displayName: `${partner.id}-user`, orgId: partner.id, home: false };
        else return `Unknown person or partner "${typed}". People: ${Object.keys(people).join(', ')}. Partners: ${o.partners().map((x) => x.id).join(', ')}.`;
        return `You are now ${who(principal())}.`;
      }
      case 'whoami':
        return `You are ${who(p)}.`;
      case 'help':
      case '':
        return HELP;
      case 'cancel':
        return 'Nothing to cancel: no form is waiting for an answer.';
      default:
        return `Unknown command "${cmdRaw}". Type /help.`;
    }
  };

  say(`roe-bot console. You are ${who(principal())}. Type /help for commands, /quit to leave.`);
  for (;;) {
    const line = carried ?? (await ask(interactive ? `roe (${identity.userId})> ` : '> '));
    carried = null;
    if (line === null) break;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (QUIT.has(commandWord(trimmed))) break;
    try {
      o.tick();
      // What the timers did meanwhile (a reminder that rang, a case that escalated) comes above
      // the command's answer, which may act on it: a reminder under "snoozed" reads as a new one.
      for (const n of await o.drain()) say(n);
      const out = await run(trimmed);
      if (out !== null) say(typeof out === 'string' ? out : renderReply(out));
    } catch (e) {
      if (isDomainError(e)) say(`✘ ${clean(e.message)}`);
      else {
        o.logError(e);
        say('✘ Sorry, something went wrong on our side; it has been logged. Nothing was changed.');
      }
    }
    for (const n of await o.drain()) say(n);
  }
  rl.close();
}
