"use client";
// The one way a page shows a moment: "3 minutes ago", with the full date, time and zone on hover (and
// read out to screen readers), in the reader's own locale and time zone (the browser's). The server
// cannot know those, so it renders the time in UTC and the browser rewrites it after hydration; without
// JavaScript the UTC time (zone named) stays.
import { useSyncExternalStore } from "react";
import { formatAbsoluteTime, formatRelativeTime } from "@/lib/format-time";

// "Now", as a value that changes every 30 seconds (so the snapshot is stable between renders) and
// re-renders every shown time when it does.
const TICK_MS = 30_000;
const subscribe = (onChange: () => void) => {
  const timer = setInterval(onChange, TICK_MS);
  return () => clearInterval(timer);
};
const clientNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const serverNow = () => null;

const browserLocales = () => (typeof navigator === "undefined" ? undefined : navigator.languages);

/** `value` (a Date, or an ISO 8601 string as it crosses from a server component) as a <time> element. */
export function RelativeTime({ value, className }: { value: Date | string; className?: string }) {
  const date = typeof value === "string" ? new Date(value) : value;
  const now = useSyncExternalStore(subscribe, clientNow, serverNow);
  const iso = date.toISOString();
  if (now === null) {
    const utc = formatAbsoluteTime(date, "en-GB", "UTC");
    return (
      <time dateTime={iso} title={utc} className={className}>
        {utc}
      </time>
    );
  }
  const locales = browserLocales();
  const absolute = formatAbsoluteTime(date, locales);
  // `now` only schedules the re-render: the distance is measured from this moment (under 45 s reads "now").
  const relative = formatRelativeTime(date, new Date(), locales);
  return (
    <time dateTime={iso} title={absolute} className={className}>
      {relative}
      <span className="sr-only"> ({absolute})</span>
    </time>
  );
}
