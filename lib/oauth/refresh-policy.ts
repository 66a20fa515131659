// When a connection is refreshed and how a refresh's result is told: the refresh windows, the backoff
// after a retryable failure, the outcomes a caller sees, and which token (the connection's own, or another
// resource's on one-token-per-resource providers) a refresh is for.
import type { OAuthConnectionRow } from "@/lib/db/schema";
import type { ProviderConfig } from "./provider-config";
import { resourceOf, scopesForResource } from "./scopes";

/** Refresh this long before expiry (background), and on demand when less than this is left. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
export const ON_DEMAND_MIN_VALIDITY_MS = 60_000;
const BACKOFF_BASE_MS = 15_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/** After this many consecutive retryable failures the connection's user hears about it (once). */
export const DEGRADED_AFTER = 3;

export type RefreshOutcome =
  | { kind: "refreshed"; row: OAuthConnectionRow }
  /** Someone else refreshed it (or it did not need it): the row as found under the lock. */
  | { kind: "fresh"; row: OAuthConnectionRow }
  | { kind: "expired"; row: OAuthConnectionRow; reason: string }
  | { kind: "retry_later"; row: OAuthConnectionRow; reason: string; nextAttemptAt: Date }
  | { kind: "not_refreshable"; row: OAuthConnectionRow | null }
  /**
   * A resource's token could not be had because that resource lacks consent (Microsoft's AADSTS65001): its
   * scopes are no longer part of the grant (`row.scopes`), so they are reported missing until the person
   * consents again; the rest of the grant stands.
   */
  | { kind: "scopes_missing"; row: OAuthConnectionRow; resource: string; missingScopes: string[] };

/** What a refresh is for, and how it may wait. */
export interface RefreshOptions {
  /** Refresh unless at least this much validity is left (ms). */
  minValidityMs: number;
  /** Background pass: leave a connection someone else holds the lease of to them. */
  skipLocked?: boolean;
  /**
   * One-token-per-resource providers (Microsoft): the resource whose token is wanted, when it is not the
   * connection's own token's (`token_resource`); null or absent for the connection's own token.
   */
  resource?: string | null;
}

/** Exponential backoff with ±20% jitter, honoring the provider's Retry-After when it asks for longer. */
export function backoffMs(failures: number, retryAfterSeconds: number | null, random = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, (retryAfterSeconds ?? 0) * 1000));
}

/**
 * Whether a token has less than `minValidityMs` left — or, for tokens that live shorter than twice that,
 * less than half its lifetime (so a 30-second token is not refreshed on every use).
 */
export function needsRefresh(row: Pick<OAuthConnectionRow, "expiresAt" | "issuedAt">, minValidityMs: number, now = Date.now()): boolean {
  if (row.expiresAt === null) return false;
  const lifetime = row.issuedAt ? row.expiresAt.getTime() - row.issuedAt.getTime() : Infinity;
  return row.expiresAt.getTime() - now < Math.min(minValidityMs, lifetime / 2);
}

/** What a connection someone else just wrote means to a caller that wanted it refreshed. */
export function outcomeOf(row: OAuthConnectionRow | null): RefreshOutcome {
  if (!row || row.status === "revoked") return { kind: "not_refreshable", row };
  if (row.status === "expired") return { kind: "expired", row, reason: row.lastError ?? "expired" };
  return { kind: "fresh", row };
}

/** The resource a refresh obtains a token for, when it is not the connection's own token's; else null. */
export function otherResource(row: Pick<OAuthConnectionRow, "tokenResource">, options: RefreshOptions): string | null {
  return options.resource && options.resource !== row.tokenResource ? options.resource : null;
}

/**
 * The `scope` a refresh asks for: on a one-token-per-resource provider, the grant's scopes of the one
 * resource wanted (the connection's own token's unless `resource`), as a token request must not mix
 * resources (Microsoft's AADSTS28000); elsewhere none, so the whole grant is implied (RFC 6749 §6).
 */
export function scopeToAskFor(provider: ProviderConfig, row: OAuthConnectionRow, resource: string | null): string[] | null {
  if (!provider.quirks.onePerResource) return null;
  const own = row.tokenResource ?? row.scopes.map((s) => resourceOf(provider, s)).find((r) => r !== null) ?? null;
  return scopesForResource(provider, row.scopes, resource ?? own);
}
