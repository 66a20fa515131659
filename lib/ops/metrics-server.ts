// The worker's metrics endpoint: the worker serves no HTTP otherwise, yet its OAuth refreshes, keyring
// calls and audit sequencing are what an operator most wants to watch. A plain Node server on
// LATCHKEY_WORKER_METRICS_PORT answers GET /metrics (same token rule as the app's /api/metrics) and
// GET /health (liveness, for the container's health check).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { DomainError } from "@/lib/core/domain-error";
import { authorizeMetrics, renderMetrics } from "./metrics-auth";

/** Starts the server on `port` (0: any free one) of every interface; resolves with it once listening. */
export async function serveWorkerMetrics(port: number, token: string | undefined, log: Logger): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "cache-control": "no-store", ...headers });
      res.end(body);
    };
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/health") return send(200, '{"status":"ok"}', { "content-type": "application/json" });
    if (req.method !== "GET" || path !== "/metrics") return send(404, '{"error":{"code":"not_found","message":"GET /metrics or /health"}}');
    try {
      authorizeMetrics(req.headers.authorization, token);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return send(error.status, JSON.stringify({ error: { code: error.code, message: error.message } }), {
        "content-type": "application/json",
        ...error.responseHeaders(),
      });
    }
    renderMetrics().then(
      ({ body, contentType }) => send(200, body, { "content-type": contentType }),
      (error: unknown) => {
        log.error({ err: error }, "rendering metrics failed");
        send(500, '{"error":{"code":"internal_error","message":"metrics could not be rendered"}}');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  log.info({ port: (server.address() as AddressInfo).port }, "worker metrics listening");
  return server;
}
