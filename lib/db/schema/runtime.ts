// The runtime's tables: the platform's ES256 signing keys for runtime tokens. The private key is sealed
// by the keyring like any secret value (AES-256-GCM under a data key); the public key is stored as a JWK
// for /.well-known/jwks.json. A retired key stays published and verifiable until its last token expires.
import { boolean, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { dataKeys } from "./vault";
import { bytea, createdAt, tstz } from "./types";

export const runtimeSigningKeys = pgTable(
  "runtime_signing_keys",
  {
    /** The JWK thumbprint of the public key (RFC 7638), used as the JWT header `kid`. */
    kid: text("kid").primaryKey(),
    publicJwk: jsonb("public_jwk").$type<Record<string, string>>().notNull(),
    dekId: uuid("dek_id")
      .notNull()
      .references(() => dataKeys.id, { onDelete: "restrict" }),
    /** The PKCS#8 private key, sealed; never stored in the clear. */
    ciphertext: bytea("ciphertext").notNull(),
    /** True for the one key that signs new tokens, null once retired (the unique index allows one). */
    current: boolean("current"),
    retiredAt: tstz("retired_at"),
    /** When the last token a retired key signed has expired; the key is unpublished after this. */
    verifiableUntil: tstz("verifiable_until"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("runtime_signing_keys_current_idx").on(t.current)],
);

export type RuntimeSigningKeyRow = typeof runtimeSigningKeys.$inferSelect;
