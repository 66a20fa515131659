// The OpenAPI 3.1 description of the runtime API, served at /api/v1/openapi.json. Built from the same
// error table the API uses (errors.ts), so a new error code cannot ship undocumented.
import { runtimeErrorStatus, type RuntimeErrorCode } from "./errors";
import { MAX_BODY_BYTES } from "./api";
import { runtimeScopes } from "./tokens";

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function errors(codes: RuntimeErrorCode[]): Json {
  const byStatus = new Map<number, RuntimeErrorCode[]>();
  for (const code of codes) byStatus.set(runtimeErrorStatus[code], [...(byStatus.get(runtimeErrorStatus[code]) ?? []), code]);
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: list.map((c) => `\`${c}\``).join(", "),
      content: {
        "application/json": {
          schema: ref("Error"),
          examples: Object.fromEntries(list.map((c) => [c, { value: { error: { code: c, message: "…" } } }])),
        },
      },
    };
  }
  return out;
}

const AUTH: RuntimeErrorCode[] = ["invalid_token", "installation_access_denied", "insufficient_scope", "vault_unavailable"];
const REF: RuntimeErrorCode[] = ["invalid_secret_ref", "secret_ref_ambiguous", "secret_not_declared", "user_context_required"];
const ok = (description: string, schema: Json) => ({ "200": { description, content: { "application/json": { schema } } } });
const refParam = {
  name: "ref",
  in: "path",
  required: true,
  description: "`ext.name`, `org.name` or `user.name`; a bare `name` is accepted when it is declared in exactly one scope.",
  schema: { type: "string", pattern: "^((ext|org|user)\\.)?[a-z][a-z0-9_]{0,62}$" },
};

