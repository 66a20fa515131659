// How every API entry point turns a thrown error into an answer: a stable code, a human message and the
// request id, as `{ "error": { "code", "message", "request_id", ... } }`. A domain error (DomainError)
// is served with its own status and message; anything else is served as a generic failure of ours, and
// what actually happened (a KMS timeout naming its key, a database error) goes to the log only, under
// the same request id.
import { logger } from "@/lib/logger";
import { DomainError, INTERNAL_MESSAGE, type ErrorBody } from "@/lib/core/domain-error";
import { currentRequestId, newRequestId, REQUEST_ID_HEADER } from "@/lib/core/request-context";

export type { ErrorBody } from "@/lib/core/domain-error";

/** What a thrown error is served as. */
export interface ServedError {
  status: number;
  body: ErrorBody;
}

const VAULT_UNAVAILABLE = "The vault is unavailable; try again shortly.";

/**
 * Classifies a thrown error for serving, and logs what the caller will not see.
 *
 * - DomainError: its status, code, message and public fields (5xx ones are logged with their cause);
 * - an error whose `code` is `vault_unavailable` (keyring/KMS failures from lib/crypto): 503 with a
 *   fixed message, since theirs names key identifiers;
 * - anything else: 500 `internal_error` with a fixed message, logged at error level.
 */
export function serveError(error: unknown, requestId: string = currentRequestId() ?? newRequestId()): ServedError {
  const body = (code: string, message: string, extra: Record<string, unknown> = {}): ErrorBody => ({
    error: { code, message, request_id: requestId, ...extra },
  });
  if (error instanceof DomainError) {
    if (error.status >= 500) logger.warn({ err: error, request_id: requestId }, `${error.code}: ${error.message}`);
    return { status: error.status, body: body(error.code, error.message, error.publicFields()) };
  }
  const storable = unstorableText(error);
  if (storable) {
    // A last resort for an entry point whose input schema missed a character PostgreSQL refuses: the
    // caller sent it, so it is their error to fix, not a failure of ours (lib/core/text.ts is the rule).
    logger.warn({ err: error, request_id: requestId }, "text the database cannot store reached a query");
    return { status: 400, body: body("invalid_request", storable) };
  }
  if ((error as { code?: unknown } | null)?.code === "vault_unavailable") {
    logger.error({ err: error, request_id: requestId }, "keyring unavailable");
    return { status: 503, body: body("vault_unavailable", VAULT_UNAVAILABLE) };
  }
  logger.error({ err: error, request_id: requestId }, "request failed");
  return { status: 500, body: body("internal_error", INTERNAL_MESSAGE) };
}

// PostgreSQL's SQLSTATEs for text it cannot store: 22021 character_not_in_repertoire (U+0000 in text),
// 22P05 untranslatable_character (U+0000 or a lone surrogate in jsonb). Drivers and drizzle may wrap the
// server's error, so the cause chain is searched.
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

function unstorableText(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNSTORABLE_TEXT.has(code)) {
      return "The request contains a character that cannot be stored (U+0000 or an unpaired surrogate); remove it and try again.";
    }
  }
  return null;
}

/**
 * `serveError` as a JSON Response with `cache-control: no-store`, the `x-request-id` header and a domain
 * error's own `responseHeaders()`.
 */
export function errorResponse(error: unknown, requestId: string = currentRequestId() ?? newRequestId()): Response {
  const { status, body } = serveError(error, requestId);
  const response = jsonResponse(body, status, requestId);
  if (error instanceof DomainError) {
    for (const [name, value] of Object.entries(error.responseHeaders())) response.headers.set(name, value);
  }
  return response;
}

/** A JSON Response that is never cached and carries the request id. */
export function jsonResponse(body: unknown, status = 200, requestId: string | undefined = currentRequestId()): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  return new Response(JSON.stringify(body), { status, headers });
}
