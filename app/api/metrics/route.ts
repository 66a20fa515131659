// GET /api/metrics — this instance's Prometheus metrics (text exposition format), for holders of
// LATCHKEY_METRICS_TOKEN (`Authorization: Bearer …`); 404 `metrics_disabled` when no token is set,
// 401 `unauthorized` for a missing or wrong one. Each instance serves its own counters: scrape every
// instance, not the load balancer.
import { env } from "@/lib/env";
import { route } from "@/lib/http/route";
import { authorizeMetrics, renderMetrics, wireAuditMetrics } from "@/lib/ops";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  authorizeMetrics(request.headers.get("authorization"), env().LATCHKEY_METRICS_TOKEN);
  wireAuditMetrics();
  const { body, contentType } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
