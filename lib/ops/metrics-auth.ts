// Who may read the metrics: holders of LATCHKEY_METRICS_TOKEN, as `Authorization: Bearer <token>` (what
// Prometheus sends with `authorization: { credentials: … }` in a scrape config). Metrics name routes,
// error rates and key usage, so they are not public; with no token configured there are none to read.
import { createHash, timingSafeEqual } from "node:crypto";
import { DomainError } from "@/lib/core/domain-error";
import { metrics } from "@/lib/core/metrics";

export type MetricsErrorCode = "metrics_disabled" | "unauthorized";

/** A refused metrics request: 404 when metrics are off, 401 (with `WWW-Authenticate: Bearer`) for a bad token. */
export class MetricsError extends DomainError<MetricsErrorCode> {
  static override readonly kind = "MetricsError";

  constructor(code: MetricsErrorCode, message: string) {
    super(code, message);
  }

  get status(): 401 | 404 {
    return this.code === "unauthorized" ? 401 : 404;
  }

  override responseHeaders(): Record<string, string> {
    return this.code === "unauthorized" ? { "WWW-Authenticate": 'Bearer realm="latchkey-metrics"' } : {};
  }
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Checks an Authorization header against the configured token (compared in constant time).
 *
 * @throws MetricsError `metrics_disabled` when no token is configured, `unauthorized` when the header is
 *   missing, not a Bearer token, or not the token
 */
export function authorizeMetrics(authorization: string | null | undefined, token: string | undefined): void {
  if (!token) throw new MetricsError("metrics_disabled", "Metrics are off: set LATCHKEY_METRICS_TOKEN to serve them.");
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!presented) throw new MetricsError("unauthorized", "Send the metrics token as Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.");
  if (!timingSafeEqual(digest(presented), digest(token))) {
    throw new MetricsError("unauthorized", "The metrics token is not the one in LATCHKEY_METRICS_TOKEN.");
  }
}

/** The process's metrics in Prometheus' text format, with its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
