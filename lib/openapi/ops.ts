// The operations endpoints in the OpenAPI document (app/api/health, ready, metrics): for load balancers
// and Prometheus, outside /api/v1, so each operation names the server root as its server.
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { errorResponses, json, security } from "./shared";

/** GET /api/ready's body (lib/ops/readiness.ts): each check is "ok" or what is wrong. */
const readyBody = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.object({ database: z.string(), migrations: z.string(), keyring: z.string(), shutdown: z.string() }),
  })
  .meta({ id: "InstanceReadiness" });

/** Registers /api/health, /api/ready, /api/metrics and the document itself. */
export function registerOps(registry: OpenAPIRegistry, baseUrl: string): void {
  registry.registerPath({
    tags: ["operations"],
    security: security.none,
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1", content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } } } },
  });
  const common = { tags: ["operations"], servers: [{ url: baseUrl }] };
  registry.registerPath({
    ...common,
    security: security.none,
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    summary: "Liveness: the process is up (touches nothing else)",
    responses: { 200: json("Up", z.object({ status: z.literal("ok") })) },
  });
  registry.registerPath({
    ...common,
    security: security.none,
    method: "get",
    path: "/api/ready",
    operationId: "getInstanceReadiness",
    summary: "Readiness for a load balancer: database, migrations, keyring, shutdown",
    responses: { 200: json("Ready", readyBody), 503: json("Not ready (what is not, or shutting down)", readyBody) },
  });
  registry.registerPath({
    ...common,
    security: security.metrics,
    method: "get",
    path: "/api/metrics",
    operationId: "getMetrics",
    summary: "This instance's Prometheus metrics (scrape every instance, not the load balancer)",
    responses: {
      200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
      ...errorResponses(["unauthorized", "metrics_disabled"]),
    },
  });
}
