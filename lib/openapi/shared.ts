// What every part of the OpenAPI document shares: the error body every API answers with
// (lib/http/respond.ts), the status each error code is served with (taken from the domains' own tables,
// so a code cannot be documented under another status than it is served with), the security schemes,
// and helpers that turn a list of codes into documented responses.
import type { OpenAPIRegistry, ResponseConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { auditApiErrorStatus } from "@/lib/audit/proofs";
import { extensionErrorStatus } from "@/lib/extensions/errors";
import { runtimeErrorStatus } from "@/lib/runtime/errors";

/** `{ "error": { "code", "message", "request_id", ... } }`: lib/http/respond.ts `ErrorBody`. */
export const errorBody = z
  .object({
    error: z.looseObject({
      code: z.string().meta({ description: "Stable, machine-readable; clients branch on it" }),
      message: z.string().meta({ description: "For the person or program that sent the request; never a value" }),
      request_id: z.string().meta({ description: "Also in the x-request-id header and every log line of the request" }),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: "invalid_manifest, publish_blocked: which lines or what blocks" }),
      field: z.string().optional().meta({ description: "Which input the message is about" }),
      connect_url: z.url().optional().meta({ description: "needs_reauthorization: where the user connects" }),
      missing_scopes: z.array(z.string()).optional().meta({ description: "needs_reauthorization: scopes to grant" }),
      retry_after_seconds: z.number().optional().meta({ description: "rate_limited, oauth_provider_unavailable: when to try again" }),
      max_bytes: z.number().int().optional().meta({ description: "secret_value_too_large: the limit" }),
    }),
  })
  .meta({ id: "Error" });

/** Codes any entry point may answer with, beside its domain's own. */
const commonErrorStatus = {
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  internal_error: 500,
  vault_unavailable: 503,
  invalid_archive: 422,
  metrics_disabled: 404,
  unauthorized: 401,
} as const;

/** The status every documented error code is served with, from each domain's own table. */
export const servedStatus: Record<string, number> = {
  ...commonErrorStatus,
  ...extensionErrorStatus,
  ...auditApiErrorStatus,
  ...runtimeErrorStatus,
};

/** An error code of any domain. */
export type ErrorCode =
  keyof typeof commonErrorStatus | keyof typeof extensionErrorStatus | keyof typeof auditApiErrorStatus | keyof typeof runtimeErrorStatus;

/** Security requirements of an operation, by the scheme names `registerSecuritySchemes` registers. */
export const security: Record<"runtime" | "publisher" | "session" | "auditExport" | "metrics" | "none", Record<string, string[]>[]> = {
  runtime: [{ runtimeToken: [] }],
  publisher: [{ publisherToken: [] }],
  session: [{ sessionCookie: [] }],
  auditExport: [{ auditExportToken: [] }, { sessionCookie: [] }],
  metrics: [{ metricsToken: [] }],
  none: [],
};

/** Registers the document's security schemes (names as in `security`). */
export function registerSecuritySchemes(registry: OpenAPIRegistry, runtimeScopes: readonly string[]): void {
  const bearer = (bearerFormat: string, description: string) => ({ type: "http" as const, scheme: "bearer", bearerFormat, description });
  registry.registerComponent(
    "securitySchemes",
    "runtimeToken",
    bearer(
      "JWT",
      `The runtime token the platform dispatched the extension with: ES256, aud "latchkey-runtime", at most 15 minutes, claims installation, extension, org, user?, scopes (${runtimeScopes.join(", ")}), jti, iat, exp; keys at /.well-known/jwks.json.`,
    ),
  );
  registry.registerComponent("securitySchemes", "publisherToken", bearer("lk_pub_…", "A publisher API token (Publisher Dashboard)."));
  registry.registerComponent(
    "securitySchemes",
    "auditExportToken",
    bearer("opaque", "The value of LATCHKEY_AUDIT_EXPORT_TOKEN (a SIEM collector)."),
  );
  registry.registerComponent("securitySchemes", "metricsToken", bearer("opaque", "The value of LATCHKEY_METRICS_TOKEN."));
  registry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "authjs.session-token",
    description: "A signed-in browser session (next-auth); `__Secure-` prefixed over HTTPS.",
  });
}

const requestIdHeader = {
  "x-request-id": { description: "The request's id (also in the error body)", schema: { type: "string" as const } },
};

/** Documented responses for the given error codes, one per status, each code an example of the body. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, ResponseConfig> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(servedStatus[code] ?? 500, [...(byStatus.get(servedStatus[code] ?? 500) ?? []), code]);
  const out: Record<string, ResponseConfig> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: list.map((c) => `\`${c}\``).join(", "),
      headers:
        status === 429
          ? { ...requestIdHeader, "Retry-After": { description: "Seconds until a retry may succeed", schema: { type: "integer" } } }
          : requestIdHeader,
      content: {
        "application/json": {
          schema: errorBody,
          examples: Object.fromEntries(list.map((c) => [c, { value: { error: { code: c, message: "…", request_id: "…" } } }])),
        },
      },
    };
  }
  return out;
}

/** A 2xx JSON response with the request id header. */
export function json(description: string, schema: z.ZodType): ResponseConfig {
  return { description, headers: requestIdHeader, content: { "application/json": { schema } } };
}

/** A JSON request body. */
export function jsonBody(schema: z.ZodType, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}
