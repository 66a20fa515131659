// Refreshing connections, ahead of expiry (the background refresher) and on demand (a token asked for
// close to expiry). At most one refresh per connection is in flight across every process, through a lease
// on the connection row (refresh_lease_holder / refresh_lease_until) taken by one conditional UPDATE: the
// provider's token endpoint is then called with no transaction open and no row locked (on the embedded
// database one open transaction stalls every request), and a caller arriving meanwhile waits for the
// holder's answer instead of spending the refresh token a second time; within a process, callers share one
// promise before they even reach the database. The answer is written in one short transaction that records
// the refresh, compare-and-set on token_version, and releases the lease. Only invalid_grant (and
// equivalents) expires a connection; 5xx, 429 and network errors back off per connection and leave it active.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { and, asc, eq, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { appendAuditEvents, type AuditSource } from "@/lib/audit/events";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import type { DbOrTx } from "@/lib/db/client";
import {
  extensionVersions,
  extensions,
  oauthConnectionUses,
  oauthConnections,
  oauthResourceTokens,
  type OAuthConnectionRow,
} from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/logger";
import { metrics } from "@/lib/core/metrics";
import { catalogue } from "@/lib/oauth/catalogue";
import { refreshTokens, type ClientSecrets, ProviderRequestError, type TokenSet } from "./client";
import { clientSecrets, concreteProvider, connectionsPath, notify, writeStoreAs, type OAuthDeps } from "./connections";
import { providerFromManifest } from "@/lib/manifest/oauth";
import { endpointParamRefs, installedProvider, type FlowClient, type ProviderConfig } from "./providers";
import { grantAfterRefresh, resourceOf, scopesForResource } from "./scopes";
import { openToken, sealResourceToken, sealTokens, type SealedTokens } from "./token-seal";

/** Refresh this long before expiry (background), and on demand when less than this is left. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
export const ON_DEMAND_MIN_VALIDITY_MS = 60_000;
const BACKOFF_BASE_MS = 15_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/** After this many consecutive retryable failures the connection's user hears about it (once). */
const DEGRADED_AFTER = 3;
/**
 * How long a refresh lease lasts, by the holder's clock: longer than an attempt can take (discovery and the
 * token request, 10-second timeout each), so a live holder never loses it. Another process takes over
 * CLOCK_TOLERANCE_SECONDS after it ends (its clock may run ahead of the holder's), so a holder that died
 * blocks refreshes of its connection for at most 90 s; on-demand callers are answered meanwhile.
 */
export const REFRESH_LEASE_MS = 30_000;
/** How often a caller waiting for another process's refresh looks at the row again. */
const LEASE_POLL_MS = 100;

/** A lease someone holds that has not expired yet, allowing for the holder's clock being behind ours. */
function leaseLive(row: Pick<OAuthConnectionRow, "refreshLeaseUntil">, now: Date): boolean {
  return row.refreshLeaseUntil !== null && row.refreshLeaseUntil > leaseExpiredBefore(now);
}
const leaseExpiredBefore = (now: Date) => new Date(now.getTime() - CLOCK_TOLERANCE_SECONDS * 1000);

/** Columns that hand the lease back, only if `holder` still holds it (another may have taken it over). */
function releaseLease(holder: string) {
  const mine = sql`${oauthConnections.refreshLeaseHolder} = ${holder}`;
  return {
    refreshLeaseHolder: sql`case when ${mine} then null else ${oauthConnections.refreshLeaseHolder} end`,
    refreshLeaseUntil: sql`case when ${mine} then null else ${oauthConnections.refreshLeaseUntil} end`,
  };
}

/**
 * Columns of a connection after a successful refresh: the newly sealed tokens at `version`, the grant
 * merged with what the answer covers (a refresh answer describes its token, never replaces the grant),
 * failures and backoff cleared, and the lease handed back.
 */
function refreshedColumns(
  sealed: { dekId: string; accessToken: Buffer; refreshToken: Buffer | null },
  scopes: string[],
  version: number,
  now: Date,
  holder: string,
) {
  return {
    dekId: sealed.dekId,
    accessToken: sealed.accessToken,
    refreshToken: sealed.refreshToken,
    scopes,
    tokenVersion: version,
    lastRefreshedAt: now,
    refreshFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    updatedAt: now,
    ...releaseLease(holder),
  };
}

