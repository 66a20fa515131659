// The vault's tables: wrapped data keys, secrets addressed scope.name within an extension, and their
// versions. Values exist only as AES-256-GCM ciphertexts; a deleted value's ciphertext is nulled out
// (crypto-shred), so the row no longer holds it.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { extensions } from "./core";
import { bytea, createdAt, id, tstz } from "./types";

export const dataKeys = pgTable(
  "data_keys",
  {
    id: id(),
    keyring: text("keyring", { enum: ["local", "aws-kms"] }).notNull(),
    /** The key-encryption key this DEK is currently wrapped under. */
    kekId: text("kek_id").notNull(),
    wrapped: bytea("wrapped").notNull(),
    /** No new values are sealed under a retired DEK; existing ones still open. */
    retiredAt: tstz("retired_at"),
    rewrappedAt: tstz("rewrapped_at"),
    createdAt: createdAt(),
  },
  (t) => [index("data_keys_kek_idx").on(t.kekId)],
);

export const secretScopes = ["ext", "org", "user"] as const;
export type SecretScope = (typeof secretScopes)[number];

export const secrets = pgTable(
  "secrets",
  {
    id: id(),
    extensionId: uuid("extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "cascade" }),
    scope: text("scope", { enum: secretScopes }).notNull(),
    /** The extension (ext), organization (org) or user (user) the value belongs to. */
    ownerId: uuid("owner_id").notNull(),
    name: text("name").notNull(),
    /** Null when no value is set (never set, or deleted). */
    currentVersion: integer("current_version"),
    latestVersion: integer("latest_version").notNull().default(0),
    rotationCount: integer("rotation_count").notNull().default(0),
    lastRotatedAt: tstz("last_rotated_at"),
    lastSetAt: tstz("last_set_at"),
    lastReadAt: tstz("last_read_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("secrets_address_idx").on(t.extensionId, t.scope, t.ownerId, t.name), index("secrets_owner_idx").on(t.ownerId)],
);

export const secretVersions = pgTable(
  "secret_versions",
  {
    secretId: uuid("secret_id")
      .notNull()
      .references(() => secrets.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    dekId: uuid("dek_id")
      .notNull()
      .references(() => dataKeys.id, { onDelete: "restrict" }),
    /** format byte ‖ IV ‖ ciphertext ‖ tag; null once destroyed. */
    ciphertext: bytea("ciphertext"),
    byteLength: integer("byte_length").notNull(),
    createdAt: createdAt(),
    /** When a newer version replaced this one; it stays readable until readableUntil. */
    supersededAt: tstz("superseded_at"),
    readableUntil: tstz("readable_until"),
    destroyedAt: tstz("destroyed_at"),
  },
  (t) => [
    primaryKey({ columns: [t.secretId, t.version] }),
    index("secret_versions_dek_idx").on(t.dekId),
    check("secret_versions_destroyed_has_no_ciphertext", sql`${t.destroyedAt} is null or ${t.ciphertext} is null`),
  ],
);

/** Platform-internal keys (e.g. the audit fingerprint HMAC key), sealed like any value. */
export const systemKeys = pgTable("system_keys", {
  purpose: text("purpose").primaryKey(),
  dekId: uuid("dek_id")
    .notNull()
    .references(() => dataKeys.id, { onDelete: "restrict" }),
  ciphertext: bytea("ciphertext").notNull(),
  createdAt: createdAt(),
});

export type DataKeyRow = typeof dataKeys.$inferSelect;
export type SecretRow = typeof secrets.$inferSelect;
export type SecretVersionRow = typeof secretVersions.$inferSelect;
