// Refreshing connections, ahead of expiry (the background refresher) and on demand (a token asked for
// close to expiry). At most one refresh per connection is in flight across every process, through a lease
// on the connection row (refresh-lease.ts) taken by one conditional UPDATE: the provider's token endpoint
// is then called with no transaction open and no row locked (on the embedded database one open
// transaction stalls every request), and a caller arriving meanwhile waits for the holder's answer instead
// of spending the refresh token a second time; within a process, callers share one promise before they
// even reach the database. The answer is written in one short transaction that records the refresh,
// compare-and-set on token_version, and releases the lease (refresh-attempt.ts, refresh-failure.ts). Only
// invalid_grant (and equivalents) expires a connection; 5xx, 429 and network errors back off per
// connection and leave it active (refresh-policy.ts).
import { randomBytes } from "node:crypto";
import os from "node:os";
import { and, eq } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { AuditSource } from "@/lib/audit/events";
import { oauthConnections, oauthResourceTokens, type OAuthConnectionRow } from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/logger";
import { metrics } from "@/lib/core/metrics";
import { refreshTokens, type ClientSecrets, type TokenSet } from "./client";
import { ProviderRequestError } from "./provider-error";
import { connectionProvider } from "./connection-provider";
import { clientSecrets, concreteProvider, type OAuthDeps } from "./connections";
import type { ProviderConfig } from "./provider-config";
import { storeRefreshed, storeResourceToken, updateStoreAs, type RefreshAttempt } from "./refresh-attempt";
import { discardLostAnswer, failureNotRecorded, recordFailure, recordMissingConsent } from "./refresh-failure";
import { acquireLease, dueConnections, handBackLease, LEASE_POLL_MS, leaseLive, REFRESH_LEASE_MS } from "./refresh-lease";
import { needsRefresh, otherResource, REFRESH_AHEAD_MS, scopeToAskFor, type RefreshOptions, type RefreshOutcome } from "./refresh-policy";
import { openToken, sealTokens } from "./token-seal";

/** Client secrets are re-read this often, so a publisher's rotation takes effect quickly. */
const CLIENT_SECRETS_TTL_MS = 60_000;

/** How a Refresher tells time, waits, and names itself; tests inject the first two. */
export interface RefresherOptions {
  /** The clock (default: the system's): token age, backoff, the lease and cached client secrets are computed from it. */
  now?: () => Date;
  /** Waits `ms` between looks at a connection another process is refreshing (default: a timer). */
  wait?: (ms: number) => Promise<void>;
  /** Names this refresher in refresh_lease_holder (default: host, process id and audit source). */
  name?: string;
}

/** A connection whose lease this attempt holds, with what the provider call needs (read before the lease). */
interface Leased {
  kind: "leased";
  row: OAuthConnectionRow;
  client: { provider: ProviderConfig; secrets: ClientSecrets };
  dek: { id: string; key: Buffer };
}

