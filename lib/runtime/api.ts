// The runtime HTTP API's logic, independent of Next: each handler takes a standard Request and returns
// a Response, so the route files under app/api/v1 are one-line wrappers and tests call the same code
// with their own database and vault. Every request: verify the bearer token, check its scope, re-check
// the installation (extension, org, membership), resolve the secret against the extension's
// declarations, then call the vault with the extension as the audited actor.
import type { AuditSource } from "@/lib/audit/events";
import { callerText, recordRefusal } from "@/lib/audit/failures";
import { SecretValue } from "@/lib/crypto";
import type { SecretScope } from "@/lib/db/schema";
import { requestSource } from "@/lib/http/client-address";
import { RateLimitedError } from "@/lib/http/rate-limit";
import { errorResponse } from "@/lib/http/respond";
import { textProblemMessage } from "@/lib/core/text";
import { currentRequestId, REQUEST_ID_HEADER, requestIdOf, withRequestContext } from "@/lib/core/request-context";
import { logger } from "@/lib/logger";
import { parseSecretRef, type DeclaredSecret } from "@/lib/manifest/declarations";
import { VaultError } from "@/lib/crypto/vault-error";
import { SECRET_NAME, VAULT_MAX_BYTES, type OperationContext, type SecretAddress, type SecretStatus } from "@/lib/vault/vault";
import { authorizeInstallation, type InstallationContext } from "./context";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { oauthTokenBody, putSecretBody, type SecretMeta } from "./schemas";
import { checkReadiness } from "./readiness";
import { verifyRuntimeToken, type RuntimeIdentity, type RuntimeScope } from "./tokens";
import { connectUrl } from "@/lib/extensions/installation-urls";

/** Request bodies larger than this are refused before parsing (the largest value is 64 KiB). */
export const MAX_BODY_BYTES = 128 * 1024;

const headers = { "cache-control": "no-store", "content-type": "application/json" };

export function json(body: unknown, status = 200): Response {
  const requestId = currentRequestId();
  return new Response(JSON.stringify(body), { status, headers: requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers });
}

/** The error's JSON answer with the current request id (lib/http/respond.ts). */
export function errorJson(error: RuntimeError): Response {
  return errorResponse(error);
}

interface Caller {
  identity: RuntimeIdentity;
  installation: InstallationContext;
  ctx: OperationContext;
}

// Refusals of an authenticated extension that are audited (issue 12 item 10), by code: `denied` when it
// asked for what it may not have, `failure` when what it sent cannot be stored. Refusals raised by the
// vault itself (VaultError) are audited by the vault.
const REFUSAL_OUTCOME: Partial<Record<RuntimeError["code"], "denied" | "failure">> = {
  insufficient_scope: "denied",
  installation_access_denied: "denied",
  user_context_required: "denied",
  secret_not_declared: "denied",
  secret_write_forbidden: "denied",
  oauth_provider_not_declared: "denied",
  oauth_scope_not_declared: "denied",
  secret_value_too_large: "failure",
  secret_value_empty: "failure",
  payload_too_large: "failure",
};

/** The audit action of a runtime request, from its method and path. */
function requestAction(request: Request): string {
  const { pathname } = new URL(request.url);
  const method = request.method.toUpperCase();
  if (pathname.startsWith("/api/v1/secrets/")) {
    if (pathname.endsWith("/meta")) return "secret.meta";
    return method === "PUT" ? "secret.set" : method === "DELETE" ? "secret.delete" : "secret.read";
  }
  if (pathname === "/api/v1/secrets") return "secret.list";
  if (pathname === "/api/v1/readiness") return "readiness.read";
  if (pathname === "/api/v1/oauth/token") return "oauth.token_read";
  return `${method} ${pathname}`.slice(0, 200);
}

function toRuntimeError(error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  if (error instanceof VaultError) {
    switch (error.code) {
      case "invalid_secret_name":
        return new RuntimeError("invalid_secret_ref", error.message);
      case "secret_value_too_large":
      case "secret_value_empty":
      case "secret_not_set":
      case "vault_unavailable":
      case "secret_integrity_failure":
        return new RuntimeError(error.code, error.message);
    }
  }
  // Anything else on the data path (a dropped connection, a failed query, a KMS timeout) means we cannot
  // answer safely: fail closed as the vault being unavailable, and log the cause for operators only.
  logger.error({ err: error }, "runtime API request failed");
  return new RuntimeError("vault_unavailable", "The vault is unavailable; try again shortly.", {}, { cause: error });
}