/** What a connection someone else just wrote means to a caller that wanted it refreshed. */
function outcomeOf(row: OAuthConnectionRow | null): RefreshOutcome {
  if (!row || row.status === "revoked") return { kind: "not_refreshable", row };
  if (row.status === "expired") return { kind: "expired", row, reason: row.lastError ?? "expired" };
  return { kind: "fresh", row };
}

/** How a Refresher tells time, waits, and names itself; tests inject the first two. */
export interface RefresherOptions {
  /** The clock (default: the system's): token age, backoff and the lease are computed from it. */
  now?: () => Date;
  /** Waits `ms` between looks at a connection another process is refreshing (default: a timer). */
  wait?: (ms: number) => Promise<void>;
  /** Names this refresher in refresh_lease_holder (default: host, process id and audit source). */
  name?: string;
}

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

/** Exponential backoff with ±20% jitter, honoring the provider's Retry-After when it asks for longer. */
export function backoffMs(failures: number, retryAfterSeconds: number | null, random = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, (retryAfterSeconds ?? 0) * 1000));
}

/** The provider and client app of a stored connection (its client extension's current manifest, or the catalogue). */
export async function connectionProvider(
  deps: OAuthDeps,
  row: Pick<OAuthConnectionRow, "providerId" | "clientExtensionId" | "orgId">,
): Promise<{ provider: ProviderConfig; client: FlowClient } | null> {
  const [ext] = await deps.db
    .select({ manifest: extensionVersions.manifest })
    .from(extensions)
    .innerJoin(extensionVersions, eq(extensionVersions.extensionId, extensions.id))
    .where(and(eq(extensions.id, row.clientExtensionId), isNotNull(extensionVersions.publishedAt)))
    .orderBy(sql`${extensionVersions.publishedAt} desc`)
    .limit(1);
  if (!ext) return null;
  const own = providerFromManifest(ext.manifest);
  if (own && own.provider.id === row.providerId) {
    return { provider: own.provider, client: { extensionId: row.clientExtensionId, idRef: own.idRef, secretRef: own.secretRef } };
  }
  // A consumer's own OAuth app (setup field obtain: oauth2) against a catalogue provider.
  const fields = (Array.isArray((ext.manifest as { setup?: unknown }).setup) ? (ext.manifest as { setup: unknown[] }).setup : [])
    .flatMap((step) => {
      const s = (step as { secrets?: { fields?: unknown[] } }).secrets;
      return Array.isArray(s?.fields) ? s.fields : [];
    })
    .map((f) => (f as { obtain?: Record<string, unknown> }).obtain ?? {});
  const obtain = fields.find((o) => o.type === "oauth2" && o.provider === row.providerId);
  if (!obtain) return null;
  // The endpoints come from the provider extension installed where it was connected, else the catalogue.
  const provider = (await installedProvider(deps.db, row.orgId, row.providerId))?.provider ?? catalogue.get(row.providerId);
  if (!provider) return null;
  return {
    provider,
    client: {
      extensionId: row.clientExtensionId,
      idRef: String(obtain.client_id ?? ""),
      secretRef: String(obtain.client_secret ?? ""),
      endpointParams: endpointParamRefs(obtain),
    },
  };
}

export class Refresher {
  readonly #inflight = new Map<string, Promise<RefreshOutcome>>();
  readonly #secrets = new Map<string, { value: ClientSecrets; at: number }>();

  readonly #now: () => Date;
  readonly #wait: (ms: number) => Promise<void>;
  readonly #name: string;

  constructor(
    private readonly deps: OAuthDeps,
    private readonly source: AuditSource = { kind: "worker" },
    options: RefresherOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#wait = options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#name = options.name ?? `${os.hostname()}:${process.pid}:${source.kind}`;
  }

