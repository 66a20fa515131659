// Prometheus metrics of this process (prom-client): one registry per process, kept on globalThis because
// Next loads server modules in several bundle layers (route handlers, instrumentation) and each would
// otherwise count into a registry of its own. Counters are bumped where the work happens (lib/http,
// lib/vault, lib/oauth); what is a property of the shared database rather than of this process — the
// audit sequencer's lag, the anchors' status — is read from it at scrape time through `setAuditProbe`.
// Served by GET /api/metrics (and the worker's own port) to holders of LATCHKEY_METRICS_TOKEN only.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What the audit probe reports, read from the database (see lib/audit/health.ts). */
export interface AuditProbe {
  /** Committed events not yet given a leaf index. */
  unsequenced: number;
  /** Seconds since the oldest of them was written (0 when none). */
  lagSeconds: number;
  treeSize: number;
  /** Seconds since the latest signed checkpoint (null: none yet). */
  checkpointAgeSeconds: number | null;
  /** Per anchor sink: anchors by status, and the newest confirmed one. */
  anchors: {
    sink: string;
    pending: number;
    failed: number;
    confirmedTreeSize: number | null;
    confirmedAgeSeconds: number | null;
  }[];
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let auditProbe: (() => Promise<AuditProbe>) | null = null;
  // All audit gauges read one probe per scrape: the first gauge's collect starts it, the others share it.
  let probing: { at: number; result: Promise<AuditProbe | null> } | null = null;
  const probe = (): Promise<AuditProbe | null> => {
    if (!auditProbe) return Promise.resolve(null);
    if (!probing || Date.now() - probing.at > 1000) {
      probing = { at: Date.now(), result: auditProbe().catch(() => null) };
    }
    return probing.result;
  };
  const readQueues = new Set<() => number>();

  const m = {
    registry,
    ...instruments(registers),
    /** Adds a source of queued read-audit events (a vault's read recorder) to the queue gauge. */
    trackReadQueue(pending: () => number): void {
      readQueues.add(pending);
    },
    /** Sets where the audit gauges come from (the app's or worker's database). */
    setAuditProbe(fn: () => Promise<AuditProbe>): void {
      auditProbe = fn;
    },
  };

  auditGauges(registers, probe, readQueues);
  return m;
}

