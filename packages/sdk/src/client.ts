// The HTTP client extensions use at run time: createClient({ baseUrl, token }) → secrets, oauth,
// readiness and webhookUrl. Each call is a fresh request (values are never cached here), times out after
// 5 s, and idempotent calls are retried up to 3 attempts with jittered backoff on network errors, 429
// and 502/503/504. With LATCHKEY_DEV_MODE=1 the secrets come from the environment instead.
import { EnvSecretStore, devModeEnabled, processEnv } from "./dev-mode";
import type { Declared } from "./declared";
import { LatchkeyError, LatchkeyNetworkError, NeedsReauthorizationError, errorFor } from "./errors";
import type { OAuthToken, Readiness, SecretInfo, SecretStore } from "./types";
import { webhookUrl } from "./webhook-url";

/** Options of createClient. */
export interface ClientOptions {
  /** Latchkey's base URL (LATCHKEY_URL), e.g. https://latchkey.example.com. */
  baseUrl: string;
  /** The runtime token the platform dispatched with, or a function returning the current one. */
  token: string | (() => string | Promise<string>);
  /** Per-attempt timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Attempts for idempotent calls; default 3. */
  attempts?: number;
  /** Defaults to the global fetch; tests and in-process callers pass their own. */
  fetch?: (request: Request) => Promise<Response>;
  /** Dev mode: read LATCHKEY_SECRET_<NAME> instead of calling Latchkey. Defaults to LATCHKEY_DEV_MODE. */
  devMode?: boolean;
  /** The extension's declared names; required in dev mode so undeclared names still fail. */
  declared?: Declared;
}

/** What createClient returns: the runtime API as typed calls (see the README's runtime API table). */
export interface LatchkeyClient {
  secrets: SecretStore & { meta(ref: string): Promise<SecretInfo> };
  oauth: { getToken(request: { provider: string; scopes?: string[] }): Promise<OAuthToken> };
  readiness(): Promise<Readiness>;
  /** The canonical public URL of one of this installation's webhook paths (from the token's installation). */
  webhookUrl(path: string): Promise<string>;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the (unverified) installation claim of a runtime token: only for building URLs. */
function installationOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  try {
    const json = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))),
    );
    if (typeof json.installation === "string") return json.installation;
  } catch {
    // fall through
  }
  throw new LatchkeyError("invalid_token", "The runtime token does not name an installation.", 0);
}

/**
 * A request that no fetch cache keeps (Next.js's data cache would otherwise store a secret's answer). A
 * runtime that does not implement the `cache` option (Cloudflare Workers before their 2024-11-11
 * compatibility date) refuses it in the constructor; there nothing caches fetches, so it is left out.
 */
function uncachedRequest(url: string, init: RequestInit): Request {
  try {
    return new Request(url, { ...init, cache: "no-store" });
  } catch {
    return new Request(url, init);
  }
}

/** The settings every request of one remote client uses (createClient's options with defaults applied). */
interface Connection {
  baseUrl: string;
  timeoutMs: number;
  attempts: number;
  doFetch: (request: Request) => Promise<Response>;
  token: () => Promise<string>;
}

function connection(options: ClientOptions): Connection {
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    timeoutMs: options.timeoutMs ?? 5000,
    attempts: Math.max(1, options.attempts ?? 3),
    doFetch: options.fetch ?? ((request: Request) => fetch(request)),
    token: async () => (typeof options.token === "function" ? options.token() : options.token),
  };
}