  /**
   * Refreshes a connection unless it already has at least `minValidityMs` left. Waits for a refresh
   * another caller (here or in another process) has in flight, for at most one lease (then answers
   * retry_later). `skipLocked` is for the background refresher: a connection whose lease someone else
   * holds is theirs to refresh. `resource` (one-token-per-resource providers, Microsoft) asks for the
   * token of another resource than the connection's own token's: it is obtained with the connection's
   * refresh token and kept in oauth_resource_tokens, and its freshness is what `minValidityMs` is about.
   */
  refresh(connectionId: string, options: RefreshOptions): Promise<RefreshOutcome> {
    const key = `${connectionId}|${options.resource ?? ""}`;
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const trigger = options.skipLocked ? "background" : "on_demand";
    const run = this.#refresh(connectionId, options)
      .then(
        (outcome) => {
          metrics().oauthRefreshes.inc({ trigger, outcome: outcome.kind });
          return outcome;
        },
        (error: unknown) => {
          metrics().oauthRefreshes.inc({ trigger, outcome: "error" });
          throw error;
        },
      )
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, run);
    return run;
  }

  /** Whether what this refresh is for (the connection's own token, or one resource's) still has enough time left. */
  async #fresh(row: OAuthConnectionRow, options: RefreshOptions, now: Date): Promise<boolean> {
    const resource = otherResource(row, options);
    if (resource === null) return !needsRefresh(row, options.minValidityMs, now.getTime());
    const [stored] = await this.deps.db
      .select({ expiresAt: oauthResourceTokens.expiresAt, issuedAt: oauthResourceTokens.issuedAt })
      .from(oauthResourceTokens)
      .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)));
    return stored !== undefined && !needsRefresh(stored, options.minValidityMs, now.getTime());
  }

  async #clientSecrets(row: OAuthConnectionRow) {
    const found = await connectionProvider(this.deps, row);
    if (!found) return null;
    const cacheKey = `${found.client.extensionId}:${found.client.idRef}:${found.client.secretRef}`;
    const cached = this.#secrets.get(cacheKey);
    // A per-tenant provider's endpoints are filled from this connection's own secrets (its shop, its subdomain).
    const provider = await concreteProvider(
      this.deps,
      found.provider,
      found.client,
      { orgId: row.orgId, userId: row.ownerKind === "user" ? row.ownerId : null },
      this.source,
    );
    // Client secrets are re-read every minute, so a publisher's rotation takes effect quickly.
    if (cached && Date.now() - cached.at < 60_000) return { provider, secrets: cached.value };
    const value = await clientSecrets(this.deps, found.client, found.provider.displayName, this.source);
    this.#secrets.set(cacheKey, { value, at: Date.now() });
    return { provider, secrets: value };
  }

  async #refresh(connectionId: string, options: RefreshOptions): Promise<RefreshOutcome> {
    const log = this.deps.logger ?? defaultLogger;
    const { db, vault } = this.deps;
    // One id per attempt: the lease is released only by the attempt that took it.
    const holder = `${this.#name}#${randomBytes(4).toString("hex")}`;
    let client: { provider: ProviderConfig; secrets: ClientSecrets } | null | undefined;
    let dek: { id: string; key: Buffer } | undefined;
    let waitedSince: Date | null = null;
    let row: OAuthConnectionRow;
    for (;;) {
      const now = this.#now();
      const [current] = await db.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId));
      if (!current || current.status !== "active" || !current.refreshToken) return { kind: "not_refreshable", row: current ?? null };
      if (await this.#fresh(current, options, now)) return { kind: "fresh", row: current };
      if (current.nextAttemptAt && current.nextAttemptAt > now) {
        return { kind: "retry_later", row: current, reason: current.lastError ?? "backing off", nextAttemptAt: current.nextAttemptAt };
      }
      if (!leaseLive(current, now)) {
        // Whatever may query the database comes before the lease (client secrets, the DEK to open the old
        // refresh token with, a write key for the new tokens), so the lease covers only the provider call.
        client ??= await this.#clientSecrets(current);
        if (!client) return { kind: "not_refreshable", row: current };
        dek ??= await this.#writeKey(current);
        const leased = await this.#acquireLease(current, holder);
        if (leased) {
          row = leased;
          break;
        }
        continue; // someone else took it (or changed the row) between our read and the UPDATE: look again
      }
      // Another process is calling the provider for this connection. The background pass leaves it to
      // them; a caller on demand waits for their answer (at most one lease), then takes the new token.
      if (options.skipLocked) return { kind: "fresh", row: current };
      waitedSince ??= now;
      if (now.getTime() - waitedSince.getTime() >= REFRESH_LEASE_MS) {
        const until = current.refreshLeaseUntil ?? now;
        return { kind: "retry_later", row: current, reason: "another refresh of this connection is in flight", nextAttemptAt: until };
      }
      await this.#wait(LEASE_POLL_MS);
    }

    let released = false;
    try {
      const [refreshToken, currentAccessToken] = await Promise.all([
        openToken(vault.dataKeys, row, "refresh_token", row.refreshToken),
        openToken(vault.dataKeys, row, "access_token", row.accessToken),
      ]);
      if (!refreshToken) return { kind: "not_refreshable", row };
      const resource = otherResource(row, options);
      // The provider call: no transaction is open and no row is locked while the token endpoint answers
      // (up to its 10-second timeout); the lease alone keeps other processes from calling it too.
      let tokens: TokenSet;
      try {
        tokens = await refreshTokens(client.provider, client.secrets, refreshToken, scopeToAskFor(client.provider, row, resource));
      } catch (error) {
        if (!(error instanceof ProviderRequestError)) throw error;
        if (error.consentRequired && resource !== null) {
          const recorded = await this.#recordMissingConsent(row, holder, client.provider, resource, error);
          released = recorded !== null;
          return recorded ?? (await this.#failureNotRecorded(row, holder, error));
        }
        // The answer was refused but rotated the refresh token in: keep the new one (the provider may have
        // retired the old), re-sealing the current access token beside it at the next version.
        const salvaged =
          error.rotatedRefreshToken !== null && error.kind === "retryable"
            ? sealTokens(dek, row, row.tokenVersion + 1, { accessToken: currentAccessToken ?? "", refreshToken: error.rotatedRefreshToken })
            : null;
        const recorded = await this.#recordFailure(row, holder, error, salvaged);
        released = recorded !== null;
        return recorded ?? (await this.#failureNotRecorded(row, holder, error));
      }
      if (resource !== null) {
        const outcome = await this.#storeResourceToken(row, holder, dek, client.provider, resource, tokens, {
          refreshToken,
          accessToken: currentAccessToken ?? "",
        });
        if (!outcome) return await this.#discardLostAnswer(row, holder, tokens.refreshToken !== null);
        released = true;
        return outcome;
      }
      const now = this.#now();
      const version = row.tokenVersion + 1;
      const sealed = sealTokens(dek, row, version, {
        accessToken: tokens.accessToken,
        // No new refresh token in the answer: the old one stays valid and is kept.
        refreshToken: tokens.refreshToken ?? refreshToken,
      });
      const outcome = await db.transaction(async (tx): Promise<(RefreshOutcome & { storeAsToken?: string }) | null> => {
        // Compare-and-set on the version read when the lease was taken: if another refresh wrote since
        // (only possible after our lease expired), its write stands and this answer is discarded below.
        const [updated] = await tx
          .update(oauthConnections)
          .set({
            ...refreshedColumns(sealed, grantAfterRefresh(client.provider, row.scopes, tokens.scopes), version, now, holder),
            expiresAt: tokens.expiresAt,
            issuedAt: now,
          })
          .where(and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion)))
          .returning();
        if (!updated) return null;
        await appendAuditEvents(tx, [
          {
            actor: { kind: "system", id: "oauth-refresher" },
            source: this.source,
            action: "oauth.refresh",
            target: `oauth:${row.providerId}`,
            extensionId: row.clientExtensionId,
            orgId: row.orgId,
            details: { connection: row.id, rotated: tokens.refreshToken !== null, expires_at: tokens.expiresAt?.toISOString() ?? null },
          },
        ]);
        if (row.refreshFailures >= DEGRADED_AFTER) {
          await notify(tx, {
            userId: row.connectedBy,
            kind: "connection_restored",
            subjectId: row.id,
            message: `Your ${row.providerName} connection is refreshing normally again.`,
            link: connectionsPath,
          });
        }
        return { kind: "refreshed", row: updated, storeAsToken: tokens.accessToken };
      });
      if (!outcome) return await this.#discardLostAnswer(row, holder, tokens.refreshToken !== null);
      released = true;
      if (outcome.kind === "refreshed" && outcome.storeAsToken) {
        await this.#updateStoreAs(outcome.row, outcome.storeAsToken).catch((error: unknown) =>
          log.error(
            { connection: outcome.row.id, err: error instanceof Error ? error.message : String(error) },
            "store_as update after refresh failed",
          ),
        );
      }
      const { storeAsToken: _token, ...result } = outcome;
      return result as RefreshOutcome;
    } finally {
      // Anything that ended the attempt without writing (a token that would not open, an unexpected
      // error) hands the lease back at once instead of making others wait for it to expire.
      if (!released) {
        await db
          .update(oauthConnections)
          .set(releaseLease(holder))
          .where(and(eq(oauthConnections.id, row.id), eq(oauthConnections.refreshLeaseHolder, holder)))
          .catch((error: unknown) =>
            log.error(
              { connection: row.id, err: error instanceof Error ? error.message : String(error) },
              "releasing a refresh lease failed",
            ),
          );
      }
    }
  }

  /**
   * Stores a refresh answer for another resource than the connection's own token's: the token in
   * oauth_resource_tokens, and on the connection (compare-and-set on its version, releasing the lease) the
   * rotated refresh token, the merged grant and the refresh's bookkeeping; the connection's own access
   * token is re-sealed unchanged at the new version. Null when another refresh wrote the connection first.
   */
  async #storeResourceToken(
    row: OAuthConnectionRow,
    holder: string,
    dek: { id: string; key: Buffer },
    provider: ProviderConfig,
    resource: string,
    tokens: TokenSet,
    current: { refreshToken: string; accessToken: string },
  ): Promise<RefreshOutcome | null> {
    const now = this.#now();
    const version = row.tokenVersion + 1;
    const sealed = sealTokens(dek, row, version, {
      accessToken: current.accessToken,
      refreshToken: tokens.refreshToken ?? current.refreshToken,
    });
    return this.deps.db.transaction(async (tx): Promise<RefreshOutcome | null> => {
      const [updated] = await tx
        .update(oauthConnections)
        .set(refreshedColumns(sealed, grantAfterRefresh(provider, row.scopes, tokens.scopes), version, now, holder))
        .where(and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion)))
        .returning();
      if (!updated) return null;
      const [previous] = await tx
        .select({ tokenVersion: oauthResourceTokens.tokenVersion })
        .from(oauthResourceTokens)
        .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)));
      const resourceVersion = (previous?.tokenVersion ?? 0) + 1;
      const values = {
        dekId: dek.id,
        accessToken: sealResourceToken(dek, row, resource, resourceVersion, tokens.accessToken),
        scopes: tokens.scopes ?? scopesForResource(provider, row.scopes, resource),
        expiresAt: tokens.expiresAt,
        issuedAt: now,
        tokenVersion: resourceVersion,
        updatedAt: now,
      };
      await tx
        .insert(oauthResourceTokens)
        .values({ connectionId: row.id, resource, ...values })
        .onConflictDoUpdate({ target: [oauthResourceTokens.connectionId, oauthResourceTokens.resource], set: values });
      await appendAuditEvents(tx, [
        {
          actor: { kind: "system", id: "oauth-refresher" },
          source: this.source,
          action: "oauth.refresh",
          target: `oauth:${row.providerId}`,
          extensionId: row.clientExtensionId,
          orgId: row.orgId,
          details: {
            connection: row.id,
            resource,
            rotated: tokens.refreshToken !== null,
            expires_at: tokens.expiresAt?.toISOString() ?? null,
          },
        },
      ]);
      return { kind: "refreshed", row: updated };
    });
  }

  /**
   * Records that `resource` lacks consent (a resource-specific refresh answered Microsoft's AADSTS65001): the
   * grant no longer counts that resource's scopes, its stored token is dropped, and the lease is released;
   * the connection stays active with its tokens and other resources untouched (compare-and-set on the
   * version: null when another refresh wrote first).
   */
  async #recordMissingConsent(
    row: OAuthConnectionRow,
    holder: string,
    provider: ProviderConfig,
    resource: string,
    error: ProviderRequestError,
  ): Promise<RefreshOutcome | null> {
    const now = this.#now();
    const removed = row.scopes.filter((s) => resourceOf(provider, s) === resource);
    return this.deps.db.transaction(async (tx): Promise<RefreshOutcome | null> => {
      const [updated] = await tx
        .update(oauthConnections)
        .set({ scopes: row.scopes.filter((s) => !removed.includes(s)), updatedAt: now, ...releaseLease(holder) })
        .where(and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion)))
        .returning();
      if (!updated) return null;
      await tx
        .delete(oauthResourceTokens)
        .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)));
      await appendAuditEvents(tx, [
        {
          actor: { kind: "system", id: "oauth-refresher" },
          source: this.source,
          action: "oauth.refresh",
          target: `oauth:${row.providerId}`,
          extensionId: row.clientExtensionId,
          orgId: row.orgId,
          outcome: "failure",
          details: { connection: row.id, resource, reason: error.reason, scopes_removed: removed },
        },
      ]);
      return { kind: "scopes_missing", row: updated, resource, missingScopes: removed };
    });
  }

  /** Takes the lease with one conditional UPDATE (no transaction): only if free or expired and the row is as read. */
  async #acquireLease(row: OAuthConnectionRow, holder: string): Promise<OAuthConnectionRow | null> {
    const now = this.#now();
    const [leased] = await this.deps.db
      .update(oauthConnections)
      .set({ refreshLeaseHolder: holder, refreshLeaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS) })
      .where(
        and(
          eq(oauthConnections.id, row.id),
          eq(oauthConnections.tokenVersion, row.tokenVersion),
          eq(oauthConnections.status, "active"),
          isNotNull(oauthConnections.refreshToken),
          or(isNull(oauthConnections.refreshLeaseUntil), lte(oauthConnections.refreshLeaseUntil, leaseExpiredBefore(now))),
          or(isNull(oauthConnections.nextAttemptAt), lte(oauthConnections.nextAttemptAt, now)),
        ),
      )
      .returning();
    return leased ?? null;
  }

  /** A write key for the new tokens, and the connection's current DEK unwrapped into the cache. */
  async #writeKey(row: OAuthConnectionRow): Promise<{ id: string; key: Buffer }> {
    const { dataKeys } = this.deps.vault;
    const [dek] = await Promise.all([dataKeys.forWrite(), row.dekId ? dataKeys.unwrap(row.dekId).then((k) => k.fill(0)) : null]);
    return dek;
  }

  /**
   * Records a refused or failed refresh (compare-and-set on the version, releasing the lease): only a grant
   * that is gone expires the connection; anything else backs off and keeps the grant. Null when another
   * refresh wrote the connection first (nothing recorded).
   */
  async #recordFailure(
    row: OAuthConnectionRow,
    holder: string,
    error: ProviderRequestError,
    salvaged: SealedTokens | null = null,
  ): Promise<RefreshOutcome | null> {
    const log = this.deps.logger ?? defaultLogger;
    const now = this.#now();
    const unchanged = and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion));
    return this.deps.db.transaction(async (tx): Promise<RefreshOutcome | null> => {
      if (error.kind === "fatal") {
        const [updated] = await tx
          .update(oauthConnections)
          .set({
            status: "expired",
            accessToken: null,
            refreshToken: null,
            tokenVersion: row.tokenVersion + 1,
            lastError: error.message,
            nextAttemptAt: null,
            updatedAt: now,
            ...releaseLease(holder),
          })
          .where(unchanged)
          .returning();
        if (!updated) return null;
        await tx.delete(oauthResourceTokens).where(eq(oauthResourceTokens.connectionId, row.id));
        await appendAuditEvents(tx, [
          {
            actor: { kind: "system", id: "oauth-refresher" },
            source: this.source,
            action: "oauth.expire",
            target: `oauth:${row.providerId}`,
            extensionId: row.clientExtensionId,
            orgId: row.orgId,
            outcome: "failure",
            details: { connection: row.id, reason: error.reason },
          },
        ]);
        await notify(tx, {
          userId: row.connectedBy,
          kind: "connection_expired",
          subjectId: row.id,
          message: `Your ${row.providerName} connection expired (${error.reason}). Reconnect it so your extensions keep working.`,
          link: connectionsPath,
        });
        return { kind: "expired", row: updated, reason: error.reason };
      }
      const failures = row.refreshFailures + 1;
      const nextAttemptAt = new Date(now.getTime() + backoffMs(failures, error.retryAfterSeconds));
      const keep = salvaged
        ? {
            dekId: salvaged.dekId,
            accessToken: salvaged.accessToken,
            refreshToken: salvaged.refreshToken,
            tokenVersion: row.tokenVersion + 1,
          }
        : {};
      const [updated] = await tx
        .update(oauthConnections)
        .set({ refreshFailures: failures, nextAttemptAt, lastError: error.message, updatedAt: now, ...keep, ...releaseLease(holder) })
        .where(unchanged)
        .returning();
      if (!updated) return null;
      if (salvaged) {
        await appendAuditEvents(tx, [
          {
            actor: { kind: "system", id: "oauth-refresher" },
            source: this.source,
            action: "oauth.refresh",
            target: `oauth:${row.providerId}`,
            extensionId: row.clientExtensionId,
            orgId: row.orgId,
            outcome: "failure",
            details: { connection: row.id, reason: error.reason, rotated: true, kept_refresh_token: true },
          },
        ]);
      }
      if (failures === DEGRADED_AFTER) {
        await notify(tx, {
          userId: row.connectedBy,
          kind: "connection_degraded",
          subjectId: row.id,
          message: `${row.providerName} has failed to refresh your connection ${failures} times (${error.reason}); Latchkey keeps retrying.`,
          link: connectionsPath,
        });
      }
      log.warn(
        { connection: row.id, provider: row.providerId, reason: error.reason, failures, nextAttemptAt },
        "oauth refresh failed; will retry",
      );
      return { kind: "retry_later", row: updated, reason: error.message, nextAttemptAt };
    });
  }

  /**
   * A failure that arrived after another refresh wrote the connection (it took over once our lease had
   * expired, and its write stands): the failure says nothing about the tokens that refresh stored.
   */
  async #failureNotRecorded(row: OAuthConnectionRow, holder: string, error: ProviderRequestError): Promise<RefreshOutcome> {
    const log = this.deps.logger ?? defaultLogger;
    const [current] = await this.deps.db.select().from(oauthConnections).where(eq(oauthConnections.id, row.id));
    log.warn(
      {
        connection: row.id,
        provider: row.providerId,
        holder,
        reason: error.reason,
        version: row.tokenVersion,
        current_version: current?.tokenVersion,
      },
      "oauth refresh failure not recorded: another refresh wrote the connection first",
    );
    return outcomeOf(current ?? null);
  }

  /**
   * The compare-and-set lost: another refresh wrote first, which can only happen after this attempt's lease
   * expired (a process paused longer than the lease) and another process took over. The winner's write
   * stands and this answer's tokens are not stored. If the answer carried a rotated refresh token and the
   * winner's write expired the connection, the provider may have invalidated the old refresh token in
   * favour of this one (the winner's invalid_grant would then be our doing): that token is lost, the
   * person must reconnect, and it is logged as an error and audited — never silently.
   */
  async #discardLostAnswer(row: OAuthConnectionRow, holder: string, rotated: boolean): Promise<RefreshOutcome> {
    const log = this.deps.logger ?? defaultLogger;
    const [current] = await this.deps.db.select().from(oauthConnections).where(eq(oauthConnections.id, row.id));
    const grantLost = rotated && current?.status !== "active";
    const context = {
      connection: row.id,
      provider: row.providerId,
      holder,
      version: row.tokenVersion,
      current_version: current?.tokenVersion ?? null,
      current_status: current?.status ?? null,
      rotated,
    };
    if (grantLost) {
      log.error(
        context,
        "oauth refresh answer discarded after the connection was expired by another refresh; its rotated refresh token is lost",
      );
    } else {
      log.warn(context, "oauth refresh answer discarded: another refresh wrote the connection first (this one's lease had expired)");
    }
    await appendAuditEvents(this.deps.db, [
      {
        actor: { kind: "system", id: "oauth-refresher" },
        source: this.source,
        action: "oauth.refresh",
        target: `oauth:${row.providerId}`,
        extensionId: row.clientExtensionId,
        orgId: row.orgId,
        outcome: "failure",
        details: { connection: row.id, discarded: "lost_race", rotated, grant_lost: grantLost },
      },
    ]);
    return outcomeOf(current ?? null);
  }

  /** Keeps every setup field's `store_as` copy of the access token current. */
  async #updateStoreAs(row: OAuthConnectionRow, accessToken: string) {
    const uses = await this.deps.db
      .select({ installationId: oauthConnectionUses.installationId, storeAs: oauthConnectionUses.storeAs })
      .from(oauthConnectionUses)
      .where(and(eq(oauthConnectionUses.connectionId, row.id), sql`${oauthConnectionUses.storeAs} <> ''`));
    for (const use of uses) {
      await writeStoreAs(this.deps, use, { orgId: row.orgId, userId: row.ownerKind === "user" ? row.ownerId : null }, accessToken, {
        actor: { kind: "system", id: "oauth-refresher" },
        source: this.source,
      });
    }
  }

  /**
   * One pass of the background refresher: refreshes every active connection expiring within `aheadMs`
   * and not backing off, `concurrency` at a time, skipping rows another process is refreshing.
   */
  async refreshDue(
    options: { aheadMs?: number; limit?: number; concurrency?: number } = {},
  ): Promise<Record<RefreshOutcome["kind"], number>> {
    const aheadMs = options.aheadMs ?? REFRESH_AHEAD_MS;
    const now = this.#now();
    const due = await dueConnections(this.deps.db, new Date(now.getTime() + aheadMs), now, options.limit ?? 500);
    const counts: Record<RefreshOutcome["kind"], number> = {
      refreshed: 0,
      fresh: 0,
      expired: 0,
      retry_later: 0,
      not_refreshable: 0,
      scopes_missing: 0,
    };
    let next = 0;
    // A refresh holds no database connection during the provider's round trip (only the lease), so the
    // limit is about politeness to providers, not the pool.
    const concurrency = options.concurrency ?? 8;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, due.length) }, async () => {
        while (next < due.length) {
          const id = due[next++] as string;
          try {
            const outcome = await this.refresh(id, { minValidityMs: aheadMs, skipLocked: true });
            counts[outcome.kind]++;
          } catch (error) {
            (this.deps.logger ?? defaultLogger).error(
              { connection: id, err: error instanceof Error ? error.message : String(error) },
              "oauth refresh errored",
            );
          }
        }
      }),
    );
    return counts;
  }
}

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

