// Retention classes of the audit log: how long an event's body stays in the database before it moves to
// an archive file (lib/audit/archive.ts). Its leaf hash and the tree's nodes stay for good, so checkpoints and
// inclusion proofs keep verifying. The classes follow the platform Latchkey serves (spec 003: its audit
// ledger is kept 7 years by default, 90 days in its standard class); a number of days or years sets
// another period.

/** A retention class, by name, or a custom period. */
export interface Retention {
  /** `ledger`, `standard`, or the custom period as written (`400d`, `10y`). */
  name: string;
  /** The period: whole days or whole calendar years. */
  amount: number;
  unit: "days" | "years";
}

/** The named classes: `ledger`, 7 years (the default), and `standard`, 90 days. */
export const retentionClasses = {
  ledger: { name: "ledger", amount: 7, unit: "years" },
  standard: { name: "standard", amount: 90, unit: "days" },
} as const satisfies Record<string, Retention>;

const MAX_DAYS = 36_500;
const MAX_YEARS = 100;

/**
 * Reads a retention setting: a class name (`ledger`, `standard`) or a period, `<N>d` (1 to 36,500 days) or
 * `<N>y` (1 to 100 years); case and surrounding spaces do not matter.
 * @returns the retention, or what is wrong with the text
 */
export function parseRetention(text: string): { retention: Retention } | { problem: string } {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "ledger" || trimmed === "standard") return { retention: retentionClasses[trimmed] };
  const match = /^(\d{1,9})\s*([dy])$/.exec(trimmed);
  if (!match) return { problem: "must be ledger (7 years), standard (90 days), or a period such as 400d or 10y" };
  const amount = Number(match[1]);
  const unit = match[2] === "d" ? "days" : "years";
  const max = unit === "days" ? MAX_DAYS : MAX_YEARS;
  if (amount < 1) return { problem: `must be at least 1 day (it is ${text.trim()}): events are archived only once past it` };
  if (amount > max) return { problem: `must be at most ${max.toLocaleString("en-US")} ${unit} (it is ${text.trim()})` };
  return { retention: { name: `${amount}${match[2]}`, amount, unit } };
}

/** The moment before which an event is past this retention at `now`: `now` minus the period (calendar years in UTC). */
export function retentionCutoff(retention: Retention, now: Date): Date {
  const cutoff = new Date(now.getTime());
  if (retention.unit === "years") cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retention.amount);
  else cutoff.setUTCDate(cutoff.getUTCDate() - retention.amount);
  return cutoff;
}

/** "7 years", "90 days". */
export function describeRetention(retention: Retention): string {
  const unit = retention.amount === 1 ? retention.unit.slice(0, -1) : retention.unit;
  return `${retention.amount} ${unit}`;
}
