// The connected account's id and label: from the fields the catalogue names in a token answer or profile,
// else from OpenID Connect (userinfo, then the ID token).
import * as oauth from "oauth4webapi";
import { authorizationServer, oauthClient } from "./authorization-server";
import type { TokenSet } from "./client";
import { providerFetch, requestOptions } from "./provider-fetch";
import { accountFrom, type ProviderConfig } from "./provider-config";

/**
 * The connected account's id and a label: from the token answer or the profile endpoint's own fields where
 * the catalogue names them (GitHub `/user`: id `583231`, label `octocat`), else from OpenID Connect
 * (userinfo, then the ID token). A failure here never loses the grant: the account is a label.
 */
export async function fetchAccount(
  provider: ProviderConfig,
  clientId: string,
  tokens: TokenSet,
): Promise<{ accountId: string | null; accountLabel: string | null }> {
  const fallback = { accountId: tokens.idTokenSubject, accountLabel: tokens.idTokenEmail ?? tokens.idTokenSubject };
  if (tokens.account?.accountId) return tokens.account;
  try {
    const as = await authorizationServer(provider);
    if (!as.userinfo_endpoint) return fallback;
    if (provider.account?.from === "profile") {
      const { method, body, headers } = provider.account;
      const { header, prefix } = provider.quirks.apiToken ?? { header: "authorization", prefix: "Bearer " };
      const response = await providerFetch(provider)(
        as.userinfo_endpoint.replace("{access_token}", encodeURIComponent(tokens.accessToken)),
        {
          method: method ?? "GET",
          headers: {
            [header]: `${prefix}${tokens.accessToken}`,
            accept: "application/json",
            "user-agent": "Latchkey",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
      );
      if (response.status !== 200) return fallback;
      const account = accountFrom(provider.account, await response.json());
      return account.accountId ? account : fallback;
    }
    const client = oauthClient(clientId);
    const response = await oauth.userInfoRequest(as, client, tokens.accessToken, requestOptions(provider, as.userinfo_endpoint));
    const info = await oauth.processUserInfoResponse(as, client, tokens.idTokenSubject ?? oauth.skipSubjectCheck, response);
    const label = [info.email, info.name, info.preferred_username].find((v) => typeof v === "string");
    return {
      accountId: String(info.sub ?? tokens.idTokenSubject ?? ""),
      accountLabel: label ?? fallback.accountLabel,
    };
  } catch {
    return fallback;
  }
}
