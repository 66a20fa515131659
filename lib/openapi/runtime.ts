// The runtime API in the OpenAPI document: what extensions call with their runtime token
// (app/api/v1/secrets, readiness, oauth/token; /.well-known/jwks.json). Schemas from lib/runtime/schemas.ts.
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { MAX_BODY_BYTES } from "@/lib/runtime/api";
import {
  jwksBody,
  oauthTokenAnswer,
  oauthTokenBody,
  putSecretBody,
  readinessBody,
  secretDeleted,
  secretList,
  secretMeta,
  secretRefParams,
  secretValue,
  secretWritten,
} from "@/lib/runtime/schemas";
import { errorResponses, json, jsonBody, security, type ErrorCode } from "./shared";

const AUTH: ErrorCode[] = ["invalid_token", "insufficient_scope", "installation_access_denied", "rate_limited", "vault_unavailable"];
const REF: ErrorCode[] = ["invalid_secret_ref", "secret_ref_ambiguous", "secret_not_declared", "user_context_required"];
const BODY: ErrorCode[] = ["invalid_request", "payload_too_large", "unsupported_media_type"];
const tags = ["runtime"];

/** Registers the runtime API's operations. */
export function registerRuntime(registry: OpenAPIRegistry, baseUrl: string): void {
  const common = { tags, security: security.runtime };
  registry.registerPath({
    ...common,
    method: "get",
    path: "/secrets",
    operationId: "listSecrets",
    summary: "The extension's declared secrets with their status (never values)",
    "x-required-scope": "secrets:read",
    responses: { 200: json("Declared secrets", secretList), ...errorResponses(AUTH) },
  });
  registry.registerPath({
    ...common,
    method: "get",
    path: "/secrets/{ref}",
    operationId: "getSecret",
    summary: "Read a secret's value (404 secret_not_set when unset)",
    "x-required-scope": "secrets:read",
    request: { params: secretRefParams },
    responses: { 200: json("The value", secretValue), ...errorResponses([...AUTH, ...REF, "secret_not_set", "secret_integrity_failure"]) },
  });
  registry.registerPath({
    ...common,
    method: "put",
    path: "/secrets/{ref}",
    operationId: "setSecret",
    summary: "Write a secret (write_mode extension or both; never ext.*)",
    description: `Request bodies over ${MAX_BODY_BYTES} bytes are refused with \`payload_too_large\`.`,
    "x-required-scope": "secrets:write",
    request: { params: secretRefParams, body: jsonBody(putSecretBody) },
    responses: {
      200: json("Written", secretWritten),
      ...errorResponses([...AUTH, ...REF, ...BODY, "secret_write_forbidden", "secret_value_too_large", "secret_value_empty"]),
    },
  });
  registry.registerPath({
    ...common,
    method: "delete",
    path: "/secrets/{ref}",
    operationId: "deleteSecret",
    summary: "Delete a secret's value (crypto-shred); same write rules as PUT",
    "x-required-scope": "secrets:write",
    request: { params: secretRefParams },
    responses: { 200: json("Deleted", secretDeleted), ...errorResponses([...AUTH, ...REF, "secret_write_forbidden"]) },
  });
  registry.registerPath({
    ...common,
    method: "get",
    path: "/secrets/{ref}/meta",
    operationId: "getSecretMeta",
    summary: "One secret's declaration and status (never its value)",
    "x-required-scope": "secrets:read",
    request: { params: secretRefParams },
    responses: { 200: json("Metadata", secretMeta), ...errorResponses([...AUTH, ...REF]) },
  });
  registerGateAndTokens(registry, baseUrl);
}

function registerGateAndTokens(registry: OpenAPIRegistry, baseUrl: string): void {
  registry.registerPath({
    tags,
    security: security.runtime,
    method: "get",
    path: "/readiness",
    operationId: "getReadiness",
    summary: "The dispatch gate: required secrets not set and OAuth connections missing",
    "x-required-scope": "readiness:read",
    responses: { 200: json("Readiness", readinessBody), ...errorResponses(AUTH) },
  });
  registry.registerPath({
    tags,
    security: security.runtime,
    method: "post",
    path: "/oauth/token",
    operationId: "getOAuthToken",
    summary: "A current access token for the provider the extension requires (refreshed if needed; never the refresh token)",
    "x-required-scope": "oauth:token",
    request: { body: jsonBody(oauthTokenBody) },
    responses: {
      200: json("Access token", oauthTokenAnswer),
      ...errorResponses([
        ...AUTH,
        ...BODY,
        "oauth_provider_not_declared",
        "oauth_scope_not_declared",
        "needs_reauthorization",
        "oauth_not_connected",
        "oauth_provider_unavailable",
      ]),
    },
  });
  registry.registerPath({
    tags,
    security: security.none,
    servers: [{ url: baseUrl }],
    method: "get",
    path: "/.well-known/jwks.json",
    operationId: "getJwks",
    summary: "Public keys that verify runtime tokens (current, and retired ones until their last token expires)",
    responses: { 200: { description: "JWKS", content: { "application/json": { schema: jwksBody } } } },
  });
}
