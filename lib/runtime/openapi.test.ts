import { describe, expect, it } from "vitest";
import { runtimeErrorStatus } from "./errors";
import { openApiDocument } from "./openapi";

type Op = { responses: Record<string, { content?: { "application/json"?: { examples?: Record<string, unknown> } } }> };

describe("OpenAPI document", () => {
  const doc = openApiDocument("https://latchkey.example/") as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
    servers: { url: string }[];
  };

  it("is OpenAPI 3.1 and covers every runtime endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]?.url).toBe("https://latchkey.example/api/v1");
    const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((k) => ["get", "put", "post", "delete"].includes(k))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /secrets",
        "GET /secrets/{ref}",
        "PUT /secrets/{ref}",
        "DELETE /secrets/{ref}",
        "GET /secrets/{ref}/meta",
        "GET /readiness",
        "POST /oauth/token",
        "GET /.well-known/jwks.json",
      ].sort(),
    );
  });

  it("documents each error code under the status the API serves it with", () => {
    const documented = new Set<string>();
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item) as Op[]) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          for (const code of Object.keys(response.content?.["application/json"]?.examples ?? {})) {
            expect(runtimeErrorStatus[code as keyof typeof runtimeErrorStatus]).toBe(Number(status));
            documented.add(code);
          }
        }
      }
    }
    for (const code of [
      "invalid_token",
      "secret_not_declared",
      "secret_write_forbidden",
      "secret_value_too_large",
      "secret_not_set",
      "vault_unavailable",
      "needs_reauthorization",
      "payload_too_large",
      "user_context_required",
    ]) {
      expect(documented).toContain(code);
    }
  });
});
