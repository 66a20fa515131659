// Readiness for a load balancer (GET /api/ready): the database answers, every migration this release
// ships is applied, and the keyring can unwrap a data key. Cheap enough to be asked every second by every
// balancer: the database part is one indexed query, and the keyring part — a real unwrap through the KMS,
// not the data-key cache, which would keep answering for minutes after the KMS went away — is made at
// most once per `keyringTtlMs` per process (concurrent checks share one call). From a shutdown signal on
// the answer is "not ready", so traffic drains away before the process stops.
import { desc, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "@/lib/db/client";
import { pendingMigrations } from "@/lib/db/migrations";
import { dataKeys } from "@/lib/db/schema";
import type { Keyring } from "@/lib/crypto";
import { dekContext } from "@/lib/crypto/data-keys";
import { timeKeyringCall } from "@/lib/core/metrics";

/** One check's verdict: "ok", or a short reason safe to serve (no key ids, no upstream text). */
export type CheckResult = "ok" | string;

/** The answer of GET /api/ready. */
export interface ReadinessReport {
  ready: boolean;
  checks: { database: CheckResult; migrations: CheckResult; keyring: CheckResult; shutdown: CheckResult };
}

export interface ReadinessDeps {
  db: () => Promise<Db>;
  keyring: () => Promise<Keyring>;
  migrationsFolder: string;
  draining: () => boolean;
  log: Logger;
  /** How long a keyring verdict is reused (default 10 s; a failure 2 s, so recovery shows quickly). */
  keyringTtlMs?: number;
  failedKeyringTtlMs?: number;
  /** The clock (ms since the epoch) the cache ages by; tests move it. */
  now?: () => number;
}

/** Checks readiness; one per process (see lib/ops/index.ts). */
export class ReadinessProbe {
  #keyring: KeyringVerdict | null = null;
  readonly #now: () => number;

  constructor(private readonly deps: ReadinessDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Every check at once; `ready` only when each says "ok". Never throws: a failure is a verdict. */
  async check(): Promise<ReadinessReport> {
    const [database, keyring] = await Promise.all([this.#database(), this.#keyringVerdict()]);
    const shutdown = this.deps.draining() ? "shutting down" : "ok";
    const checks = { ...database, keyring, shutdown };
    return { ready: Object.values(checks).every((c) => c === "ok"), checks };
  }

  async #database(): Promise<{ database: CheckResult; migrations: CheckResult }> {
    let pending;
    try {
      pending = await pendingMigrations(await this.deps.db(), this.deps.migrationsFolder);
    } catch (error) {
      this.deps.log.warn({ err: error }, "readiness: the database did not answer");
      return { database: "unreachable", migrations: "unknown" };
    }
    if (pending.length === 0) return { database: "ok", migrations: "ok" };
    return { database: "ok", migrations: `${pending.length} pending: ${pending.map((m) => m.tag).join(", ")}` };
  }

  #keyringVerdict(): Promise<CheckResult> {
    const now = this.#now();
    const cached = this.#keyring;
    const ttl = (verdict: CheckResult) => (verdict === "ok" ? (this.deps.keyringTtlMs ?? 10_000) : (this.deps.failedKeyringTtlMs ?? 2_000));
    // A probe still running is shared; a settled verdict is reused while fresh.
    if (cached && (cached.settled === null || now - cached.at < ttl(cached.settled))) return cached.verdict;
    const entry: KeyringVerdict = { at: now, settled: null, verdict: Promise.resolve("ok") };
    entry.verdict = this.#unwrapOne().then(
      () => (entry.settled = "ok"),
      (error: unknown) => {
        this.deps.log.warn({ err: error }, "readiness: the keyring cannot unwrap a data key");
        return (entry.settled = (error as { code?: unknown } | null)?.code === "vault_unavailable" ? "unavailable" : "failing");
      },
    );
    this.#keyring = entry;
    return entry.verdict;
  }

  /** Unwraps the newest data key of this keyring's kind (or, before the first write, makes one). */
  async #unwrapOne(): Promise<void> {
    const [db, keyring] = await Promise.all([this.deps.db(), this.deps.keyring()]);
    const [row] = await db
      .select({ id: dataKeys.id, kekId: dataKeys.kekId, wrapped: dataKeys.wrapped })
      .from(dataKeys)
      .where(eq(dataKeys.keyring, keyring.kind))
      .orderBy(desc(dataKeys.createdAt))
      .limit(1);
    if (row) {
      const key = await timeKeyringCall(keyring.kind, "unwrap_data_key", () =>
        keyring.unwrapDataKey(row.wrapped, row.kekId, dekContext(row.id)),
      );
      key.fill(0);
      return;
    }
    const made = await timeKeyringCall(keyring.kind, "generate_data_key", () => keyring.generateDataKey({ purpose: "latchkey:readiness" }));
    made.plaintext.fill(0);
  }
}

interface KeyringVerdict {
  at: number;
  settled: CheckResult | null;
  verdict: Promise<CheckResult>;
}
