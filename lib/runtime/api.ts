// The runtime HTTP API's logic, independent of Next: each handler takes a standard Request and returns
// a Response, so the route files under app/api/v1 are one-line wrappers and tests call the same code
// with their own database and vault. Every request: verify the bearer token, check its scope, re-check
// the installation (extension, org, membership), resolve the secret against the extension's
// declarations, then call the vault with the extension as the audited actor.
import { SecretValue } from "@/lib/crypto";
import type { SecretScope } from "@/lib/db/schema";
import { errorResponse } from "@/lib/http/respond";
import { textProblemMessage } from "@/lib/http/text";
import { currentRequestId, REQUEST_ID_HEADER } from "@/lib/http/request-context";
import { parseSecretRef, type DeclaredSecret } from "@/lib/manifest/declarations";
import { SECRET_NAME, VAULT_MAX_BYTES, type SecretAddress, type SecretStatus } from "@/lib/vault/vault";
import { RuntimeCallers, type Caller } from "./api-caller";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { checkReadiness } from "./readiness";
import { connectUrl } from "./urls";

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

function describe(secret: DeclaredSecret, status: SecretStatus | null | undefined, available: boolean) {
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

export type SecretMeta = ReturnType<typeof describe>;

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

export function runtimeApi(deps: RuntimeDeps): RuntimeApi {
  const callers = new RuntimeCallers(deps);
  const address = (secret: DeclaredSecret, caller: Caller): SecretAddress => ({
    extensionId: caller.installation.extensionId,
    scope: secret.scope,
    ownerId: ownerFor(secret.scope, caller),
    name: secret.name,
  });

  const listSecrets = callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "secrets:read");
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

  const getSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const value = await deps.vault.read(caller.ctx, address(secret, caller));
    if (!value) throw new RuntimeError("secret_not_set", `${secret.ref} is not set.`, { ref: secret.ref });
    // The one place a value leaves the server: revealed straight into the response body.
    return json({ ref: secret.ref, value: value.reveal() });
  });

  const getSecretMeta = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const status = await deps.vault.status(address(secret, caller));
    return json(describe(secret, status, true));
  });

  const putSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const target = address(secret, caller);
    const body = await readJsonBody(request);
    const raw = body && typeof body === "object" && "value" in body ? (body as { value: unknown }).value : undefined;
    if (typeof raw !== "string") throw new RuntimeError("invalid_request", 'Send `{ "value": "<string>" }`.');
    const value = SecretValue.from(raw);
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

  const deleteSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const { wasSet } = await deps.vault.delete(caller.ctx, address(secret, caller));
    return json({ ref: secret.ref, was_set: wasSet });
  });

  const readiness = callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "readiness:read");
    return json(await checkReadiness(deps, caller.installation, caller.identity.userId));
  });

  const oauthToken = callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "oauth:token");
    const body = await readJsonBody(request);
    const input = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
    const provider = input.provider;
    const scopes = input.scopes ?? [];
    if (typeof provider !== "string" || provider.length === 0 || provider.length > 200) {
      throw new RuntimeError("invalid_request", 'Send `{ "provider": "<provider id>", "scopes": ["…"] }`.');
    }
    if (!Array.isArray(scopes) || scopes.length > 100 || !scopes.every((s) => typeof s === "string" && s.length > 0 && s.length <= 200)) {
      throw new RuntimeError("invalid_request", "`scopes` must be an array of scope strings.");
    }
    const unstorable = textProblemMessage("provider", provider) ?? textProblemMessage("scopes", (scopes as string[]).join(" "));
    if (unstorable) throw new RuntimeError("invalid_request", unstorable);
    const requirement = caller.installation.oauth;
    if (!requirement || requirement.provider !== provider) {
      throw new RuntimeError("oauth_provider_not_declared", `This extension does not declare requires.oauth_provider "${provider}".`);
    }
    const undeclared = (scopes as string[]).filter((s) => !requirement.scopes.includes(s));
    if (undeclared.length > 0) {
      throw new RuntimeError("oauth_scope_not_declared", `Scopes not declared in requires.oauth_provider: ${undeclared.join(", ")}.`, {
        scopes: undeclared,
      });
    }
    const wanted = scopes.length > 0 ? (scopes as string[]) : requirement.scopes;
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

  const jwks = callers.guarded(async () => {
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