export class Refresher {
  readonly #inflight = new Map<string, Promise<RefreshOutcome>>();
  readonly #secrets: LRUCache<string, ClientSecrets>;

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
    this.#secrets = new LRUCache({
      max: 1_000,
      ttl: CLIENT_SECRETS_TTL_MS,
      ttlResolution: 0,
      perf: { now: () => this.#now().getTime() },
    });
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
    if (cached) return { provider, secrets: cached };
    const value = await clientSecrets(this.deps, found.client, found.provider.displayName, this.source);
    this.#secrets.set(cacheKey, value);
    return { provider, secrets: value };
  }

  async #refresh(connectionId: string, options: RefreshOptions): Promise<RefreshOutcome> {
    // One id per attempt: the lease is released only by the attempt that took it.
    const holder = `${this.#name}#${randomBytes(4).toString("hex")}`;
    const leased = await this.#lease(connectionId, options, holder);
    if (leased.kind !== "leased") return leased;
    const attempt: RefreshAttempt = { deps: this.deps, source: this.source, row: leased.row, holder, now: this.#now };
    let released = false;
    try {
      const outcome = await this.#attempt(attempt, leased, options);
      released = outcome.recorded;
      return outcome.outcome;
    } finally {
      // Anything that ended the attempt without writing (a token that would not open, an unexpected
      // error) hands the lease back at once instead of making others wait for it to expire.
      if (!released) {
        await handBackLease(this.deps.db, leased.row.id, holder).catch((error: unknown) =>
          (this.deps.logger ?? defaultLogger).error(
            { connection: leased.row.id, err: error instanceof Error ? error.message : String(error) },
            "releasing a refresh lease failed",
          ),
        );
      }
    }
  }

  /**
   * Takes the connection's lease, or answers without refreshing: not refreshable, still fresh, backing off,
   * or another process's refresh that this caller waited for (on demand, at most one lease) or leaves to it.
   */
  async #lease(connectionId: string, options: RefreshOptions, holder: string): Promise<Leased | RefreshOutcome> {
    let client: Leased["client"] | null | undefined;
    let dek: Leased["dek"] | undefined;
    let waitedSince: Date | null = null;
    for (;;) {
      const now = this.#now();
      const [current] = await this.deps.db.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId));
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
        const row = await acquireLease(this.deps.db, current, holder, this.#now());
        if (row) return { kind: "leased", row, client, dek };
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
  }

  /**
   * Calls the provider's token endpoint (no transaction is open and no row is locked while it answers, up
   * to its 10-second timeout; the lease alone keeps other processes from calling it too) and records the
   * answer. `recorded` says whether a write released the lease.
   */
  async #attempt(
    attempt: RefreshAttempt,
    leased: Leased,
    options: RefreshOptions,
  ): Promise<{ outcome: RefreshOutcome; recorded: boolean }> {
    const { row, client, dek } = leased;
    const { dataKeys } = this.deps.vault;
    const [refreshToken, currentAccessToken] = await Promise.all([
      openToken(dataKeys, row, "refresh_token", row.refreshToken),
      openToken(dataKeys, row, "access_token", row.accessToken),
    ]);
    if (!refreshToken) return { outcome: { kind: "not_refreshable", row }, recorded: false };
    const resource = otherResource(row, options);
    let tokens: TokenSet;
    try {
      tokens = await refreshTokens(client.provider, client.secrets, refreshToken, scopeToAskFor(client.provider, row, resource));
    } catch (error) {
      if (!(error instanceof ProviderRequestError)) throw error;
      const recorded = await this.#recordRefusal(attempt, leased, error, resource, currentAccessToken);
      return recorded ? { outcome: recorded, recorded: true } : { outcome: await failureNotRecorded(attempt, error), recorded: false };
    }
    const outcome =
      resource !== null
        ? await storeResourceToken(attempt, dek, client.provider, resource, tokens, { refreshToken, accessToken: currentAccessToken ?? "" })
        : await storeRefreshed(attempt, dek, client.provider, tokens, refreshToken);
    if (!outcome) return { outcome: await discardLostAnswer(attempt, tokens.refreshToken !== null), recorded: false };
    if (resource === null && tokens.accessToken) {
      await updateStoreAs(this.deps, this.source, outcome.row, tokens.accessToken).catch((error: unknown) =>
        (this.deps.logger ?? defaultLogger).error(
          { connection: outcome.row.id, err: error instanceof Error ? error.message : String(error) },
          "store_as update after refresh failed",
        ),
      );
    }
    return { outcome, recorded: true };
  }

  /** Records the provider's refusal; null when another refresh wrote the connection first. */
  async #recordRefusal(
    attempt: RefreshAttempt,
    { row, client, dek }: Leased,
    error: ProviderRequestError,
    resource: string | null,
    currentAccessToken: string | null,
  ): Promise<RefreshOutcome | null> {
    if (error.consentRequired && resource !== null) return recordMissingConsent(attempt, client.provider, resource, error);
    // The answer was refused but rotated the refresh token in: keep the new one (the provider may have
    // retired the old), re-sealing the current access token beside it at the next version.
    const salvaged =
      error.rotatedRefreshToken !== null && error.kind === "retryable"
        ? sealTokens(dek, row, row.tokenVersion + 1, { accessToken: currentAccessToken ?? "", refreshToken: error.rotatedRefreshToken })
        : null;
    return recordFailure(attempt, error, salvaged);
  }

  /** A write key for the new tokens, and the connection's current DEK unwrapped into the cache. */
  async #writeKey(row: OAuthConnectionRow): Promise<{ id: string; key: Buffer }> {
    const { dataKeys } = this.deps.vault;
    const [dek] = await Promise.all([dataKeys.forWrite(), row.dekId ? dataKeys.unwrap(row.dekId).then((k) => k.fill(0)) : null]);
    return dek;
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
