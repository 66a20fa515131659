// What the runtime needs from the rest of the platform, passed in explicitly so tests (and the bench)
// can point it at their own database, vault and keys. lib/runtime/index.ts builds the app's instance.
import type { Db } from "@/lib/db/client";
import type { AuthFailureGuard } from "@/lib/http/rate-limit";
import type { Vault } from "@/lib/vault/vault";
import type { OAuthBroker } from "./oauth-broker";
import type { SigningKeys } from "./signing-keys";

export interface RuntimeDeps {
  db: Db;
  vault: Vault;
  keys: SigningKeys;
  /** LATCHKEY_URL: the tokens' issuer and the base of every URL the API hands out. */
  baseUrl: string;
  /** Lifetime of minted tokens (≤ 900 s). */
  tokenTtlSeconds: number;
  oauth: OAuthBroker;
  /**
   * How long a verified installation context (installation, declarations, membership) is reused for the
   * same token claims. 0 (the default) checks the database on every request; the app uses a few seconds,
   * which bounds how long a removed member or an uninstall takes to lock a live token out.
   */
  contextCacheMs?: number;
  /** Overridable clock for token verification in tests. */
  now?: () => Date;
  /**
   * How many proxies in front of Latchkey append to X-Forwarded-For (LATCHKEY_TRUSTED_PROXY_HOPS); the
   * client address audited and rate-limited is read through them (lib/http/client-address.ts). Default 0.
   */
  trustedProxyHops?: number;
  /** Failed token authentications per client address: refused with 429 past the limit, and audited. */
  tokenFailures?: AuthFailureGuard;
}