/** One attempt: the response with its body read, or LatchkeyNetworkError on a timeout or network failure. */
async function once(conn: Connection, method: string, path: string, body: unknown): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), conn.timeoutMs);
  try {
    const request = uncachedRequest(`${conn.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await conn.token()}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: controller.signal,
    });
    const response = await conn.doFetch(request);
    // Read the body inside the timeout as well: a stalled body is as bad as a stalled connect.
    const text = await response.text();
    return new Response(text, { status: response.status, headers: response.headers });
  } catch (error) {
    const timedOut = controller.signal.aborted;
    throw new LatchkeyNetworkError(
      timedOut ? "timeout" : "network_error",
      timedOut ? `Latchkey did not answer within ${conn.timeoutMs} ms.` : `Could not reach Latchkey: ${(error as Error).message}`,
      0,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every call here is idempotent: GET, PUT (same value twice = same state), DELETE, and POST
 * /oauth/token (it returns the current token, refreshing single-flight on the server; asking twice
 * yields a valid token both times), so all of them are retried.
 */
async function call<T>(conn: Connection, method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
  let lastError: LatchkeyError | undefined;
  for (let attempt = 0; attempt < conn.attempts; attempt++) {
    if (attempt > 0) await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    let response: Response;
    try {
      response = await once(conn, method, path, body);
    } catch (error) {
      lastError = error as LatchkeyError;
      continue;
    }
    const parsed: unknown = await response.json().catch(() => null);
    if (response.ok) return parsed as T;
    if (allow404 && response.status === 404) return null;
    lastError = errorFor(response.status, parsed);
    if (!RETRYABLE_STATUS.has(response.status)) break;
  }
  throw lastError ?? new LatchkeyError("unknown", "The request failed.", 0);
}

const secretPath = (ref: string) => `/api/v1/secrets/${encodeURIComponent(ref)}`;

function remoteSecrets(conn: Connection): LatchkeyClient["secrets"] {
  return {
    async get(ref) {
      const body = await call<{ value: string }>(conn, "GET", secretPath(ref), undefined, true);
      return body ? body.value : null;
    },
    async set(ref, value) {
      await call(conn, "PUT", secretPath(ref), { value });
    },
    async delete(ref) {
      const body = await call<{ was_set: boolean }>(conn, "DELETE", secretPath(ref));
      return { wasSet: body?.was_set === true };
    },
    async isSet(ref) {
      const meta = await call<SecretInfo>(conn, "GET", `${secretPath(ref)}/meta`);
      return meta?.is_set === true;
    },
    async meta(ref) {
      const meta = await call<SecretInfo>(conn, "GET", `${secretPath(ref)}/meta`);
      if (!meta) throw new LatchkeyError("unknown", "Empty response.", 0);
      return meta;
    },
    async list() {
      const body = await call<{ secrets: SecretInfo[] }>(conn, "GET", "/api/v1/secrets");
      return body?.secrets ?? [];
    },
  };
}

/**
 * A client of Latchkey's runtime API (`/api/v1/secrets`, `/oauth/token`, `/readiness`) for one runtime
 * token. Refusals throw the LatchkeyError subclass of their code; `secrets.get` answers null for an unset
 * secret. With `devMode` (or LATCHKEY_DEV_MODE=1) it answers from LATCHKEY_SECRET_<NAME> instead and
 * needs `declared`; it throws TypeError when that is missing.
 */
export function createClient(options: ClientOptions): LatchkeyClient {
  if (options.devMode ?? devModeEnabled()) return createDevClient(options);
  const conn = connection(options);
  return {
    secrets: remoteSecrets(conn),
    oauth: {
      async getToken(request) {
        const body = await call<OAuthToken>(conn, "POST", "/api/v1/oauth/token", {
          provider: request.provider,
          scopes: request.scopes ?? [],
        });
        if (!body) throw new LatchkeyError("unknown", "Empty response.", 0);
        return body;
      },
    },
    async readiness() {
      const body = await call<Readiness>(conn, "GET", "/api/v1/readiness");
      if (!body) throw new LatchkeyError("unknown", "Empty response.", 0);
      return body;
    },
    async webhookUrl(path) {
      return webhookUrl(path, { baseUrl: conn.baseUrl, installationId: installationOf(await conn.token()) });
    },
  };
}

function createDevClient(options: ClientOptions): LatchkeyClient {
  if (!options.declared) {
    throw new TypeError("LATCHKEY_DEV_MODE needs createClient({ declared: [...] }) so undeclared names still fail.");
  }
  const store = new EnvSecretStore(options.declared);
  const env = processEnv();
  return {
    secrets: {
      get: (ref) => store.get(ref),
      set: (ref, value) => store.set(ref, value),
      delete: (ref) => store.delete(ref),
      isSet: (ref) => store.isSet(ref),
      list: () => store.list(),
      async meta(ref) {
        await store.get(ref); // refuses undeclared names exactly like the server
        const found = (await store.list()).find((s) => s.ref === ref || s.name === ref);
        if (!found) throw new LatchkeyError("secret_not_declared", `"${ref}" is not declared.`, 403);
        return found;
      },
    },
    oauth: {
      async getToken({ provider, scopes }) {
        const key = `LATCHKEY_OAUTH_TOKEN_${provider.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
        const accessToken = env[key];
        if (!accessToken) {
          throw new NeedsReauthorizationError(
            "needs_reauthorization",
            `Dev mode: set ${key} to stand in for the ${provider} connection.`,
            409,
          );
        }
        return { access_token: accessToken, expires_at: null, scope: (scopes ?? []).join(" ") };
      },
    },
    async readiness() {
      return { ready: true, missing: [] };
    },
    async webhookUrl(path) {
      return webhookUrl(path, { baseUrl: options.baseUrl, installationId: "dev" });
    },
  };
}
