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

/**
 * Reads a retention setting: a class name (`ledger`, `standard`) or a period of at least one day, `<N>d`
 * or `<N>y` (N up to 36,500 days or 100 years).
 * @returns the retention, or null when the text is none of these
 */
export function parseRetention(text: string): Retention | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "ledger" || trimmed === "standard") return retentionClasses[trimmed];
  const match = /^(\d{1,5})([dy])$/.exec(trimmed);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = match[2] === "d" ? "days" : "years";
  if (amount < 1 || (unit === "days" ? amount > 36_500 : amount > 100)) return null;
  return { name: trimmed, amount, unit };
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
