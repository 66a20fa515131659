// The one wrapper for Next route handlers: it gives the request its id (for every log line and the
// response's `x-request-id`), runs the handler, and serves any thrown error through `serveError`, so a
// route file is only its own work and never answers a bare 500 or an internal message.
import { errorResponse } from "./respond";
import { REQUEST_ID_HEADER, requestIdOf, withRequestContext } from "@/lib/core/request-context";

/** A Next route handler: the request and its dynamic segments. */
export type RouteHandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/**
 * Wraps a route handler: request id in (from `x-request-id` or new) and out (response header), errors
 * mapped to `{ error: { code, message, request_id } }` with their status.
 */
export function route<P = Record<string, never>>(handler: RouteHandler<P>): RouteHandler<P> {
  return async (request, context) => {
    const requestId = requestIdOf(request.headers);
    return withRequestContext({ requestId }, async () => {
      let response: Response;
      try {
        response = await handler(request, context);
      } catch (error) {
        return errorResponse(error, requestId);
      }
      if (!response.headers.has(REQUEST_ID_HEADER)) {
        try {
          response.headers.set(REQUEST_ID_HEADER, requestId);
        } catch {
          // Responses built by Response.redirect() or fetch() have immutable headers; they keep theirs.
        }
      }
      return response;
    });
  };
}
