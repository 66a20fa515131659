// Failures of provider requests, classified: only an OAuth error answer saying the grant is gone is fatal
// (the person must connect again); an answer Latchkey cannot use, or a provider that is down, is retried later.
import * as oauth from "oauth4webapi";
import type { ProviderConfig } from "./provider-config";

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `fatal`: the grant is gone, the person must connect again. `retryable`: try later, the grant stands. */
export type FailureKind = "fatal" | "retryable";

/** A provider request that failed, classified for the refresher and the flow. */
export class ProviderRequestError extends Error {
  /** The provider is down or overloaded (5xx, 429, timeout, network), not an answer Latchkey cannot use. */
  readonly unavailable: boolean;
  /**
   * A new refresh token the unusable answer carried. The provider may already have retired the old one
   * (rotation), so the caller stores it even though the rest of the answer was refused.
   */
  readonly rotatedRefreshToken: string | null;
  /**
   * The provider refused because the resource asked for lacks consent (Microsoft's `invalid_grant` with
   * `consent_required` / AADSTS65001), not because the grant is gone: retryable, and the caller reports
   * that resource's scopes as missing.
   */
  readonly consentRequired: boolean;

  constructor(
    readonly kind: FailureKind,
    /** The OAuth error code (invalid_grant, …) or a short description (http_503, network, token_too_large). */
    readonly reason: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    options: { unavailable?: boolean; rotatedRefreshToken?: string | null; consentRequired?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ProviderRequestError";
    this.unavailable = options.unavailable ?? false;
    this.rotatedRefreshToken = options.rotatedRefreshToken ?? null;
    this.consentRequired = options.consentRequired ?? false;
  }

  /** The same failure, carrying the refresh token its answer rotated in. */
  withRotatedRefreshToken(refreshToken: string): ProviderRequestError {
    return new ProviderRequestError(this.kind, this.reason, this.message, this.retryAfterSeconds, {
      unavailable: this.unavailable,
      rotatedRefreshToken: refreshToken,
      consentRequired: this.consentRequired,
      cause: this.cause,
    });
  }
}

/**
 * Whether an OAuth error code says the grant is gone for good: RFC 6749 §5.2's `invalid_grant`, or one of the
 * provider's documented equivalents (catalogue `grantGoneErrors`). Not among them: invalid_client /
 * unauthorized_client, which say the client app's credentials are wrong (a publisher who rotated the secret
 * at the provider first) — every user's grant is still fine — nor invalid_scope, invalid_request and the like.
 */
export function isGrantGone(provider: ProviderConfig, code: string): boolean {
  return code === "invalid_grant" || (provider.quirks.grantGoneErrors ?? []).includes(code);
}

/** Runs a provider request, sorting its failure into fatal (grant gone) or retryable (try later). */
export async function classify<T>(provider: ProviderConfig, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toProviderError(provider, error);
  }
}

/**
 * Classifies a failed provider request. Fatal only for an OAuth error answer saying the grant is gone
 * (isGrantGone); everything else — 5xx, 429, a refusal such as invalid_client or invalid_scope, an answer
 * that is not JSON, is cut off, is empty, lacks access_token, has an unusable expires_in or token, or whose
 * ID token fails a claim check — is retryable: the grant stands and the refresher backs off.
 */
export function toProviderError(provider: ProviderConfig, error: unknown): ProviderRequestError {
  if (error instanceof ProviderRequestError) return error;
  const name = provider.displayName;
  if (error instanceof oauth.ResponseBodyError) {
    const unavailable =
      error.status >= 500 || error.status === 429 || error.error === "temporarily_unavailable" || error.error === "server_error";
    if (!unavailable && consentRequired(provider, error.cause)) {
      return new ProviderRequestError(
        "retryable",
        "consent_required",
        `${name} says the resource asked for lacks consent: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
        null,
        { consentRequired: true, cause: error },
      );
    }
    if (!unavailable && isGrantGone(provider, error.error)) {
      return new ProviderRequestError(
        "fatal",
        error.error,
        `${name} says the grant is gone: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
        null,
        { cause: error },
      );
    }
    return new ProviderRequestError(
      "retryable",
      error.error || `http_${error.status}`,
      unavailable
        ? `${name} is unavailable (${error.status} ${error.error}).`
        : `${name} refused the request: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
      retryAfter(error.response),
      { unavailable, cause: error },
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // RFC 6749 §5.2: a 401 with a challenge is the client failing to authenticate (invalid_client), which
    // says nothing about the person's grant — unless the challenge names a grant-gone error.
    const code = error.cause.map((c) => c.parameters.error).find((e): e is string => typeof e === "string") ?? `http_${error.status}`;
    const kind: FailureKind = isGrantGone(provider, code) ? "fatal" : "retryable";
    return new ProviderRequestError(kind, code, `${name} refused the request (${error.status} ${code}).`, retryAfter(error.response), {
      cause: error,
    });
  }
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) {
    const status = error.cause.status;
    const unavailable = status >= 500 || status === 429;
    return new ProviderRequestError(
      "retryable",
      `http_${status}`,
      unavailable ? `${name} is unavailable (HTTP ${status}).` : `${name} answered HTTP ${status} without an OAuth error.`,
      retryAfter(error.cause),
      { unavailable, cause: error },
    );
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new ProviderRequestError(
      "retryable",
      "invalid_response",
      `${name} answered with a response Latchkey cannot use: ${error.message}`,
      null,
      {
        cause: error,
      },
    );
  }
  // Network failures, timeouts, DNS: the provider may be back in a minute.
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderRequestError("retryable", "network", `${name} could not be reached (${message}).`, null, {
    unavailable: true,
    cause: error,
  });
}

/** Whether an error answer is the provider's "this resource lacks consent" (quirks.consentRequired: Microsoft's AADSTS65001). */
function consentRequired(provider: ProviderConfig, body: unknown): boolean {
  const rule = provider.quirks.consentRequired;
  if (!rule || !isObject(body)) return false;
  const suberror = typeof body.suberror === "string" && rule.suberrors.includes(body.suberror);
  const codes = Array.isArray(body.error_codes) && body.error_codes.some((c) => typeof c === "number" && rule.errorCodes.includes(c));
  return suberror || codes;
}

function retryAfter(response: Response | undefined): number | null {
  const header = response?.headers.get("retry-after");
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
