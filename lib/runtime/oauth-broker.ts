// The seam between the runtime API and OAuth connections. The runtime asks a broker for an access token
// (or whether a connection exists); lib/oauth/connection-broker.ts implements it over stored connections.
// `noConnections` (no connection ever exists) serves tests of the runtime on its own.

export interface ConnectionOwner {
  /** Connections belong to a user when the token names one, otherwise to the organization. */
  kind: "user" | "org";
  id: string;
  orgId: string;
}

export interface OAuthTokenRequest {
  owner: ConnectionOwner;
  extensionId: string;
  installationId: string;
  provider: string;
  scopes: string[];
}

export type OAuthTokenResult =
  | { ok: true; accessToken: string; expiresAt: Date | null; scope: string }
  | { ok: false; reason: "connection_missing" | "connection_expired" | "scopes_missing"; missingScopes: string[] }
  /** The token expired and the provider is failing (5xx, 429, network): try again after `retryAfterSeconds`. */
  | { ok: false; reason: "provider_unavailable"; missingScopes: string[]; retryAfterSeconds: number };

export interface OAuthBroker {
  /** A current access token (refreshed if needed), never the refresh token. */
  getAccessToken(request: OAuthTokenRequest): Promise<OAuthTokenResult>;
  /** Whether a usable connection with these scopes exists, without refreshing anything. */
  connectionStatus(request: OAuthTokenRequest): Promise<{ connected: boolean; missingScopes: string[] }>;
}

export const noConnections: OAuthBroker = {
  async getAccessToken(request) {
    return { ok: false, reason: "connection_missing", missingScopes: request.scopes };
  },
  async connectionStatus(request) {
    return { connected: false, missingScopes: request.scopes };
  },
};
