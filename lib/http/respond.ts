// How every API entry point turns a thrown error into an answer: a stable code, a human message and the
// request id, as `{ "error": { "code", "message", "request_id", ... } }`. A domain error (DomainError)
// is served with its own status and message; anything else is served as a generic failure of ours, and
// what actually happened (a KMS timeout naming its key, a database error) goes to the log only, under
// the same request id.
import { logger } from "@/lib/log";
import { DomainError, INTERNAL_MESSAGE } from "./errors";
import { currentRequestId, newRequestId, REQUEST_ID_HEADER } from "./request-context";

/** The JSON error body every API answers with. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string } & Record<string, unknown>;
}

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
  if ((error as { code?: unknown } | null)?.code === "vault_unavailable") {
    logger.error({ err: error, request_id: requestId }, "keyring unavailable");
    return { status: 503, body: body("vault_unavailable", VAULT_UNAVAILABLE) };
  }
  logger.error({ err: error, request_id: requestId }, "request failed");
  return { status: 500, body: body("internal_error", INTERNAL_MESSAGE) };
}

/** `serveError` as a JSON Response with `cache-control: no-store` and the `x-request-id` header. */
export function errorResponse(error: unknown, requestId: string = currentRequestId() ?? newRequestId()): Response {
  const { status, body } = serveError(error, requestId);
  return jsonResponse(body, status, requestId);
}

/** A JSON Response that is never cached and carries the request id. */
export function jsonResponse(body: unknown, status = 200, requestId: string | undefined = currentRequestId()): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  return new Response(JSON.stringify(body), { status, headers });
}