/** The counters and histograms of requests, vault operations, keyring calls, the DEK cache and OAuth refreshes. */
function instruments(registers: Registry[]) {
  return {
    httpRequests: new Counter({
      name: "latchkey_http_requests_total",
      help: "HTTP requests answered, by method, route (the app's route pattern, e.g. /api/v1/secrets/[ref]) and status",
      labelNames: ["method", "route", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "latchkey_http_request_duration_seconds",
      help: "Time from request to the end of the response, by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: SECONDS,
      registers,
    }),
    vaultOperations: new Counter({
      name: "latchkey_vault_operations_total",
      help: "Vault operations by operation (read, set, rotate, delete) and outcome (ok, not_found, or the error code)",
      labelNames: ["operation", "outcome"] as const,
      registers,
    }),
    vaultDuration: new Histogram({
      name: "latchkey_vault_operation_duration_seconds",
      help: "Vault operation time, by operation",
      labelNames: ["operation"] as const,
      buckets: SECONDS,
      registers,
    }),
    keyringCalls: new Counter({
      name: "latchkey_keyring_calls_total",
      help: "Calls to the keyring (AWS KMS or local), by keyring, operation and outcome (ok, unavailable, error)",
      labelNames: ["keyring", "operation", "outcome"] as const,
      registers,
    }),
    keyringDuration: new Histogram({
      name: "latchkey_keyring_call_duration_seconds",
      help: "Keyring call time, by keyring and operation",
      labelNames: ["keyring", "operation"] as const,
      buckets: SECONDS,
      registers,
    }),
    dekCache: new Counter({
      name: "latchkey_dek_cache_lookups_total",
      help: "Unwrapped data-key cache lookups when opening a value, by result (hit, miss: a keyring call)",
      labelNames: ["result"] as const,
      registers,
    }),
    oauthRefreshes: new Counter({
      name: "latchkey_oauth_refresh_total",
      help: "OAuth refresh attempts by trigger (background, on_demand) and outcome (refreshed, fresh, expired, retry_later, not_refreshable, error)",
      labelNames: ["trigger", "outcome"] as const,
      registers,
    }),
  };
}

/**
 * The gauges read at scrape time: queued read-audit events (summed over `readQueues`), and the audit log's
 * sequencing, tree, checkpoint and anchors, all from one `probe` per scrape.
 */
function auditGauges(registers: Registry[], probe: () => Promise<AuditProbe | null>, readQueues: Set<() => number>) {
  new Gauge({
    name: "latchkey_audit_read_events_queued",
    help: "Read-audit events queued in this process, not yet written (flushed every second and on SIGTERM)",
    registers,
    collect() {
      let total = 0;
      for (const pending of readQueues) total += pending();
      this.set(total);
    },
  });
  const auditGauge = (name: string, help: string, pick: (p: AuditProbe) => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.reset();
        const p = await probe();
        const value = p ? pick(p) : null;
        if (value !== null) this.set(value);
      },
    });
  auditGauge("latchkey_audit_unsequenced_events", "Audit events written but not yet sequenced into the Merkle tree", (p) => p.unsequenced);
  auditGauge(
    "latchkey_audit_sequencer_lag_seconds",
    "Age of the oldest audit event not yet sequenced (0: none waiting)",
    (p) => p.lagSeconds,
  );
  auditGauge("latchkey_audit_tree_size", "Leaves in the audit log's Merkle tree", (p) => p.treeSize);
  auditGauge("latchkey_audit_checkpoint_age_seconds", "Seconds since the latest signed checkpoint", (p) => p.checkpointAgeSeconds);
  const anchorGauge = (name: string, help: string, labels: readonly string[], fill: (g: Gauge, p: AuditProbe) => void) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers,
      async collect() {
        this.reset();
        const p = await probe();
        if (p) fill(this, p);
      },
    });
  anchorGauge(
    "latchkey_audit_anchors",
    "Checkpoint anchors not yet confirmed, by sink and status (pending, failed)",
    ["sink", "status"],
    (g, p) => {
      for (const a of p.anchors) {
        g.set({ sink: a.sink, status: "pending" }, a.pending);
        g.set({ sink: a.sink, status: "failed" }, a.failed);
      }
    },
  );
  anchorGauge("latchkey_audit_anchored_tree_size", "Tree size of the newest confirmed anchor, by sink", ["sink"], (g, p) => {
    for (const a of p.anchors) if (a.confirmedTreeSize !== null) g.set({ sink: a.sink }, a.confirmedTreeSize);
  });
  anchorGauge("latchkey_audit_anchor_age_seconds", "Seconds since the newest confirmed anchor was confirmed, by sink", ["sink"], (g, p) => {
    for (const a of p.anchors) if (a.confirmedAgeSeconds !== null) g.set({ sink: a.sink }, a.confirmedAgeSeconds);
  });
}

/** This process's metrics. */
export type LatchkeyMetrics = ReturnType<typeof create>;

const globalForMetrics = globalThis as unknown as { latchkeyMetrics?: LatchkeyMetrics };

/** The process's one set of metrics (created on first use). */
export function metrics(): LatchkeyMetrics {
  globalForMetrics.latchkeyMetrics ??= create();
  return globalForMetrics.latchkeyMetrics;
}

/** The label value of a failure: a domain error's code when it has a short snake_case one, else "error". */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[a-z][a-z_]{0,40}$/.test(code) ? code : "error";
}

/**
 * Times one keyring call and counts it by outcome: `unavailable` for KeyringUnavailableError (code
 * `vault_unavailable`: the KMS cannot be reached), `error` for anything else it throws.
 */
export async function timeKeyringCall<T>(keyring: string, operation: string, call: () => Promise<T>): Promise<T> {
  const m = metrics();
  const end = m.keyringDuration.startTimer({ keyring, operation });
  try {
    const result = await call();
    m.keyringCalls.inc({ keyring, operation, outcome: "ok" });
    return result;
  } catch (error) {
    const unavailable = (error as { code?: unknown } | null)?.code === "vault_unavailable";
    m.keyringCalls.inc({ keyring, operation, outcome: unavailable ? "unavailable" : "error" });
    throw error;
  } finally {
    end();
  }
}

/**
 * Times a vault operation; `outcome` names a success ("ok", "not_found"), a throw is counted under its
 * error code (`outcomeOf`). `count` is how many operations the call performed (a batch of writes).
 */
export async function timeVaultOperation<T>(
  operation: string,
  run: () => Promise<T>,
  outcome: (result: T) => string = () => "ok",
  count = 1,
): Promise<T> {
  const m = metrics();
  const end = m.vaultDuration.startTimer({ operation });
  try {
    const result = await run();
    m.vaultOperations.inc({ operation, outcome: outcome(result) }, count);
    return result;
  } catch (error) {
    m.vaultOperations.inc({ operation, outcome: outcomeOf(error) }, count);
    throw error;
  } finally {
    end();
  }
}
