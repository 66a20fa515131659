"use client";
// Audit events per day as stacked bars (success, failure, denied), the one chart style of the admin
// overview and a publisher's credential activity. Drawn by Recharts in the browser only: the page's
// Content-Security-Policy refuses style attributes in server-rendered HTML, and Recharts sizes its
// wrapper with them (set from script they are allowed). Before that, and without JavaScript, a box of
// the same height holds the summary; the numbers are always available as a table under "Show as table".
import { useSyncExternalStore } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyActivity } from "@/lib/audit/activity";

const COLORS = { success: "oklch(0.55 0.2 264)", failure: "oklch(0.58 0.21 27)", denied: "oklch(0.7 0.16 70)" } as const;
const SERIES = [
  { key: "success", label: "Success" },
  { key: "failure", label: "Failure" },
  { key: "denied", label: "Denied" },
] as const;

const noop = () => () => {};
const useInBrowser = () =>
  useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );

/** "Nov 3" for a UTC `YYYY-MM-DD` day, in the reader's locale. */
function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(typeof navigator === "undefined" ? "en" : navigator.languages, {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}

/**
 * `data` (oldest day first) as a chart titled `title`: a summary line (the figure's caption), the bars
 * (hidden from screen readers, which get the summary and the table), and the per-day table.
 */
export function ActivityChart({ title, data }: { title: string; data: DailyActivity[] }) {
  const inBrowser = useInBrowser();
  const totals = data.reduce((t, d) => ({ success: t.success + d.success, failure: t.failure + d.failure, denied: t.denied + d.denied }), {
    success: 0,
    failure: 0,
    denied: 0,
  });
  const all = totals.success + totals.failure + totals.denied;
  const summary = `${all} ${all === 1 ? "event" : "events"} in ${data.length} days: ${totals.success} succeeded, ${totals.failure} failed, ${totals.denied} denied.`;
  // Thirty empty days say nothing a sentence would not.
  if (all === 0) return <p className="text-sm text-slate-600">No events in the last {data.length} days.</p>;
  return (
    <figure className="min-w-0">
      <figcaption className="text-sm text-slate-600">
        <span className="sr-only">{title}: </span>
        {summary}
      </figcaption>
      <div className="mt-3 h-56 w-full" aria-hidden="true">
        {inBrowser ? (
          <BarChart
            responsive
            style={{ width: "100%", height: "100%" }}
            data={data.map((d) => ({ ...d, label: dayLabel(d.day) }))}
            margin={{ top: 4, right: 4, bottom: 0, left: -20 }}
            accessibilityLayer={false}
          >
            <CartesianGrid vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} interval="preserveStartEnd" minTickGap={16} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={false} />
            <Tooltip cursor={{ fill: "#f1f5f9" }} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {SERIES.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="outcome" fill={COLORS[s.key]} isAnimationActive={false} />
            ))}
          </BarChart>
        ) : null}
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-brand-700">Show as table</summary>
        <div className="mt-2 max-h-64 overflow-auto rounded-md ring-1 ring-slate-200">
          <table className="w-full text-left text-xs tabular-nums">
            <caption className="sr-only">{title}, per day (UTC)</caption>
            <thead className="sticky top-0 bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-2 py-1">
                  Day (UTC)
                </th>
                {SERIES.map((s) => (
                  <th key={s.key} scope="col" className="px-2 py-1 text-right">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {[...data].reverse().map((d) => (
                <tr key={d.day}>
                  <th scope="row" className="px-2 py-1 font-normal">
                    {d.day}
                  </th>
                  <td className="px-2 py-1 text-right">{d.success}</td>
                  <td className="px-2 py-1 text-right">{d.failure}</td>
                  <td className="px-2 py-1 text-right">{d.denied}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
