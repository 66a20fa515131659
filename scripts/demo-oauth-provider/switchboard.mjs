// The demo provider's switchboard for tests: counters per endpoint, the next token requests failing with
// a chosen status before they reach the provider (so no refresh token is consumed), every grant revoked
// (so the next refresh gets a real invalid_grant), and the next token answers for one account saying the
// access token has expired (`expires_in: 0`), so a client's next use refreshes it without a test waiting
// out a token's life. (The token itself stays good here until its real TTL, so the client can still read
// the account's profile with it.)

/** @typedef {import("../demo-oauth-provider.d.mts").DemoProvider} DemoProvider */
/** @typedef {import("../demo-oauth-provider.d.mts").DemoProviderStats} DemoProviderStats */
/** @typedef {ReturnType<typeof import("./storage.mjs").createStorage>} Storage */

/** @returns {DemoProviderStats} */
function zeroStats() {
  return { authorizationCode: 0, refreshToken: 0, revocations: 0, refreshTokenReuse: 0, userinfo: 0 };
}

/**
 * The switchboard of one provider: counts what `provider` (an oidc-provider instance) answers, and holds
 * the failures and expiring answers tests asked for. The request router asks it, for each token request,
 * whether to fail it (`takeFailure`) and whether to rewrite its answer (`rewritesTokenAnswers`).
 * @param {any} provider @param {Storage} storage
 */
export function createSwitchboard(provider, storage) {
  let stats = zeroStats();
  /** @type {{ remaining: number, status: number }} */
  let failures = { remaining: 0, status: 500 };
  const expiring = createExpiringAnswers(storage);

  provider.on("grant.error", (/** @type {unknown} */ _ctx, /** @type {{ error_detail?: string }} */ error) => {
    if (error.error_detail === "refresh token already used") stats.refreshTokenReuse += 1;
  });

  /** Counts a token request by its grant type (failed ones included). @param {string | undefined} grantType */
  const countGrant = (grantType) => {
    if (grantType === "authorization_code") stats.authorizationCode += 1;
    if (grantType === "refresh_token") stats.refreshToken += 1;
  };

  provider.use(async (/** @type {any} */ ctx, /** @type {() => Promise<void>} */ next) => {
    await next();
    if (ctx.oidc?.route === "token") countGrant(ctx.oidc.params?.grant_type);
    if (ctx.oidc?.route === "revocation") stats.revocations += 1;
    if (ctx.oidc?.route === "userinfo") stats.userinfo += 1;
  });

  /** @type {DemoProvider["failNext"]} */
  const failNext = (count, status) => {
    if (!Number.isInteger(count) || count < 0) throw new Error(`failNext: count must be a whole number, got ${count}`);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error(`failNext: status must be an HTTP error status (400-599), got ${status}`);
    }
    failures = { remaining: count, status };
  };

  /** @returns {number | undefined} the status the token request at hand must answer, or undefined to pass it on */
  const takeFailure = () => {
    if (failures.remaining <= 0) return undefined;
    failures.remaining -= 1;
    return failures.status;
  };

  return {
    /** @returns {DemoProviderStats} a copy of the counters */
    stats: () => ({ ...stats }),
    failNext,
    revokeGrants: () => storage.revokeAllGrants(),
    expireNextTokens: expiring.expireNextTokens,
    /** @type {DemoProvider["reset"]} */
    reset: () => {
      stats = zeroStats();
      failures = { remaining: 0, status: 500 };
      expiring.clear();
    },
    countGrant,
    takeFailure,
    rewritesTokenAnswers: expiring.pending,
    expiringTokenAnswers: expiring.rewrite,
  };
}

/**
 * How many more token answers to each account (its login, as typed) arrive already expired, and the
 * rewriting of the token endpoint's answers that makes them so.
 * @param {Storage} storage
 */
function createExpiringAnswers(storage) {
  /** @type {Map<string, number>} */
  const expiring = new Map();

  /** @type {DemoProvider["expireNextTokens"]} */
  const expireNextTokens = (account, count) => {
    if (!account) throw new Error("expireNextTokens: an account (its login) is required");
    if (!Number.isInteger(count) || count < 0) throw new Error(`expireNextTokens: count must be a whole number, got ${count}`);
    expiring.set(account, count);
  };

  /** @param {string} body @returns {string | undefined} the answer rewritten, or undefined to leave it */
  function expireIfAsked(body) {
    /** @type {{ access_token?: unknown, expires_in?: unknown }} */
    let answer;
    try {
      answer = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (typeof answer.access_token !== "string") return undefined;
    const account = storage.accountOfAccessToken(answer.access_token);
    const remaining = account === undefined ? 0 : (expiring.get(account) ?? 0);
    if (account === undefined || remaining === 0) return undefined;
    expiring.set(account, remaining - 1);
    return JSON.stringify({ ...answer, expires_in: 0 });
  }

  /**
   * Sends the token endpoint's answer through `expireIfAsked`: when the access token in it belongs to an
   * account expireNextTokens named, the answer says `expires_in: 0`.
   * @param {import("node:http").ServerResponse} res
   */
  function rewrite(res) {
    const end = res.end.bind(res);
    /** @type {any} */ (res).end = (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) => {
      const body = chunk === undefined || typeof chunk === "function" ? undefined : Buffer.from(chunk).toString("utf8");
      const changed = body === undefined || res.statusCode !== 200 || res.headersSent ? undefined : expireIfAsked(body);
      if (changed === undefined) return end(chunk, ...rest);
      res.setHeader("content-length", Buffer.byteLength(changed));
      return end(changed, ...rest.filter((arg) => typeof arg === "function"));
    };
  }

  return {
    expireNextTokens,
    /** Whether any account still has expiring answers asked for (else answers pass untouched). */
    pending: () => expiring.size > 0,
    clear: () => expiring.clear(),
    rewrite,
  };
}
