// The rate limiters' shared counters (lib/http/rate-limit.ts) when Latchkey runs on PostgreSQL, so every
// app instance counts against the same budget. The row shape is the one rate-limiter-flexible's
// RateLimiterDrizzle reads and writes: one fixed-window counter per `<policy>:<client key>`, reset by
// its own upsert once `expire` has passed; rows expired for an hour are deleted by the limiter.
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./types";

export const rateLimits = pgTable("rate_limits", {
  /** `<policy name>:<client key>`, e.g. `token-failures:203.0.113.9`. */
  key: text("key").primaryKey(),
  /** Points consumed in the current window. */
  points: integer("points").notNull(),
  /** When the current window ends (null: never). */
  expire: tstz("expire"),
});
