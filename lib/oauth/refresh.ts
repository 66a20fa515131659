// Refreshing connections, ahead of expiry (the background refresher) and on demand (a token asked for
// close to expiry). At most one refresh per connection is in flight across every process: the refresh runs
// while holding the connection's row lock (SELECT … FOR UPDATE), so a caller arriving meanwhile waits and
// then finds the new token instead of spending the refresh token a second time; within a process, callers
// share one promise before they even reach the database. The rotated refresh token is written in the same
// transaction that records the refresh, compare-and-set on token_version. Only invalid_grant (and
// equivalents) expires a connection; 5xx, 429 and network errors back off per connection and leave it active.
import { and, asc, eq, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { appendAuditEvents, type AuditSource } from "@/lib/audit/events";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, oauthConnectionUses, oauthConnections, type OAuthConnectionRow } from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/log";
import { catalogue } from "./catalogue";
import { refreshTokens, type ClientSecrets, ProviderRequestError } from "./client";
import { clientSecrets, connectionsPath, notify, writeStoreAs, type OAuthDeps } from "./connections";
import { installedProvider, providerFromManifest, type ProviderConfig } from "./providers";
import { openToken, sealTokens } from "./token-seal";

/** Refresh this long before expiry (background), and on demand when less than this is left. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
export const ON_DEMAND_MIN_VALIDITY_MS = 60_000;
const BACKOFF_BASE_MS = 15_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/** After this many consecutive retryable failures the connection's user hears about it (once). */
const DEGRADED_AFTER = 3;

export type RefreshOutcome =
  | { kind: "refreshed"; row: OAuthConnectionRow }
  /** Someone else refreshed it (or it did not need it): the row as found under the lock. */
  | { kind: "fresh"; row: OAuthConnectionRow }
  | { kind: "expired"; row: OAuthConnectionRow; reason: string }
  | { kind: "retry_later"; row: OAuthConnectionRow; reason: string; nextAttemptAt: Date }
  | { kind: "not_refreshable"; row: OAuthConnectionRow | null };

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
): Promise<{ provider: ProviderConfig; client: { extensionId: string; idRef: string; secretRef: string } } | null> {
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
    client: { extensionId: row.clientExtensionId, idRef: String(obtain.client_id ?? ""), secretRef: String(obtain.client_secret ?? "") },
  };
}

export class Refresher {
  readonly #inflight = new Map<string, Promise<RefreshOutcome>>();
  readonly #secrets = new Map<string, { value: ClientSecrets; at: number }>();

  constructor(
    private readonly deps: OAuthDeps,
    private readonly source: AuditSource = { kind: "worker" },
  ) {}

  /**
   * Refreshes a connection unless it already has at least `minValidityMs` left. Waits for a refresh
   * another caller (here or in another process) has in flight. `skipLocked` is for the background
   * refresher: a row someone else holds is theirs to refresh.
   */
  refresh(
    connectionId: string,
    options: { minValidityMs: number; skipLocked?: boolean; scopes?: string[] | null },
  ): Promise<RefreshOutcome> {
    const pending = this.#inflight.get(connectionId);
    if (pending) return pending;
    const run = this.#refresh(connectionId, options).finally(() => this.#inflight.delete(connectionId));
    this.#inflight.set(connectionId, run);
    return run;
  }

