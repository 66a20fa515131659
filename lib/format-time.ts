// How Latchkey writes a moment for people: relative ("3 minutes ago") with the absolute time and its
// zone beside it ("30 Nov 2026, 19:47:10 UTC"), in the reader's locale. Pure Intl (ECMA-402
// Intl.RelativeTimeFormat and Intl.DateTimeFormat), no server-only imports: the browser's
// <RelativeTime> component uses it, and so can anything on the server.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Largest unit first; a unit is used from `from` (milliseconds of distance) up. Months and years are
// counted as 30 and 365 days: "about" is what a relative time says.
const UNITS: { unit: Intl.RelativeTimeFormatUnit; ms: number; from: number }[] = [
  { unit: "year", ms: 365 * DAY, from: 330 * DAY },
  { unit: "month", ms: 30 * DAY, from: 26 * DAY },
  { unit: "week", ms: 7 * DAY, from: 7 * DAY },
  { unit: "day", ms: DAY, from: 22 * HOUR },
  { unit: "hour", ms: HOUR, from: 45 * MINUTE },
  { unit: "minute", ms: MINUTE, from: 45 * SECOND },
];

/**
 * `date` relative to `now` in `locale` (a BCP 47 tag; undefined = the runtime's default), e.g.
 * "3 minutes ago", "in 2 hours", "yesterday", "now". Under 45 seconds either way reads as "now".
 */
export function formatRelativeTime(date: Date, now: Date, locale?: string | readonly string[]): string {
  const format = new Intl.RelativeTimeFormat(locale as string | string[] | undefined, { numeric: "auto" });
  const diff = date.getTime() - now.getTime();
  const distance = Math.abs(diff);
  for (const { unit, ms, from } of UNITS) {
    if (distance >= from) return format.format(Math.round(diff / ms), unit);
  }
  return format.format(0, "second");
}

/**
 * `date` as a full date and time with its zone, in `locale` and `timeZone` (an IANA name; undefined = the
 * runtime's zone), e.g. "Nov 30, 2026, 7:47:10 PM UTC" in en-US or "30.11.2026, 20:47:10 MEZ" in de-DE.
 */
export function formatAbsoluteTime(date: Date, locale?: string | readonly string[], timeZone?: string): string {
  return new Intl.DateTimeFormat(locale as string | string[] | undefined, { dateStyle: "medium", timeStyle: "long", timeZone }).format(
    date,
  );
}
