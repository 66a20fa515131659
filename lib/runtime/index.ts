// The app's runtime: one set of dependencies per process (the app's database, vault and signing keys),
// and the runtime API built over them for the route handlers under app/api/v1.
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { getRequestGuards } from "@/lib/http/limits";
import { getVault } from "@/lib/vault";
import { runtimeApi, type RuntimeApi } from "./api";
import type { RuntimeDeps } from "./deps";
import { getOAuth } from "@/lib/oauth";
import { SigningKeys } from "./signing-keys";

export { runtimeApi, type RuntimeApi } from "./api";
export type { RuntimeDeps } from "./deps";
export { RuntimeError, type RuntimeErrorCode } from "./errors";
export { mintRuntimeToken, prepareDispatch, readinessFor, type MintRequest, type MintedToken } from "./dispatch";
export { checkReadiness, type Readiness, type MissingItem } from "./readiness";
export { noConnections, type OAuthBroker } from "./oauth-broker";
export { SigningKeys } from "./signing-keys";
export { verifyRuntimeToken, runtimeScopes, RUNTIME_AUDIENCE, type RuntimeIdentity, type RuntimeScope } from "./tokens";
export { settingsUrl, connectUrl, webhookUrlFor } from "@/lib/extensions/installation-urls";
export { mintTestToken } from "./test-token";

// A removed member or an uninstall locks out live tokens within this long (tokens live ≤ 15 minutes).
const CONTEXT_CACHE_MS = 5000;

const globalForRuntime = globalThis as unknown as { latchkeyRuntime?: Promise<{ deps: RuntimeDeps; api: RuntimeApi }> };

function load() {
  globalForRuntime.latchkeyRuntime ??= (async () => {
    const [db, vault, oauth, guards] = await Promise.all([getDb(), getVault(), getOAuth(), getRequestGuards()]);
    const config = env();
    const deps: RuntimeDeps = {
      db,
      vault,
      keys: new SigningKeys({ db, dataKeys: vault.dataKeys, maxTokenTtlSeconds: config.LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS }),
      baseUrl: config.LATCHKEY_URL,
      tokenTtlSeconds: config.LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS,
      oauth: oauth.broker,
      contextCacheMs: CONTEXT_CACHE_MS,
      trustedProxyHops: guards.trustedProxyHops,
      tokenFailures: guards.tokenFailures,
    };
    return { deps, api: runtimeApi(deps) };
  })();
  globalForRuntime.latchkeyRuntime.catch(() => {
    globalForRuntime.latchkeyRuntime = undefined;
  });
  return globalForRuntime.latchkeyRuntime;
}

/** The process's runtime dependencies (for minting tokens and the dispatch gate). */
export async function getRuntimeDeps(): Promise<RuntimeDeps> {
  return (await load()).deps;
}

/** The runtime API the route handlers wrap. */
export async function getRuntimeApi(): Promise<RuntimeApi> {
  return (await load()).api;
}
