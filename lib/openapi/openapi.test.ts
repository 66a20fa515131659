// The OpenAPI document against the code it describes: every route file under app/api/v1 (and the
// operations endpoints) is an operation; each error code is documented under the status it is served
// with; and the document's request schemas accept and refuse the same bodies as the zod schemas the
// routes validate with (checked with ajv, a JSON Schema 2020-12 validator, on the generated document).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { verifyBody } from "@/lib/audit/schemas";
import { credentialBody } from "@/lib/extensions/api-schemas";
import { runtimeErrorStatus } from "@/lib/runtime/errors";
import { oauthTokenBody, putSecretBody } from "@/lib/runtime/schemas";
import { buildOpenApiDocument, openApiDocument } from ".";
import { servedStatus } from "./shared";

type Operation = {
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string }[];
  responses?: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
};
const METHODS = ["get", "put", "post", "patch", "delete"] as const;
const doc = buildOpenApiDocument("https://latchkey.example/");
const paths = (doc.paths ?? {}) as Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
const operations = Object.entries(paths).flatMap(([p, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${p}`, path: p, op: item[m] as Operation })),
);

const root = path.resolve(__dirname, "../..");
const V1 = path.join(root, "app/api/v1");

/** route.ts files under a folder, as [OpenAPI path, file]; `[id]` → `{id}`, `%5F` → `_`. */
function routeFiles(dir: string, prefix: string): [string, string][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): [string, string][] => {
    const full = path.join(dir, entry.name);
    if (!entry.isDirectory()) return entry.name === "route.ts" ? [[prefix || "/", full]] : [];
    const segment = decodeURIComponent(entry.name).replace(/^\[(\w+)\]$/, "{$1}");
    if (segment === "_bench") return []; // benchmark-only, not in production builds
    return routeFiles(full, `${prefix}/${segment}`);
  });
}

/** The HTTP methods a route file exports (`export const GET`, `export async function GET`, `export { GET }`). */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g))
    found.add(m[1] ?? "");
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const name of (m[1] ?? "").split(",").map((s) =>
      s
        .trim()
        .split(/\s+as\s+/)
        .pop(),
    )) {
      if (name && /^(GET|POST|PUT|PATCH|DELETE)$/.test(name)) found.add(name);
    }
  }
  return [...found];
}

describe("OpenAPI document", () => {
  it("has an operation for every method of every route file under app/api/v1, and for health, ready and metrics", () => {
    const files: [string, string][] = [
      ...routeFiles(V1, ""),
      ...["health", "ready", "metrics"].map((name): [string, string] => [`/api/${name}`, path.join(root, `app/api/${name}/route.ts`)]),
    ];
    const expected = files.flatMap(([p, file]) => exportedMethods(readFileSync(file, "utf8")).map((m) => `${m} ${p}`));
    expect(expected.length).toBeGreaterThan(25);
    const documented = new Set(operations.map((o) => o.key));
    expect(
      expected.filter((key) => !documented.has(key)),
      "route handlers missing from the OpenAPI document",
    ).toEqual([]);
  });

  it("is OpenAPI 3.1 whose operations have unique ids, tags, responses, declared path parameters and resolvable $refs", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers?.[0]?.url).toBe("https://latchkey.example/api/v1");
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, path: p, op } of operations) {
      expect(op.operationId, key).toMatch(/^[a-zA-Z]+$/);
      expect(op.tags?.length, key).toBeGreaterThan(0);
      expect(
        Object.keys(op.responses ?? {}).some((s) => s.startsWith("2")),
        key,
      ).toBe(true);
      const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((x) => x.in === "path").map((x) => x.name);
      expect(declared.sort(), key).toEqual(templated.sort());
    }
    const text = JSON.stringify(doc);
    for (const [, kind = "", name = ""] of text.matchAll(/"#\/components\/(\w+)\/(\w+)"/g)) {
      expect((doc.components as Record<string, Record<string, unknown>>)[kind]?.[name], `${kind}/${name}`).toBeDefined();
    }
    for (const requirement of operations.flatMap((o) => (o.op as { security?: Record<string, unknown>[] }).security ?? [])) {
      for (const scheme of Object.keys(requirement)) expect(doc.components?.securitySchemes?.[scheme], scheme).toBeDefined();
    }
  });

  it("documents each error code under the status it is served with, and every runtime refusal the SDK knows", () => {
    const documented = new Set<string>();
    for (const { key, op } of operations) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const code of Object.keys(response.content?.["application/json"]?.examples ?? {})) {
          expect(servedStatus[code], `${key} ${code}`).toBe(Number(status));
          documented.add(code);
        }
      }
    }
    for (const [code, status] of Object.entries(runtimeErrorStatus)) expect(servedStatus[code]).toBe(status);
    for (const code of ["invalid_token", "secret_not_declared", "secret_write_forbidden", "secret_value_too_large", "secret_not_set"]) {
      expect(documented).toContain(code);
    }
    for (const code of ["vault_unavailable", "needs_reauthorization", "payload_too_large", "rate_limited", "publish_blocked"]) {
      expect(documented).toContain(code);
    }
  });

  it("is built once per base URL", () => {
    expect(openApiDocument("https://a.example")).toBe(openApiDocument("https://a.example"));
  });
});

describe("request bodies in the document accept and refuse what the routes' zod schemas do", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: "doc" });
  const cases: [name: string, schema: z.ZodType, samples: unknown[]][] = [
    ["PutSecretBody", putSecretBody, [{ value: "s3cret" }, { value: "" }, {}, { value: 1 }, { value: null }, null, [], "x"]],
    [
      "OAuthTokenBody",
      oauthTokenBody,
      [
        { provider: "spotify" },
        { provider: "spotify", scopes: ["a", "b"] },
        { provider: "spotify", scopes: null },
        { provider: "" },
        { provider: "x".repeat(201) },
        { scopes: ["a"] },
        { provider: "spotify", scopes: "a" },
        { provider: "spotify", scopes: [""] },
        { provider: "spotify", scopes: Array.from({ length: 101 }, () => "a") },
        null,
      ],
    ],
    [
      "AuditVerifyBody",
      verifyBody,
      [{ content_hash: "ab".repeat(32) }, { content_hash: "AB".repeat(32) }, { content_hash: "zz" }, {}, null],
    ],
    [
      "PartnerCredentialBody",
      credentialBody,
      [{ value: "k" }, { value: "k", rotate: true }, { value: "k", rotate: "yes" }, { value: "x".repeat(70_001) }, { rotate: true }, []],
    ],
  ];
  it.each(cases)("%s", (name, schema, samples) => {
    const validate = ajv.getSchema(`doc#/components/schemas/${name}`);
    if (!validate) throw new Error(`${name} is not a component of the document`);
    let refused = 0;
    for (const sample of samples) {
      const zodAccepts = schema.safeParse(sample).success;
      if (!zodAccepts) refused++;
      expect(validate(sample), `${name} ${JSON.stringify(sample).slice(0, 60)}`).toBe(zodAccepts);
    }
    expect(refused).toBeGreaterThan(1);
  });
});

// A maintained OpenAPI validator is not a dependency yet: once @apidevtools/swagger-parser is added, this
// checks the whole document against the OpenAPI 3.1 specification's schema.
const parserName = "@apidevtools/swagger-parser";
const parser = await import(/* @vite-ignore */ parserName).catch(() => null);
describe.skipIf(!parser)("the OpenAPI 3.1 specification", () => {
  it("accepts the document", async () => {
    const SwaggerParser = (parser as { default: { validate(doc: unknown): Promise<unknown> } }).default;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });
});
