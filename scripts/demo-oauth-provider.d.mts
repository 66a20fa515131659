// Types for demo-oauth-provider.mjs, which stays plain JavaScript so `node` can run it directly.

export interface DemoClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface DemoAccount {
  sub: string;
  email: string;
  name: string;
}

export interface DemoProviderOptions {
  /** 0 picks any free port. */
  port: number;
  /** Default "127.0.0.1". */
  host?: string;
  clients: DemoClient[];
  /** Default 3600; tests use a few seconds to force refreshes. */
  accessTokenTtlSeconds?: number;
  /** Serve /__control/* for tests in other processes. Default false (those paths 404). */
  control?: boolean;
  /** Default: one account, sub "demo-user", email "demo.user@example.test", name "Demo User". */
  accounts?: DemoAccount[];
}

/** Requests seen since start or the last reset(), failed ones included. */
export interface DemoProviderStats {
  /** Token endpoint requests with grant_type=authorization_code. */
  authorizationCode: number;
  /** Token endpoint requests with grant_type=refresh_token. */
  refreshToken: number;
  /** Revocation endpoint requests. */
  revocations: number;
  /** Refresh attempts with a refresh token that had already been rotated away. */
  refreshTokenReuse: number;
  /** Userinfo endpoint requests. */
  userinfo: number;
}

export interface DemoProvider {
  /** "http://127.0.0.1:PORT", no trailing slash. */
  issuer: string;
  port: number;
  close(): Promise<void>;
  stats(): DemoProviderStats;
  /** The next `count` token requests answer `status` without reaching the provider. */
  failNext(count: number, status: number): void;
  /** Deletes every grant and the tokens issued under it: the next refresh gets invalid_grant. */
  revokeGrants(): void;
  /**
   * The next `count` token answers (authorization_code or refresh_token grants) carrying an access token of
   * `account` (its login, as typed at sign-in) say `expires_in: 0`: the client sees the token expired and
   * refreshes it at its next use (the token itself stays good here for its real TTL, so reading the
   * account's profile with it still works). Replaces an earlier count for that account.
   */
  expireNextTokens(account: string, count: number): void;
  /** Zeroes the counters and cancels pending failNext failures and expireNextTokens counts. */
  reset(): void;
}

export function startDemoProvider(options: DemoProviderOptions): Promise<DemoProvider>;
