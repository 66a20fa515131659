// The app's OAuth connections: one service per process over the app's database and vault, with the
// background refresher started from lib/startup.ts (and by `npm run worker`).
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { getVault } from "@/lib/vault";
import { startDemoOAuth } from "./demo";
import { OAuthService } from "./service";

export { OAuthService } from "./service";
export { OAuthError, type OAuthErrorCode } from "./errors";
export { BINDING_COOKIE, STATE_TTL_MS, safeReturnTo } from "./flow";
export type { ConnectionView } from "./connections";
export type { ConnectPlan } from "./flow";

const globalForOAuth = globalThis as unknown as { latchkeyOAuth?: Promise<OAuthService> };

export function getOAuth(): Promise<OAuthService> {
  globalForOAuth.latchkeyOAuth ??= (async () => {
    const [db, vault] = await Promise.all([getDb(), getVault()]);
    const config = env();
    return new OAuthService({ db, vault, baseUrl: config.LATCHKEY_URL, logger, maxPendingFlows: config.LATCHKEY_OAUTH_MAX_PENDING_FLOWS });
  })();
  globalForOAuth.latchkeyOAuth.catch(() => {
    globalForOAuth.latchkeyOAuth = undefined;
  });
  return globalForOAuth.latchkeyOAuth;
}

/** Demo mode's local provider (and its client credentials), then the background refresher unless turned off. */
export async function startOAuthBackground(): Promise<void> {
  const config = env();
  const oauth = await getOAuth();
  if (config.demo) await startDemoOAuth(oauth.deps.db, oauth.deps.vault, config, logger);
  if (!config.LATCHKEY_OAUTH_REFRESHER) return;
  oauth.startBackground(config.LATCHKEY_OAUTH_REFRESH_INTERVAL_MS);
  logger.info({ intervalMs: config.LATCHKEY_OAUTH_REFRESH_INTERVAL_MS }, "oauth refresher started");
}
