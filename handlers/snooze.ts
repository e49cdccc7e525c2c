import type { Principal } from '../src/core/authz.js';
import { DomainError } from '../src/core/errors.js';
import { SNOOZE_OPTIONS, snooze, type SnoozeOption } from '../src/core/sla/sla.service.js';
import type { HandlerDeps } from './deps.js';
import { viewpoint } from './deps.js';
import { caseStamp, caseWords } from './dispute-card.js';
import { reply, text, withLead, type Reply } from './replies/model.js';
import { caseCard } from './rule.js';
import { parseNumberId } from './validate.js';

/** The "Snooze" buttons of a reminder: value `DISPUTE:OPTION` (1h, 4h, next-business-day). */
export function snoozeReminder(deps: HandlerDeps, viewer: Principal, value: unknown): Reply {
  const [idText = '', option = ''] = String(value).split(/[:\s]+/);
  const id = parseNumberId(idText);
  if (id === null || !SNOOZE_OPTIONS.includes(option as SnoozeOption)) {
    throw new DomainError('invalid_input', `Snooze a reminder with a dispute number and one of ${SNOOZE_OPTIONS.join(', ')}.`);
  }
  const { until, dispute, moved } = deps.ctx.store.transaction(() => snooze(deps.ctx, viewer, id, option as SnoozeOption));
  const vp = viewpoint(deps, viewer);
  // It replaces the reminder: the snooze said, and the case with its ruling buttons kept.
  const card = caseCard(deps, viewer, String(dispute.id));
  const breach = `The SLA still breaches ${dispute.dueAt ? vp.deadline(dispute.dueAt) : 'on time'}.`;
  // A claim waiting for approval is said to be one, as its reminder says it.
  const what = caseWords(viewer, dispute);
  const said = moved
    ? `Reminder for ${what} snoozed until ${vp.deadline(until)}. ${breach}`
    : `No reminder for ${what} has rung or rings before ${vp.deadline(until)}: nothing to snooze, the next comes as planned. ${breach}`;
  return withLead(reply(moved ? `Reminder snoozed until ${vp.deadline(until)}` : 'Nothing to snooze', card.blocks, card.title ? { title: card.title } : {}), [text(said, 'muted')], caseStamp(dispute, deps.ctx.clock.now()));
}