  async #clientSecrets(row: OAuthConnectionRow) {
    const found = await connectionProvider(this.deps, row);
    if (!found) return null;
    const cacheKey = `${found.client.extensionId}:${found.client.idRef}:${found.client.secretRef}`;
    const cached = this.#secrets.get(cacheKey);
    // Client secrets are re-read every minute, so a publisher's rotation takes effect quickly.
    if (cached && Date.now() - cached.at < 60_000) return { provider: found.provider, secrets: cached.value };
    const value = await clientSecrets(this.deps, found.client, found.provider.displayName, this.source);
    this.#secrets.set(cacheKey, { value, at: Date.now() });
    return { provider: found.provider, secrets: value };
  }

  async #refresh(
    connectionId: string,
    options: { minValidityMs: number; skipLocked?: boolean; scopes?: string[] | null },
  ): Promise<RefreshOutcome> {
    const log = this.deps.logger ?? defaultLogger;
    const { db, vault } = this.deps;
    // Everything that may touch the database outside the transaction happens first (client secrets, the
    // DEK to open the old refresh token with, a write key for the new tokens): the embedded database runs
    // one transaction at a time, so nothing inside it may wait on another query.
    const [before] = await db.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId));
    if (!before || before.status !== "active" || !before.refreshToken) return { kind: "not_refreshable", row: before ?? null };
    if (!needsRefresh(before, options.minValidityMs)) return { kind: "fresh", row: before };
    const client = await this.#clientSecrets(before);
    if (!client) return { kind: "not_refreshable", row: before };
    const [dek] = await Promise.all([
      vault.dataKeys.forWrite(),
      before.dekId ? vault.dataKeys.unwrap(before.dekId).then((k) => k.fill(0)) : null,
    ]);

    const outcome = await db.transaction(async (tx): Promise<RefreshOutcome & { storeAsToken?: string }> => {
      const locking = tx.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId));
      const [row] = await (options.skipLocked ? locking.for("update", { skipLocked: true }) : locking.for("update"));
      if (!row) return { kind: "fresh", row: before };
      if (row.status !== "active" || !row.refreshToken) return { kind: "not_refreshable", row };
      if (!needsRefresh(row, options.minValidityMs)) return { kind: "fresh", row };
      if (row.nextAttemptAt && row.nextAttemptAt > new Date()) {
        return { kind: "retry_later", row, reason: row.lastError ?? "backing off", nextAttemptAt: row.nextAttemptAt };
      }
      const refreshToken = await openToken(vault.dataKeys, row, "refresh_token", row.refreshToken);
      if (!refreshToken) return { kind: "not_refreshable", row };
      const now = new Date();
      try {
        const tokens = await refreshTokens(client.provider, client.secrets, refreshToken, options.scopes ?? null);
        const version = row.tokenVersion + 1;
        const sealed = sealTokens(dek, row, version, {
          accessToken: tokens.accessToken,
          // No new refresh token in the answer: the old one stays valid and is kept.
          refreshToken: tokens.refreshToken ?? refreshToken,
        });
        const [updated] = await tx
          .update(oauthConnections)
          .set({
            dekId: sealed.dekId,
            accessToken: sealed.accessToken,
            refreshToken: sealed.refreshToken,
            expiresAt: tokens.expiresAt,
            issuedAt: now,
            scopes: tokens.scopes ?? row.scopes,
            tokenVersion: version,
            lastRefreshedAt: now,
            refreshFailures: 0,
            nextAttemptAt: null,
            lastError: null,
            updatedAt: now,
          })
          .where(and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion)))
          .returning();
        if (!updated) throw new Error("token_version changed under the row lock");
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
      } catch (error) {
        if (!(error instanceof ProviderRequestError)) throw error;
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
            })
            .where(eq(oauthConnections.id, row.id))
            .returning();
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
          return { kind: "expired", row: updated ?? row, reason: error.reason };
        }
        const failures = row.refreshFailures + 1;
        const nextAttemptAt = new Date(now.getTime() + backoffMs(failures, error.retryAfterSeconds));
        const [updated] = await tx
          .update(oauthConnections)
          .set({ refreshFailures: failures, nextAttemptAt, lastError: error.message, updatedAt: now })
          .where(eq(oauthConnections.id, row.id))
          .returning();
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
        return { kind: "retry_later", row: updated ?? row, reason: error.message, nextAttemptAt };
      }
    });
    if (outcome.kind === "refreshed" && outcome.storeAsToken) {
      await this.#updateStoreAs(outcome.row, outcome.storeAsToken).catch((error: unknown) =>
        log.error(
          { connection: outcome.row.id, err: error instanceof Error ? error.message : String(error) },
          "store_as update after refresh failed",
        ),
      );
    }
    const { storeAsToken: _token, ...result } = outcome as RefreshOutcome & { storeAsToken?: string };
    return result as RefreshOutcome;
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
    const now = new Date();
    const due = await dueConnections(this.deps.db, new Date(now.getTime() + aheadMs), now, options.limit ?? 500);
    const counts: Record<RefreshOutcome["kind"], number> = { refreshed: 0, fresh: 0, expired: 0, retry_later: 0, not_refreshable: 0 };
    let next = 0;
    // Each refresh holds a pooled connection (and the row lock) for the provider's round trip: more
    // refreshes at once than the pool has connections would only queue (npm run worker's pool is 4).
    const concurrency = options.concurrency ?? 4;
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
      ),
    )
    .orderBy(asc(oauthConnections.expiresAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
