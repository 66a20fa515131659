// A provider's authorization server metadata: its declared endpoints, or OpenID Connect discovery from its
// issuer, kept for ten minutes (an LRU with a TTL) so a refresh or a flow makes no discovery round trip.
import { LRUCache } from "lru-cache";
import * as oauth from "oauth4webapi";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import { classify, ProviderRequestError } from "./provider-error";
import { requestOptions } from "./provider-fetch";
import type { ProviderConfig } from "./provider-config";

const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new LRUCache<string, oauth.AuthorizationServer>({ max: 1_000, ttl: DISCOVERY_TTL_MS });

/** The provider's authorization server metadata: declared endpoints, or discovery from its issuer. */
export async function authorizationServer(provider: ProviderConfig): Promise<oauth.AuthorizationServer> {
  if (provider.endpoints) {
    const e = provider.endpoints;
    return {
      issuer: provider.issuer ?? new URL(e.authorize).origin,
      authorization_endpoint: e.authorize,
      token_endpoint: e.token,
      ...(e.revoke ? { revocation_endpoint: e.revoke } : {}),
      ...(e.userinfo ? { userinfo_endpoint: e.userinfo } : {}),
    };
  }
  if (!provider.issuer)
    throw new ProviderRequestError("fatal", "no_endpoints", `${provider.displayName} declares neither endpoints nor an issuer.`);
  const cached = discovered.get(provider.issuer);
  if (cached) return cached;
  const issuer = new URL(provider.issuer);
  const as = await classify(provider, async () => {
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...requestOptions(provider, provider.issuer as string) });
    return oauth.processDiscoveryResponse(issuer, response);
  });
  discovered.set(provider.issuer, as);
  return as;
}

/** The client as oauth4webapi checks ID tokens for it: with Latchkey's clock-skew tolerance (lib/clock-skew.ts) on `exp`/`nbf`. */
export function oauthClient(clientId: string): oauth.Client {
  return { client_id: clientId, [oauth.clockTolerance]: CLOCK_TOLERANCE_SECONDS };
}

/** For tests: forget discovered metadata. */
export function clearDiscoveryCache() {
  discovered.clear();
}
