// Next's proxy (the file convention that replaced middleware in Next 16) runs before any route is
// matched, for every request but static build files. It does what every route needs:
// - answers a path whose percent-encoding does not decode, before Next's route matcher throws on it:
//   400 `invalid_request` for API paths, the 404 page for pages (lib/core/path-encoding.ts);
// - adds the per-request security headers: a nonce-based Content-Security-Policy for pages (Next reads
//   the nonce from the request's CSP header and puts it on its scripts), a closed one for API answers,
//   and Strict-Transport-Security when LATCHKEY_URL is https (lib/http/security-headers.ts). The static
//   ones (nosniff, Referrer-Policy, X-Frame-Options, Permissions-Policy) come from next.config.ts.
// - gives the request its id (x-request-id): a trusted proxy's (LATCHKEY_TRUSTED_PROXY_HOPS > 0) is kept,
//   any other is replaced, so a client cannot choose the id its log lines are filed under; the id is
//   returned on every response.
// Authorization is not decided here: every route and action checks its caller itself.
import { NextResponse, type NextRequest } from "next/server";
import { safeCallbackCookies } from "@/lib/auth/callback-url";
import { env } from "@/lib/env";
import { isApiPath, malformedPathResponse, malformedPathSegment } from "@/lib/core/path-encoding";
import { newRequestId, REQUEST_ID_HEADER, requestIdOf } from "@/lib/core/request-context";
import {
  API_CONTENT_SECURITY_POLICY,
  newNonce,
  pageContentSecurityPolicy,
  STATIC_SECURITY_HEADERS,
  strictTransportSecurity,
} from "@/lib/http/security-headers";

// A path no route matches: rewriting to it renders app/not-found.tsx with status 404.
const NOT_FOUND_PATH = "/_latchkey/not-found";

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const api = isApiPath(pathname);
  const malformed = malformedPathSegment(pathname);
  const settings = env();
  const baseUrl = settings.LATCHKEY_URL;
  const hsts = strictTransportSecurity(baseUrl);
  const requestId = settings.LATCHKEY_TRUSTED_PROXY_HOPS > 0 ? requestIdOf(request.headers) : newRequestId();

  if (malformed !== null && api) {
    return withHeaders(malformedPathResponse(malformed, requestId), requestId, API_CONTENT_SECURITY_POLICY, hsts, true);
  }

  const nonce = api ? null : newNonce();
  const csp = nonce
    ? pageContentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === "development", https: baseUrl.startsWith("https:") })
    : API_CONTENT_SECURITY_POLICY;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  // next-auth throws (a bare 500) on a callback-url cookie that is not a URL; it reads cookies from here.
  const cookie = pathname.startsWith("/api/auth/") ? safeCallbackCookies(request.headers.get("cookie"), baseUrl) : null;
  if (cookie !== null) requestHeaders.set("cookie", cookie);
  if (nonce) {
    // Next takes the nonce for its own scripts from the request's CSP header; x-nonce is for ours.
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("content-security-policy", csp);
  }
  const forward = { request: { headers: requestHeaders } };
  const response = malformed !== null ? NextResponse.rewrite(new URL(NOT_FOUND_PATH, request.url), forward) : NextResponse.next(forward);
  return withHeaders(response, requestId, csp, hsts, false);
}

/**
 * Sets the per-request headers; `own` responses (made here, not by a route) get the static ones too. The
 * request id goes on every answer (Next merges these headers into whatever the route answers), so a page,
 * a redirect or a 404 can be traced to its log lines (lib/http/request-log.ts logs it) as an API error can.
 */
function withHeaders<R extends Response>(response: R, requestId: string, csp: string, hsts: string | null, own: boolean): R {
  if (!response.headers.has(REQUEST_ID_HEADER)) response.headers.set(REQUEST_ID_HEADER, requestId);
  response.headers.set("Content-Security-Policy", csp);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  if (own) for (const { key, value } of STATIC_SECURITY_HEADERS) response.headers.set(key, value);
  return response;
}

export const config = {
  // Everything but Next's build output and image optimiser: those are files, not pages or answers.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
