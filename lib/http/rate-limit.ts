// Rate limits: how many times one client address may do something within a window (failed token
// authentications, demo sign-ins, the public verify endpoint), counted by rate-limiter-flexible in
// PostgreSQL when Latchkey runs on it (every app instance shares one budget: RateLimiterDrizzle over the
// `rate_limits` table) and in memory with embedded PGlite (one process). A refusal is HTTP 429 (RFC 6585
// §4) with `Retry-After` (RFC 9110 §10.2.3) and the RateLimit-Policy / RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-09 (e.g. `RateLimit-Policy: "sign-in";q=20;w=60` and
// `RateLimit: "sign-in";r=0;t=42`), and the body is the API error shape with code `rate_limited`.
import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AuthFailureLog, type AuditEventSink, type AuthFailureKind, type AuthFailureLogOptions } from "@/lib/audit/failures";
import type { AuditSource } from "@/lib/audit/events";
import type { DbOrTx } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import type { RateLimitSetting } from "@/lib/env";
import { DomainError } from "@/lib/core/domain-error";

/** One limit: at most `limit` points per client key in a fixed window of `windowSeconds`. */
export interface RateLimitPolicy extends RateLimitSetting {
  /** The policy's name: the store's key prefix and the identifier in the RateLimit fields ([a-z-]). */
  name: string;
}

/** Where a client key stands against a policy after a check or a hit. */
export interface RateLimitState {
  policy: RateLimitPolicy;
  /** Points left in the current window. */
  remaining: number;
  /** Whole seconds until the current window ends (0 when none is open). */
  resetSeconds: number;
  /** True when the request must be refused. */
  limited: boolean;
}

/**
 * The key of a client whose address is unknown (no trusted proxy, see client-address.ts): all such
 * clients share one budget, so a limit still holds when addresses cannot be told apart.
 */
export const RATE_LIMIT_UNKNOWN_CLIENT = "unknown";

/** The limiter key of a client address (`RATE_LIMIT_UNKNOWN_CLIENT` when it is null). */
export function rateLimitKey(address: string | null | undefined): string {
  return address ?? RATE_LIMIT_UNKNOWN_CLIENT;
}

/** "42 seconds", "5 minutes": a wait in words for refusal messages. */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 120) return `${s} second${s === 1 ? "" : "s"}`;
  const minutes = Math.ceil(s / 60);
  return `${minutes} minutes`;
}

/**
 * A fixed-window limit over a rate-limiter-flexible store. The store is injectable: tests pass a
 * `RateLimiterMemory` (no database, no clock to wait on); the app uses `RateLimit.forDatabase`.
 */
export class RateLimit {
  constructor(
    readonly policy: RateLimitPolicy,
    private readonly store: RateLimiterAbstract = RateLimit.memoryStore(policy),
  ) {}

  /** A store in this process's memory (embedded mode, tests). */
  static memoryStore(policy: RateLimitPolicy): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: policy.name, points: policy.limit, duration: policy.windowSeconds });
  }

  /**
   * A limit counted in the database's `rate_limits` table (drizzle migration 0003) through
   * RateLimiterDrizzle, atomic across app instances. Should the database not answer, the limiter's
   * `insuranceLimiter` (memory, same policy) decides for this process meanwhile.
   */
  static forDatabase(policy: RateLimitPolicy, db: DbOrTx): RateLimit {
    const store = new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix: policy.name,
      points: policy.limit,
      duration: policy.windowSeconds,
      insuranceLimiter: RateLimit.memoryStore(policy),
    });
    return new RateLimit(policy, store);
  }

  /** Where `key` stands, without counting anything: limited once the window's points are used up. */
  async check(key: string): Promise<RateLimitState> {
    const res = await this.store.get(key);
    const consumed = res?.consumedPoints ?? 0;
    return this.#state(res, consumed >= this.policy.limit);
  }

  /** Counts `points` for `key`: limited when this hit went over the window's points. */
  async hit(key: string, points = 1): Promise<RateLimitState> {
    try {
      return this.#state(await this.store.consume(key, points), false);
    } catch (rejection) {
      // The library rejects with its result object when over the limit, with an Error when the store failed.
      if (rejection instanceof RateLimiterRes) return this.#state(rejection, true);
      throw rejection;
    }
  }

  /**
   * Counts one hit and refuses it when over the limit.
   *
   * @param message what the 429 says, given the wait in words (e.g. "5 minutes")
   * @throws RateLimitedError when this hit went over the limit
   */
  async enforce(key: string, message: (wait: string) => string): Promise<RateLimitState> {
    const state = await this.hit(key);
    if (state.limited) throw new RateLimitedError(state, message(waitInWords(state.resetSeconds)));
    return state;
  }

  /** Forgets `key`'s count. */
  async reset(key: string): Promise<void> {
    await this.store.delete(key);
  }

  #state(res: RateLimiterRes | null, limited: boolean): RateLimitState {
    const consumed = res?.consumedPoints ?? 0;
    const ms = res && res.msBeforeNext > 0 ? res.msBeforeNext : 0;
    return {
      policy: this.policy,
      remaining: Math.max(0, this.policy.limit - consumed),
      resetSeconds: Math.ceil(ms / 1000),
      limited,
    };
  }
}