function bearer(request: Request): string {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new RuntimeError("invalid_token", "Send the runtime token as `Authorization: Bearer <token>`.");
  return match[1];
}

function ownerFor(scope: SecretScope, caller: Caller): string {
  if (scope === "ext") return caller.installation.extensionId;
  if (scope === "org") return caller.installation.orgId;
  if (!caller.identity.userId) {
    throw new RuntimeError("user_context_required", "user.* secrets need a token minted for a user; this token has none.");
  }
  return caller.identity.userId;
}

/** Resolves `scope.name` (or a bare name declared in exactly one scope) against the declarations. */
export function resolveDeclared(ref: string, declared: DeclaredSecret[]): DeclaredSecret {
  if (!ref.includes(".")) {
    if (!SECRET_NAME.test(ref)) throw new RuntimeError("invalid_secret_ref", `"${ref.slice(0, 80)}" is not a secret reference.`);
    const matches = declared.filter((d) => d.name === ref);
    if (matches.length > 1) {
      throw new RuntimeError(
        "secret_ref_ambiguous",
        `"${ref}" is declared in several scopes; use ${matches.map((m) => m.ref).join(" or ")}.`,
      );
    }
    const only = matches[0];
    if (!only) throw new RuntimeError("secret_not_declared", `"${ref}" is not declared in this extension's manifest.`);
    return only;
  }
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    throw new RuntimeError("invalid_secret_ref", `"${ref.slice(0, 80)}" is not a secret reference: use ext.name, org.name or user.name.`);
  }
  const found = declared.find((d) => d.scope === parsed.scope && d.name === parsed.name);
  if (!found) throw new RuntimeError("secret_not_declared", `"${ref}" is not declared in this extension's manifest.`);
  return found;
}

function assertWritable(secret: DeclaredSecret): void {
  if (secret.scope === "ext") {
    throw new RuntimeError("secret_write_forbidden", `${secret.ref} is a partner credential; only the publisher can write it.`);
  }
  if (secret.writeMode === "user") {
    throw new RuntimeError("secret_write_forbidden", `${secret.ref} has write_mode='user'; only the panel can write`);
  }
}

async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new RuntimeError("unsupported_media_type", "Send the body as application/json.");
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () => new RuntimeError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  if (declaredLength > MAX_BODY_BYTES) throw tooLarge();
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RuntimeError("invalid_request", "The body is not valid JSON.");
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function describe(secret: DeclaredSecret, status: SecretStatus | null | undefined, available: boolean): SecretMeta {
  return {
    ref: secret.ref,
    scope: secret.scope,
    name: secret.name,
    description: secret.description,
    required: secret.required,
    write_mode: secret.scope === "ext" ? "publisher" : secret.writeMode,
    max_bytes: secret.maxBytes,
    rotation_hint_days: secret.rotationHintDays,
    // Null when the token has no user, so user.* secrets cannot be looked at.
    is_set: available ? (status?.isSet ?? false) : null,
    version: status?.currentVersion ?? null,
    byte_length: status?.isSet ? (status.byteLength ?? null) : null,
    last_set_at: iso(status?.lastSetAt ?? null),
    last_read_at: iso(status?.lastReadAt ?? null),
    last_rotated_at: iso(status?.lastRotatedAt ?? null),
    rotation_count: status?.rotationCount ?? 0,
  };
}

export type { SecretMeta };

export interface RuntimeApi {
  listSecrets(request: Request): Promise<Response>;
  getSecret(request: Request, ref: string): Promise<Response>;
  getSecretMeta(request: Request, ref: string): Promise<Response>;
  putSecret(request: Request, ref: string): Promise<Response>;
  deleteSecret(request: Request, ref: string): Promise<Response>;
  readiness(request: Request): Promise<Response>;
  oauthToken(request: Request): Promise<Response>;
  jwks(request: Request): Promise<Response>;
  /** Routes a request by method and path (for in-process clients such as tests and the example). */
  handle(request: Request): Promise<Response>;
}

