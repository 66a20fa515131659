// The vault's vocabulary: how a secret is addressed, what a write and an operation carry, a secret's
// status, the vault's options, and its limits.
import type { Logger } from "pino";
import type { SecretValue } from "@/lib/crypto";
import type { AuditActor, AuditAppender, AuditSource } from "@/lib/audit/events";
import type { ReadRecorder } from "@/lib/audit/read-recorder";
import type { Db } from "@/lib/db/client";
import type { SecretScope } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";

export interface SecretAddress {
  extensionId: string;
  scope: SecretScope;
  /** The extension (ext), organization (org) or user (user) the value belongs to. */
  ownerId: string;
  name: string;
}

/** One value for `Vault.writeAll`: `set` replaces the value, `rotate` keeps the previous one for the grace period. */
export interface SecretWrite {
  kind: "set" | "rotate";
  address: SecretAddress;
  value: SecretValue;
  /** The declared limit (at most VAULT_MAX_BYTES, which also applies without one). */
  limits?: { maxBytes?: number };
}

/** Who is acting, from where, and in which organization (for the audit trail). */
export interface OperationContext {
  actor: AuditActor;
  source: AuditSource;
  orgId?: string | null;
}

export interface SecretStatus {
  name: string;
  scope: SecretScope;
  isSet: boolean;
  currentVersion: number | null;
  rotationCount: number;
  lastRotatedAt: Date | null;
  lastSetAt: Date | null;
  lastReadAt: Date | null;
  byteLength: number | null;
}

export interface VaultOptions {
  db: Db;
  dataKeys: DataKeys;
  reads: ReadRecorder;
  /** How long a rotated-out version stays readable. */
  graceMs: number;
  /** The clock (default: the system's): write times and the grace period are computed from it. */
  now?: () => Date;
  /** Overridable for tests that prove a failed audit write stops the change. */
  appendAudit?: AuditAppender;
  logger?: Logger;
}

export const SECRET_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** The largest value the vault stores at all; declarations set smaller limits per secret. */
export const VAULT_MAX_BYTES = 65_536;

/**
 * What a key derived by `Vault.auditKey` is for. Each purpose has its own HKDF label, so a key of one
 * purpose says nothing about another's.
 * - `fingerprint`: the HMAC key of value fingerprints in audit details, one per tenant.
 * - `pseudonym`: the key of the pseudonyms a publisher's audit view shows for other organizations' people.
 */
export type AuditKeyPurpose = "fingerprint" | "pseudonym";

/**
 * Whose values a fingerprint is comparable within (recorded beside it as `details.fingerprint_scope`):
 * partner credentials per publisher, `org.*` values per organization, `user.*` values per person. Events
 * written before fingerprints were keyed per tenant have no `fingerprint_scope`; theirs came from one
 * platform-wide key and are not comparable with the newer ones.
 */
export type FingerprintScope = "publisher" | "org" | "user";