/**
 * The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers-09 (§3, §4) for a
 * state, and `Retry-After` in seconds when it is limited (at least 1).
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const id = `"${state.policy.name}"`;
  return {
    "RateLimit-Policy": `${id};q=${state.policy.limit};w=${state.policy.windowSeconds}`,
    RateLimit: `${id};r=${state.remaining};t=${state.resetSeconds}`,
    ...(state.limited ? { "Retry-After": String(Math.max(1, state.resetSeconds)) } : {}),
  };
}

/**
 * A request refused by a rate limit: served as 429 `{ error: { code: "rate_limited", message,
 * request_id, retry_after_seconds } }` with `Retry-After` and the RateLimit fields.
 */
export class RateLimitedError extends DomainError<"rate_limited"> {
  static override readonly kind = "RateLimitedError";

  constructor(
    readonly state: RateLimitState,
    message: string,
  ) {
    super("rate_limited", message);
  }

  get status(): number {
    return 429;
  }

  /** Whole seconds until the client may try again (at least 1). */
  get retryAfterSeconds(): number {
    return Math.max(1, this.state.resetSeconds);
  }

  override publicFields(): Record<string, unknown> {
    return { retry_after_seconds: this.retryAfterSeconds };
  }

  override responseHeaders(): Record<string, string> {
    return rateLimitHeaders(this.state);
  }
}

/**
 * Failed authentications per client address (LATCHKEY_RATE_LIMIT_TOKEN_FAILURES). Only failures are
 * counted and only failures are refused: a valid credential is never looked up in the limiter, so a flood
 * of bad tokens from anywhere (or from every client sharing the `unknown` address when no proxy is
 * trusted) cannot lock out callers whose tokens are good. Past the limit a failed attempt answers 429
 * instead of 401 until the window ends. Each failure is counted into the aggregated `auth.failure` audit
 * event (AuthFailureLog).
 */
export class AuthFailureGuard {
  constructor(
    readonly limit: RateLimit,
    readonly log?: AuthFailureLog,
  ) {}

  /**
   * Counts one failed authentication of `source`; returns when the caller should answer its 401.
   *
   * @param reason the refusal message served to the caller (recorded in the audit event's reasons)
   * @throws RateLimitedError when this failure is over the address's limit for the window
   */
  async failed(kind: AuthFailureKind, source: AuditSource, reason: string): Promise<void> {
    this.log?.note(kind, source, reason);
    const state = await this.limit.hit(rateLimitKey(source.ip));
    if (!state.limited) return;
    const { limit, windowSeconds } = this.limit.policy;
    throw new RateLimitedError(
      state,
      `Too many failed authentications from your address (${limit} in ${waitInWords(windowSeconds)}). ` +
        `Wait ${waitInWords(state.resetSeconds)} before trying another token; valid tokens keep working.`,
    );
  }
}

/** The limits the app enforces, and how client addresses are read for them. */
export interface RequestGuards {
  /** LATCHKEY_TRUSTED_PROXY_HOPS (see client-address.ts). */
  trustedProxyHops: number;
  /** Failed runtime and publisher API token authentications per address, one budget for both. */
  tokenFailures: AuthFailureGuard;
  /** Demo sign-in attempts per address. */
  signIn: RateLimit;
  /** Calls of the public POST /api/v1/audit/verify per address. */
  auditVerify: RateLimit;
}

/** What `buildRequestGuards` needs: the settings (lib/env.ts) by name. */
export interface RequestGuardSettings {
  LATCHKEY_TRUSTED_PROXY_HOPS: number;
  LATCHKEY_RATE_LIMIT_TOKEN_FAILURES: RateLimitSetting;
  LATCHKEY_RATE_LIMIT_SIGN_IN: RateLimitSetting;
  LATCHKEY_RATE_LIMIT_AUDIT_VERIFY: RateLimitSetting;
}

/**
 * Builds the app's limits from its settings.
 *
 * @param deps.db count in this database's `rate_limits` table (PostgreSQL); without it, in memory
 * @param deps.events where the aggregated `auth.failure` events go (the vault's read recorder)
 */
export function buildRequestGuards(
  settings: RequestGuardSettings,
  deps: { db?: DbOrTx; events?: AuditEventSink; failureLog?: AuthFailureLogOptions } = {},
): RequestGuards {
  const limit = (name: string, setting: RateLimitSetting) => {
    const policy = { name, ...setting };
    return deps.db ? RateLimit.forDatabase(policy, deps.db) : new RateLimit(policy);
  };
  return {
    trustedProxyHops: settings.LATCHKEY_TRUSTED_PROXY_HOPS,
    tokenFailures: new AuthFailureGuard(
      limit("token-failures", settings.LATCHKEY_RATE_LIMIT_TOKEN_FAILURES),
      deps.events ? new AuthFailureLog(deps.events, deps.failureLog) : undefined,
    ),
    signIn: limit("sign-in", settings.LATCHKEY_RATE_LIMIT_SIGN_IN),
    auditVerify: limit("audit-verify", settings.LATCHKEY_RATE_LIMIT_AUDIT_VERIFY),
  };
}