/** A path segment decoded once, or null when its percent-encoding does not decode (e.g. `%ff`). */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** A small insertion-ordered map that forgets its oldest entries past `max`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

const CACHE_ENTRIES = 10_000;

export function runtimeApi(deps: RuntimeDeps): RuntimeApi {
  // A token is immutable, so once its signature and claims verified, the same string verifies the same
  // way until it expires: later requests skip the ECDSA check. Only successes are kept, keyed by the
  // exact token, so a tampered or forged token never matches an entry.
  const verifiedTokens = new BoundedMap<string, RuntimeIdentity>(CACHE_ENTRIES);
  const contexts = new BoundedMap<string, { context: InstallationContext; until: number }>(CACHE_ENTRIES);
  const contextTtl = deps.contextCacheMs ?? 0;
  const sourceOf = (request: Request): AuditSource => requestSource(request.headers, "api", { trustedHops: deps.trustedProxyHops ?? 0 });
  // Who authenticated, for the audit event of a refusal that follows (see recordRefused).
  const authenticated = new WeakMap<Request, { identity: RuntimeIdentity; source: AuditSource }>();

  async function verify(token: string): Promise<RuntimeIdentity> {
    const now = deps.now?.() ?? new Date();
    const cached = verifiedTokens.get(token);
    if (cached && cached.expiresAt.getTime() > now.getTime()) return cached;
    const identity = await verifyRuntimeToken(deps.keys, token, { issuer: deps.baseUrl, now: deps.now?.() });
    verifiedTokens.set(token, identity);
    return identity;
  }

  async function installationFor(identity: RuntimeIdentity): Promise<InstallationContext> {
    if (contextTtl <= 0) return authorizeInstallation(deps.db, identity);
    const key = `${identity.installationId}|${identity.extensionId}|${identity.orgId}|${identity.userId ?? ""}`;
    const now = (deps.now?.() ?? new Date()).getTime();
    const hit = contexts.get(key);
    if (hit && hit.until > now) return hit.context;
    const context = await authorizeInstallation(deps.db, identity);
    contexts.set(key, { context, until: now + contextTtl });
    return context;
  }

  // Each failed authentication counts against the address (429 past its limit; a valid token is never
  // refused) and into the aggregated `auth.failure` audit event.
  async function identify(request: Request, source: AuditSource): Promise<RuntimeIdentity> {
    const guard = deps.tokenFailures;
    try {
      return await verify(bearer(request));
    } catch (error) {
      if (guard && error instanceof RuntimeError && error.code === "invalid_token")
        await guard.failed("runtime_token", source, error.message);
      throw error;
    }
  }

  async function authenticate(request: Request, scope: RuntimeScope): Promise<Caller> {
    const source = sourceOf(request);
    const identity = await identify(request, source);
    authenticated.set(request, { identity, source });
    if (!identity.scopes.includes(scope)) throw new RuntimeError("insufficient_scope", `This token does not carry the ${scope} scope.`);
    const installation = await installationFor(identity);
    return {
      identity,
      installation,
      ctx: { actor: { kind: "extension", id: installation.extensionId }, source, orgId: installation.orgId },
    };
  }

  // Queues the audit event of an authenticated extension's refused request (outcome denied or failure),
  // outside any transaction: target the secret reference as asked for, details the code, never a value.
  function recordRefused(request: Request, args: unknown[], error: unknown): void {
    const caller = authenticated.get(request);
    if (!caller || !(error instanceof RuntimeError)) return;
    const outcome = REFUSAL_OUTCOME[error.code];
    if (!outcome) return;
    const { identity, source } = caller;
    const maxBytes = error.extra.max_bytes;
    recordRefusal(deps.vault.reads, {
      actor: { kind: "extension", id: identity.extensionId },
      source,
      action: requestAction(request),
      target: callerText(typeof args[0] === "string" ? args[0] : new URL(request.url).pathname),
      extensionId: identity.extensionId,
      // A token whose claims do not match its installation names no organization we can vouch for.
      orgId: error.code === "installation_access_denied" ? null : identity.orgId,
      outcome,
      details: {
        code: error.code,
        installation: identity.installationId,
        ...(typeof maxBytes === "number" ? { max_bytes: maxBytes } : {}),
      },
    });
  }

  const address = (secret: DeclaredSecret, caller: Caller): SecretAddress => ({
    extensionId: caller.installation.extensionId,
    scope: secret.scope,
    ownerId: ownerFor(secret.scope, caller),
    name: secret.name,
  });

  // Wraps a handler so every failure becomes the JSON error shape with the request's id; nothing else
  // (no stack, no upstream message) leaks out.
  const guarded =
    <A extends unknown[]>(fn: (request: Request, ...args: A) => Promise<Response>) =>
    (request: Request, ...args: A): Promise<Response> =>
      withRequestContext({ requestId: currentRequestId() ?? requestIdOf(request.headers) }, async () => {
        try {
          return await fn(request, ...args);
        } catch (error) {
          if (error instanceof RateLimitedError) return errorResponse(error);
          recordRefused(request, args, error);
          return errorJson(toRuntimeError(error));
        }
      });

  const listSecrets = guarded(async (request) => {
    const caller = await authenticate(request, "secrets:read");
    const { extensionId, orgId } = caller.installation;
    const userId = caller.identity.userId;
    const [ext, org, user] = await Promise.all([
      deps.vault.list(extensionId, "ext", extensionId),
      deps.vault.list(extensionId, "org", orgId),
      userId ? deps.vault.list(extensionId, "user", userId) : Promise.resolve([]),
    ]);
    const byScope: Record<SecretScope, SecretStatus[]> = { ext, org, user };
    const secrets = caller.installation.declared.map((d) =>
      describe(
        d,
        byScope[d.scope].find((s) => s.name === d.name),
        d.scope !== "user" || userId !== null,
      ),
    );
    return json({ secrets });
  });

  const getSecret = guarded(async (request, ref: string) => {
    const caller = await authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const value = await deps.vault.read(caller.ctx, address(secret, caller));
    if (!value) throw new RuntimeError("secret_not_set", `${secret.ref} is not set.`, { ref: secret.ref });
    // The one place a value leaves the server: revealed straight into the response body.
    return json({ ref: secret.ref, value: value.reveal() });
  });

  const getSecretMeta = guarded(async (request, ref: string) => {
    const caller = await authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const status = await deps.vault.status(address(secret, caller));
    return json(describe(secret, status, true));
  });

  const putSecret = guarded(async (request, ref: string) => {
    const caller = await authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const target = address(secret, caller);
    const body = putSecretBody.safeParse(await readJsonBody(request));
    if (!body.success) throw new RuntimeError("invalid_request", 'Send `{ "value": "<string>" }`.');
    const value = SecretValue.from(body.data.value);
    const maxBytes = Math.min(secret.maxBytes, VAULT_MAX_BYTES);
    if (value.byteLength > maxBytes) {
      throw new RuntimeError(
        "secret_value_too_large",
        `${secret.ref} is limited to ${maxBytes} bytes; the value has ${value.byteLength}.`,
        {
          max_bytes: maxBytes,
        },
      );
    }
    const { version } = await deps.vault.set(caller.ctx, target, value, { maxBytes });
    value.wipe();
    return json({ ref: secret.ref, is_set: true, version });
  });

  const deleteSecret = guarded(async (request, ref: string) => {
    const caller = await authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const { wasSet } = await deps.vault.delete(caller.ctx, address(secret, caller));
    return json({ ref: secret.ref, was_set: wasSet });
  });

  const readiness = guarded(async (request) => {
    const caller = await authenticate(request, "readiness:read");
    return json(await checkReadiness(deps, caller.installation, caller.identity.userId));
  });

  const oauthToken = guarded(async (request) => {
    const caller = await authenticate(request, "oauth:token");
    const body = oauthTokenBody.safeParse(await readJsonBody(request));
    if (!body.success) {
      throw new RuntimeError(
        "invalid_request",
        body.error.issues.some((issue) => issue.path[0] === "provider" || issue.path.length === 0)
          ? 'Send `{ "provider": "<provider id>", "scopes": ["…"] }`.'
          : "`scopes` must be an array of scope strings.",
      );
    }
    const provider = body.data.provider;
    const scopes = body.data.scopes ?? [];
    const unstorable = textProblemMessage("provider", provider) ?? textProblemMessage("scopes", scopes.join(" "));
    if (unstorable) throw new RuntimeError("invalid_request", unstorable);
    const requirement = caller.installation.oauth;
    if (!requirement || requirement.provider !== provider) {
      throw new RuntimeError("oauth_provider_not_declared", `This extension does not declare requires.oauth_provider "${provider}".`);
    }
    const undeclared = scopes.filter((s) => !requirement.scopes.includes(s));
    if (undeclared.length > 0) {
      throw new RuntimeError("oauth_scope_not_declared", `Scopes not declared in requires.oauth_provider: ${undeclared.join(", ")}.`, {
        scopes: undeclared,
      });
    }
    const wanted = scopes.length > 0 ? scopes : requirement.scopes;
    const { installationId, extensionId, orgId } = caller.installation;
    const userId = caller.identity.userId;
    const result = await deps.oauth.getAccessToken({
      owner: userId ? { kind: "user", id: userId, orgId } : { kind: "org", id: orgId, orgId },
      extensionId,
      installationId,
      provider,
      scopes: wanted,
    });
    if (!result.ok && result.reason === "provider_unavailable") {
      throw new RuntimeError(
        "oauth_provider_unavailable",
        `The ${provider} access token has expired and ${provider} is not answering refreshes right now; retry later.`,
        { retry_after_seconds: result.retryAfterSeconds },
      );
    }
    if (!result.ok && result.reason === "connection_missing" && requirement.onMissing === "ignore") {
      // on_missing: ignore — OAuth is optional for this extension: no prompt, just "there is none".
      throw new RuntimeError("oauth_not_connected", `No ${provider} connection exists for this user (optional for this extension).`);
    }
    if (!result.ok) {
      throw new RuntimeError(
        "needs_reauthorization",
        result.reason === "connection_missing"
          ? `No ${provider} connection exists yet; the user must connect it.`
          : result.reason === "connection_expired"
            ? `The ${provider} connection has expired; the user must reconnect it.`
            : `The ${provider} connection lacks scopes this call needs; the user must grant them.`,
        {
          reason: result.reason,
          connect_url: connectUrl(deps.baseUrl, installationId, provider, result.missingScopes),
          missing_scopes: result.missingScopes,
        },
      );
    }
    return json({ access_token: result.accessToken, expires_at: iso(result.expiresAt), scope: result.scope });
  });

  const jwks = guarded(async () => {
    const body = await deps.keys.jwks();
    return new Response(JSON.stringify(body), {
      headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
    });
  });

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const method = request.method.toUpperCase();
    const notAllowed = () => errorJson(new RuntimeError("method_not_allowed", `${method} is not allowed on ${pathname}.`));
    if (pathname === "/.well-known/jwks.json") return method === "GET" ? jwks(request) : notAllowed();
    if (pathname === "/api/v1/secrets") return method === "GET" ? listSecrets(request) : notAllowed();
    if (pathname === "/api/v1/readiness") return method === "GET" ? readiness(request) : notAllowed();
    if (pathname === "/api/v1/oauth/token") return method === "POST" ? oauthToken(request) : notAllowed();
    const meta = /^\/api\/v1\/secrets\/([^/]+)\/meta$/.exec(pathname);
    const badRef = () =>
      errorJson(new RuntimeError("invalid_secret_ref", "The secret reference in the path is not valid percent-encoding."));
    if (meta?.[1]) {
      const ref = decodedSegment(meta[1]);
      if (ref === null) return badRef();
      return method === "GET" ? getSecretMeta(request, ref) : notAllowed();
    }
    const one = /^\/api\/v1\/secrets\/([^/]+)$/.exec(pathname);
    if (one?.[1]) {
      const ref = decodedSegment(one[1]);
      if (ref === null) return badRef();
      if (method === "GET") return getSecret(request, ref);
      if (method === "PUT") return putSecret(request, ref);
      if (method === "DELETE") return deleteSecret(request, ref);
      return notAllowed();
    }
    return errorJson(new RuntimeError("not_found", `No runtime endpoint at ${pathname}.`));
  }

  return { listSecrets, getSecret, getSecretMeta, putSecret, deleteSecret, readiness, oauthToken, jwks, handle };
}
