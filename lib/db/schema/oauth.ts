// OAuth connections: one per (owner, provider, client app), shared by every consumer extension that needs
// it. Tokens exist only sealed (AES-256-GCM under a data key, like any vault value); a disconnected or
// expired connection's ciphertexts are nulled out. Authorization requests in flight live in oauth_states
// for at most ten minutes and are consumed by their callback (single use).
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { extensions, installations, organizations, users } from "./core";
import { dataKeys } from "./vault";
import { bytea, createdAt, id, tstz } from "./types";

export const connectionOwnerKinds = ["user", "org"] as const;
export type ConnectionOwnerKind = (typeof connectionOwnerKinds)[number];
export const connectionStatuses = ["active", "expired", "revoked"] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

export const oauthConnections = pgTable(
  "oauth_connections",
  {
    id: id(),
    ownerKind: text("owner_kind", { enum: connectionOwnerKinds }).notNull(),
    /** The user or organization the connection belongs to. */
    ownerId: uuid("owner_id").notNull(),
    /** The organization it was connected in (the owner itself for org connections), for the audit trail. */
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    providerId: text("provider_id").notNull(),
    /** The provider's display name when connected (providers come from manifests and the catalogue). */
    providerName: text("provider_name").notNull(),
    /** The client app: the extension whose ext.* partner credentials hold the OAuth client id and secret. */
    clientExtensionId: uuid("client_extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "cascade" }),
    accountId: text("account_id"),
    accountLabel: text("account_label"),
    /** Granted scopes, from the provider's token response. */
    scopes: jsonb("scopes").$type<string[]>().notNull().default([]),
    status: text("status", { enum: connectionStatuses }).notNull().default("active"),
    dekId: uuid("dek_id").references(() => dataKeys.id, { onDelete: "restrict" }),
    /** Sealed; null once disconnected or expired. */
    accessToken: bytea("access_token"),
    refreshToken: bytea("refresh_token"),
    expiresAt: tstz("expires_at"),
    /** When the current access token was issued: with expiresAt, its lifetime (refreshes happen in its second half). */
    issuedAt: tstz("issued_at"),
    /**
     * The resource this row's access token is for, on a provider that issues one token per resource
     * (Microsoft: `https://graph.microsoft.com`, `api://<app-id>`); other resources' tokens are in
     * oauth_resource_tokens. Null on providers whose one token covers the whole grant.
     */
    tokenResource: text("token_resource"),
    /** Bumped by every token write: the AAD binds each ciphertext to it, and refreshes compare-and-set on it. */
    tokenVersion: integer("token_version").notNull().default(0),
    lastRefreshedAt: tstz("last_refreshed_at"),
    /** Consecutive retryable refresh failures (5xx, 429, network) and when the next attempt may run. */
    refreshFailures: integer("refresh_failures").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at"),
    lastError: text("last_error"),
    /**
     * The refresh lease (lib/oauth/refresh.ts): who is calling the provider's token endpoint for this
     * connection, and until when (the holder's clock; others take over CLOCK_TOLERANCE_SECONDS after it).
     */
    refreshLeaseHolder: text("refresh_lease_holder"),
    refreshLeaseUntil: tstz("refresh_lease_until"),
    connectedBy: uuid("connected_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("oauth_connections_owner_provider_client_idx").on(t.ownerKind, t.ownerId, t.providerId, t.clientExtensionId),
    index("oauth_connections_refresh_idx").on(t.status, t.expiresAt),
    check("oauth_connections_tokens_sealed", sql`(${t.accessToken} is null and ${t.refreshToken} is null) or ${t.dekId} is not null`),
  ],
);

/**
 * A connection's access tokens for resources other than its own token's (`token_resource`), on a provider
 * that issues one token per resource (Microsoft): each obtained on demand with the connection's refresh
 * token, sealed like the connection's tokens with the resource in the AAD and its own version. Deleted
 * whenever the connection's tokens are (reconnect, expiry, disconnect).
 */
export const oauthResourceTokens = pgTable(
  "oauth_resource_tokens",
  {
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => oauthConnections.id, { onDelete: "cascade" }),
    /** `https://graph.microsoft.com`, `api://<app-id>`, …: what lib/oauth/scopes.ts resourceOf names. */
    resource: text("resource").notNull(),
    dekId: uuid("dek_id")
      .notNull()
      .references(() => dataKeys.id, { onDelete: "restrict" }),
    accessToken: bytea("access_token").notNull(),
    /** The scopes the provider answered for this token. */
    scopes: jsonb("scopes").$type<string[]>().notNull().default([]),
    expiresAt: tstz("expires_at"),
    issuedAt: tstz("issued_at"),
    /** Bumped by every write of this token; bound into its AAD. */
    tokenVersion: integer("token_version").notNull().default(1),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.resource] })],
);

/** Which installations use a connection, and where a setup field asked for the access token to be stored. */
export const oauthConnectionUses = pgTable(
  "oauth_connection_uses",
  {
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => oauthConnections.id, { onDelete: "cascade" }),
    installationId: uuid("installation_id")
      .notNull()
      .references(() => installations.id, { onDelete: "cascade" }),
    /** `org.name` / `user.name` from the setup field's `store_as`, or '' when the extension asks at run time. */
    storeAs: text("store_as").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.installationId, t.storeAs] }),
    index("oauth_connection_uses_installation_idx").on(t.installationId),
  ],
);

/** Authorization requests in flight: consumed by their callback, valid for ten minutes. */
export const oauthStates = pgTable(
  "oauth_states",
  {
    /** SHA-256 of the `state` sent to the provider (the state itself is never stored). */
    stateHash: text("state_hash").primaryKey(),
    /** The signed-in person who started the flow, and SHA-256 of the browser-bound cookie set with it. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    bindingHash: text("binding_hash").notNull(),
    providerId: text("provider_id").notNull(),
    installationId: uuid("installation_id")
      .notNull()
      .references(() => installations.id, { onDelete: "cascade" }),
    /** The setup field that asked (its obtain block says client, scopes and store_as), or '' for requires.oauth_provider. */
    fieldKey: text("field_key").notNull().default(""),
    scopes: jsonb("scopes").$type<string[]>().notNull(),
    /** The PKCE code verifier, sealed like a vault value (AAD bound to this state and person). */
    codeVerifier: bytea("code_verifier").notNull(),
    dekId: uuid("dek_id")
      .notNull()
      .references(() => dataKeys.id, { onDelete: "restrict" }),
    nonce: text("nonce"),
    returnTo: text("return_to").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("oauth_states_expires_idx").on(t.expiresAt)],
);

export type OAuthConnectionRow = typeof oauthConnections.$inferSelect;
export type OAuthResourceTokenRow = typeof oauthResourceTokens.$inferSelect;
export type OAuthStateRow = typeof oauthStates.$inferSelect;
