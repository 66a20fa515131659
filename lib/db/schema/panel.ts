// The end-user panel's own state: plain (non-secret) settings an installation's setup wizard collects
// in its `configure` steps. Secrets never land here; they go to the vault.
import { pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { installations, users } from "./core";
import { tstz } from "./types";

export const installationSettings = pgTable(
  "installation_settings",
  {
    installationId: uuid("installation_id")
      .notNull()
      .references(() => installations.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    value: text("value").notNull(),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.installationId, t.key] })],
);

export type InstallationSetting = typeof installationSettings.$inferSelect;