export function openApiDocument(baseUrl: string): Json {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    openapi: "3.1.0",
    info: {
      title: "Latchkey runtime API",
      version: "1.0.0",
      description: [
        "What extensions call at run time. Authenticate with the runtime token the platform dispatched with",
        "(`Authorization: Bearer <jwt>`): an ES256 JWT of at most 15 minutes, bound to one installation and",
        "optionally one user, verifiable with the keys at `/.well-known/jwks.json`.",
        'Errors are `{ "error": { "code", "message" } }`; responses never carry stack traces and are `Cache-Control: no-store`.',
        `Request bodies over ${MAX_BODY_BYTES} bytes are refused with \`payload_too_large\`.`,
        "Every read and write is audited with the extension as the actor.",
      ].join(" "),
    },
    servers: [{ url: `${base}/api/v1` }],
    security: [{ runtimeToken: [] }],
    paths: {
      "/secrets": {
        get: {
          operationId: "listSecrets",
          summary: "The extension's declared secrets with their status (never values)",
          "x-required-scope": "secrets:read",
          responses: {
            ...ok("Declared secrets", {
              type: "object",
              required: ["secrets"],
              properties: { secrets: { type: "array", items: ref("SecretMeta") } },
            }),
            ...errors(AUTH),
          },
        },
      },
      "/secrets/{ref}": {
        parameters: [refParam],
        get: {
          operationId: "getSecret",
          summary: "Read a secret's value (404 when unset)",
          "x-required-scope": "secrets:read",
          responses: {
            ...ok("The value", {
              type: "object",
              required: ["ref", "value"],
              properties: { ref: { type: "string" }, value: { type: "string" } },
            }),
            ...errors([...AUTH, ...REF, "secret_not_set", "secret_integrity_failure"]),
          },
        },
        put: {
          operationId: "setSecret",
          summary: "Write a secret (write_mode extension or both; never ext.*)",
          "x-required-scope": "secrets:write",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { type: "object", required: ["value"], properties: { value: { type: "string", minLength: 1 } } },
              },
            },
          },
          responses: {
            ...ok("Written", {
              type: "object",
              required: ["ref", "is_set", "version"],
              properties: { ref: { type: "string" }, is_set: { const: true }, version: { type: "integer" } },
            }),
            ...errors([
              ...AUTH,
              ...REF,
              "secret_write_forbidden",
              "secret_value_too_large",
              "secret_value_empty",
              "payload_too_large",
              "invalid_request",
              "unsupported_media_type",
            ]),
          },
        },
        delete: {
          operationId: "deleteSecret",
          summary: "Delete a secret's value (crypto-shred); same write rules as PUT",
          "x-required-scope": "secrets:write",
          responses: {
            ...ok("Deleted", {
              type: "object",
              required: ["ref", "was_set"],
              properties: { ref: { type: "string" }, was_set: { type: "boolean" } },
            }),
            ...errors([...AUTH, ...REF, "secret_write_forbidden"]),
          },
        },
      },
      "/secrets/{ref}/meta": {
        parameters: [refParam],
        get: {
          operationId: "getSecretMeta",
          summary: "One secret's declaration and status (never its value)",
          "x-required-scope": "secrets:read",
          responses: { ...ok("Metadata", ref("SecretMeta")), ...errors([...AUTH, ...REF]) },
        },
      },
      "/readiness": {
        get: {
          operationId: "getReadiness",
          summary: "The dispatch gate: required secrets not set and OAuth connections missing",
          "x-required-scope": "readiness:read",
          responses: { ...ok("Readiness", ref("Readiness")), ...errors(AUTH) },
        },
      },
      "/oauth/token": {
        post: {
          operationId: "getOAuthToken",
          summary: "A current access token for the provider the extension requires (refreshed if needed; never the refresh token)",
          "x-required-scope": "oauth:token",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["provider"],
                  properties: {
                    provider: { type: "string", description: "requires.oauth_provider.provider" },
                    scopes: {
                      type: "array",
                      items: { type: "string" },
                      description: "A subset of the declared scopes; all declared scopes when omitted",
                    },
                  },
                },
              },
            },
          },
          responses: {
            ...ok("Access token", {
              type: "object",
              required: ["access_token", "expires_at", "scope"],
              properties: {
                access_token: { type: "string" },
                expires_at: { type: ["string", "null"], format: "date-time" },
                scope: { type: "string" },
              },
            }),
            ...errors([
              ...AUTH,
              "invalid_request",
              "payload_too_large",
              "unsupported_media_type",
              "oauth_provider_not_declared",
              "oauth_scope_not_declared",
              "needs_reauthorization",
              "oauth_not_connected",
              "oauth_provider_unavailable",
            ]),
          },
        },
      },
      "/.well-known/jwks.json": {
        servers: [{ url: base }],
        get: {
          operationId: "getJwks",
          summary: "Public keys that verify runtime tokens (current, and retired ones until their last token expires)",
          security: [],
          responses: ok("JWKS", { type: "object", required: ["keys"], properties: { keys: { type: "array", items: { type: "object" } } } }),
        },
      },
    },
    components: {
      securitySchemes: {
        runtimeToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: `ES256, aud "latchkey-runtime", claims installation, extension, org, user?, scopes (${runtimeScopes.join(", ")}), jti, iat, exp.`,
        },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              additionalProperties: true,
              properties: {
                code: { type: "string", enum: Object.keys(runtimeErrorStatus) },
                message: { type: "string" },
                connect_url: { type: "string", format: "uri", description: "needs_reauthorization: where the user connects" },
                missing_scopes: { type: "array", items: { type: "string" }, description: "needs_reauthorization: scopes to grant" },
                retry_after_seconds: { type: "number", description: "oauth_provider_unavailable: when to try again" },
                max_bytes: { type: "integer", description: "secret_value_too_large: the limit" },
              },
            },
          },
        },
        SecretMeta: {
          type: "object",
          required: ["ref", "scope", "name", "is_set", "write_mode", "max_bytes"],
          properties: {
            ref: { type: "string" },
            scope: { enum: ["ext", "org", "user"] },
            name: { type: "string" },
            description: { type: "string" },
            required: { type: "boolean" },
            write_mode: { enum: ["publisher", "user", "extension", "both"] },
            max_bytes: { type: "integer" },
            rotation_hint_days: { type: ["integer", "null"] },
            is_set: { type: ["boolean", "null"], description: "null for user.* when the token has no user" },
            version: { type: ["integer", "null"] },
            byte_length: { type: ["integer", "null"] },
            last_set_at: { type: ["string", "null"], format: "date-time" },
            last_read_at: { type: ["string", "null"], format: "date-time" },
            last_rotated_at: { type: ["string", "null"], format: "date-time" },
            rotation_count: { type: "integer" },
          },
        },
        Readiness: {
          type: "object",
          required: ["ready", "missing"],
          properties: {
            ready: { type: "boolean" },
            missing: {
              type: "array",
              items: {
                type: "object",
                required: ["ref", "reason", "settings_url"],
                properties: {
                  ref: { type: "string", description: "scope.name, or oauth:<provider>" },
                  reason: { enum: ["secret_not_set", "partner_credential_missing", "user_context_required", "connection_missing"] },
                  settings_url: { type: "string", format: "uri" },
                  scopes: { type: "array", items: { type: "string" } },
                },
              },
            },
          },
        },
      },
    },
  };
}
