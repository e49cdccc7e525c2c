/** How dates read in every message: in the policy's time zone, US English ("Dec 1, 2026, 5:00 PM EST"). */
export interface TimeFormats {
  dateFmt: Intl.DateTimeFormat;
  dateTimeFmt: Intl.DateTimeFormat;
}

const formats = new Map<string, TimeFormats>();

/** The date formats of a time zone, made once: an Intl.DateTimeFormat costs more to make than many uses. */
export function formatsFor(tz: string): TimeFormats {
  let f = formats.get(tz);
  if (!f) {
    f = {
      dateFmt: new Intl.DateTimeFormat('en-US', { timeZone: tz, dateStyle: 'medium' }),
      dateTimeFmt: new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }),
    };
    formats.set(tz, f);
  }
  return f;
}
