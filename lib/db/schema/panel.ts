// The end-user panel's own state: plain (non-secret) settings an installation's setup wizard collects
// in its `configure` steps, and the notifications behind the panel's bell. Secrets never land here;
// they go to the vault.
import { index, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { installations, users } from "./core";
import { createdAt, id, tstz } from "./types";

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

export const notificationKinds = ["connection_expired", "connection_restored", "connection_degraded"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Stored notifications (rotation-due ones are computed from the secrets, not stored). */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: notificationKinds }).notNull(),
    /** What it is about (a connection id), so a state change notifies once. */
    subjectId: text("subject_id").notNull(),
    message: text("message").notNull(),
    /** The panel page that fixes it. */
    link: text("link").notNull(),
    readAt: tstz("read_at"),
    createdAt: createdAt(),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.createdAt)],
);

export type InstallationSetting = typeof installationSettings.$inferSelect;