/** The resource a refresh obtains a token for, when it is not the connection's own token's; else null. */
function otherResource(row: Pick<OAuthConnectionRow, "tokenResource">, options: RefreshOptions): string | null {
  return options.resource && options.resource !== row.tokenResource ? options.resource : null;
}

/**
 * The `scope` a refresh asks for: on a one-token-per-resource provider, the grant's scopes of the one
 * resource wanted (the connection's own token's unless `resource`), as a token request must not mix
 * resources (Microsoft's AADSTS28000); elsewhere none, so the whole grant is implied (RFC 6749 §6).
 */
function scopeToAskFor(provider: ProviderConfig, row: OAuthConnectionRow, resource: string | null): string[] | null {
  if (!provider.quirks.onePerResource) return null;
  const own = row.tokenResource ?? row.scopes.map((s) => resourceOf(provider, s)).find((r) => r !== null) ?? null;
  return scopesForResource(provider, row.scopes, resource ?? own);
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

async function dueConnections(db: DbOrTx, before: Date, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: oauthConnections.id })
    .from(oauthConnections)
    .where(
      and(
        eq(oauthConnections.status, "active"),
        isNotNull(oauthConnections.refreshToken),
        lte(oauthConnections.expiresAt, before),
        or(isNull(oauthConnections.nextAttemptAt), lte(oauthConnections.nextAttemptAt, now)),
        // Leased by another process: theirs to refresh.
        or(isNull(oauthConnections.refreshLeaseUntil), lte(oauthConnections.refreshLeaseUntil, leaseExpiredBefore(now))),
      ),
    )
    .orderBy(asc(oauthConnections.expiresAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
