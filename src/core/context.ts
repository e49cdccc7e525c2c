import type { Clock } from './clock.js';
import type { PolicyBook, PolicyVersion } from './policy/versions.js';
import type { Store } from './ports.js';
import { BusinessCalendar } from './sla/calendar.js';

/** What every core service needs: the store, the policy versions and the time. */
export interface DomainContext {
  store: Store;
  policies: () => PolicyBook;
  clock: Clock;
}

const calendars = new WeakMap<PolicyVersion, BusinessCalendar>();

/** The business-hours calendar of a policy version (built once per version). */
export function calendarOf(v: PolicyVersion): BusinessCalendar {
  let cal = calendars.get(v);
  if (!cal) {
    const bh = v.policy.business_hours;
    cal = new BusinessCalendar({ timezone: v.policy.timezone, days: bh.days, start: bh.start, end: bh.end, holidays: bh.holidays });
    calendars.set(v, cal);
  }
  return cal;
}
