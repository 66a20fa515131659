// Who is calling the runtime API: the bearer token verified (kept in an LRU once verified, until it
// expires), its scope checked, its installation re-checked (kept for deps.contextCacheMs), and the audit
// event of an authenticated extension's refused request; `guarded` turns every failure into the JSON error.
import { LRUCache } from "lru-cache";
import type { AuditSource } from "@/lib/audit/events";
import { callerText, recordRefusal } from "@/lib/audit/failures";
import { requestSource } from "@/lib/http/client-address";
import { RateLimitedError } from "@/lib/http/rate-limit";
import { errorResponse } from "@/lib/http/respond";
import { currentRequestId, requestIdOf, withRequestContext } from "@/lib/core/request-context";
import { logger } from "@/lib/logger";
import { VaultError } from "@/lib/crypto/vault-error";
import type { OperationContext } from "@/lib/vault/vault";
import { authorizeInstallation, type InstallationContext } from "./context";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { verifyRuntimeToken, type RuntimeIdentity, type RuntimeScope } from "./tokens";

/** An authenticated extension: its token's identity, its installation, and the vault context it acts in. */
export interface Caller {
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
        return new RuntimeError(error.code, error.message);
      case "secret_integrity_failure":
        // Its message names data keys and KEKs (what an operator needs): the log has it, the caller does not.
        logger.error({ err: error }, "a stored value failed its integrity check");
        return new RuntimeError(error.code, "The stored value failed its integrity check and was not returned.");
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

const CACHE_ENTRIES = 10_000;

export class RuntimeCallers {
  // A token is immutable, so once its signature and claims verified, the same string verifies the same
  // way until it expires: later requests skip the ECDSA check. Only successes are kept, keyed by the
  // exact token, so a tampered or forged token never matches an entry.
  readonly #verifiedTokens = new LRUCache<string, RuntimeIdentity>({ max: CACHE_ENTRIES });
  readonly #contexts: LRUCache<string, InstallationContext> | null;
  // Who authenticated, for the audit event of a refusal that follows (see recordRefused).
  readonly #authenticated = new WeakMap<Request, { identity: RuntimeIdentity; source: AuditSource }>();

  constructor(private readonly deps: RuntimeDeps) {
    const ttl = deps.contextCacheMs ?? 0;
    // The window runs on deps.now (tests move it), read at every lookup (ttlResolution 0).
    this.#contexts =
      ttl > 0
        ? new LRUCache({
            max: CACHE_ENTRIES,
            ttl: Math.ceil(ttl),
            ttlResolution: 0,
            perf: { now: () => (deps.now?.() ?? new Date()).getTime() },
          })
        : null;
  }

  #sourceOf(request: Request): AuditSource {
    return requestSource(request.headers, "api", { trustedHops: this.deps.trustedProxyHops ?? 0 });
  }

  async #verify(token: string): Promise<RuntimeIdentity> {
    const { deps } = this;
    const now = deps.now?.() ?? new Date();
    const cached = this.#verifiedTokens.get(token);
    if (cached && cached.expiresAt.getTime() > now.getTime()) return cached;
    const identity = await verifyRuntimeToken(deps.keys, token, { issuer: deps.baseUrl, now: deps.now?.() });
    this.#verifiedTokens.set(token, identity);
    return identity;
  }

  async #installationFor(identity: RuntimeIdentity): Promise<InstallationContext> {
    if (!this.#contexts) return authorizeInstallation(this.deps.db, identity);
    const key = `${identity.installationId}|${identity.extensionId}|${identity.orgId}|${identity.userId ?? ""}`;
    const hit = this.#contexts.get(key);
    if (hit) return hit;
    const context = await authorizeInstallation(this.deps.db, identity);
    // lru-cache counts an entry stale once its age exceeds the TTL; starting it one millisecond early makes the
    // membership seen expire when its age reaches contextCacheMs (as the DEK cache does).
    this.#contexts.set(key, context, { start: (this.deps.now?.() ?? new Date()).getTime() - 1 });
    return context;
  }

  // Each failed authentication counts against the address (429 past its limit; a valid token is never
  // refused) and into the aggregated `auth.failure` audit event.
  async #identify(request: Request, source: AuditSource): Promise<RuntimeIdentity> {
    const guard = this.deps.tokenFailures;
    try {
      return await this.#verify(bearer(request));
    } catch (error) {
      if (guard && error instanceof RuntimeError && error.code === "invalid_token")
        await guard.failed("runtime_token", source, error.message);
      throw error;
    }
  }

  /**
   * The calling extension, if its bearer token verifies and carries `scope` and its installation stands.
   * @throws RuntimeError invalid_token, insufficient_scope, installation_access_denied, …
   */
  async authenticate(request: Request, scope: RuntimeScope): Promise<Caller> {
    const source = this.#sourceOf(request);
    const identity = await this.#identify(request, source);
    this.#authenticated.set(request, { identity, source });
    if (!identity.scopes.includes(scope)) throw new RuntimeError("insufficient_scope", `This token does not carry the ${scope} scope.`);
    const installation = await this.#installationFor(identity);
    return {
      identity,
      installation,
      ctx: { actor: { kind: "extension", id: installation.extensionId }, source, orgId: installation.orgId },
    };
  }

  // Queues the audit event of an authenticated extension's refused request (outcome denied or failure),
  // outside any transaction: target the secret reference as asked for, details the code, never a value.
  #recordRefused(request: Request, args: unknown[], error: unknown): void {
    const caller = this.#authenticated.get(request);
    if (!caller || !(error instanceof RuntimeError)) return;
    const outcome = REFUSAL_OUTCOME[error.code];
    if (!outcome) return;
    const { identity, source } = caller;
    const maxBytes = error.extra.max_bytes;
    recordRefusal(this.deps.vault.reads, {
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

  // Wraps a handler so every failure becomes the JSON error shape with the request's id; nothing else
  // (no stack, no upstream message) leaks out.
  guarded<A extends unknown[]>(fn: (request: Request, ...args: A) => Promise<Response>) {
    return (request: Request, ...args: A): Promise<Response> =>
      withRequestContext({ requestId: currentRequestId() ?? requestIdOf(request.headers) }, async () => {
        try {
          return await fn(request, ...args);
        } catch (error) {
          if (error instanceof RateLimitedError) return errorResponse(error);
          this.#recordRefused(request, args, error);
          return errorResponse(toRuntimeError(error));
        }
      });
  }
}
