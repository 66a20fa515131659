// Request paths whose percent-encoding does not decode (`/api/v1/secrets/%ff`, `/panel/extensions/%zz/setup`).
// Next decodes dynamic segments with decodeURIComponent while matching a route, and a URIError there
// became an unlogged 500. proxy.ts runs before any route is matched and answers such a path itself: an
// API path gets a 400 `invalid_request` in the API's error shape, a page path the site's 404 page.
import type { ErrorBody } from "@/lib/core/domain-error";

/** The error code an API path with a malformed encoding is answered with. */
export const INVALID_REQUEST = "invalid_request";

/**
 * The first segment of `pathname` that is not valid percent-encoded UTF-8 (RFC 3986 §2.1 with UTF-8,
 * as decodeURIComponent reads it: a `%` not followed by two hex digits, or bytes that are not UTF-8,
 * such as `%ff` or the overlong `%c0%af`), or null when every segment decodes.
 */
export function malformedPathSegment(pathname: string): string | null {
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return null;
}

/** Paths answered by route handlers (JSON), as opposed to pages. */
export function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/") || pathname.startsWith("/.well-known/");
}

/** The 400 answer for an API path with a malformed segment, in the shape of every API error. */
export function malformedPathResponse(segment: string, requestId: string): Response {
  const shown = segment.length > 60 ? `${segment.slice(0, 60)}…` : segment;
  const body: ErrorBody = {
    error: {
      code: INVALID_REQUEST,
      message: `The request path is not valid: "${shown}" is not percent-encoded UTF-8. Encode each path segment with encodeURIComponent.`,
      request_id: requestId,
    },
  };
  return new Response(JSON.stringify(body), {
    status: 400,
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": requestId },
  });
}
