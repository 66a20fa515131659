// Publisher API tokens: what `npx latchkey login` stores and the /api/v1/publisher routes accept. Only a
// SHA-256 of each token is kept (the token is high-entropy, so a plain hash suffices), with a short
// prefix to tell tokens apart in the dashboard.
import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { publishers, users } from "./core";
import { createdAt, id, tstz } from "./types";

export const publisherApiTokens = pgTable(
  "publisher_api_tokens",
  {
    id: id(),
    publisherId: uuid("publisher_id")
      .notNull()
      .references(() => publishers.id, { onDelete: "cascade" }),
    /** The member who created it; the token acts as them, within this publisher only. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Hex SHA-256 of the whole token. */
    tokenHash: text("token_hash").notNull().unique(),
    /** The first characters of the token, e.g. lk_pub_AbC1, for recognising it in a list. */
    prefix: text("prefix").notNull(),
    lastUsedAt: tstz("last_used_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("publisher_api_tokens_publisher_idx").on(t.publisherId)],
);

export type PublisherApiTokenRow = typeof publisherApiTokens.$inferSelect;
