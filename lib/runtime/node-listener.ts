// The runtime API's lean path: what extensions call on every invocation (secret get/set/list/meta/delete,
// the OAuth token, readiness, the JWKS) answered straight from Node's HTTP server, in front of Next's
// request handler (server.mjs), instead of through Next's router, proxy and route-handler machinery. The
// same handlers (runtimeApi) answer either way; this module only adds what proxy.ts and next.config.ts
// add to every API answer on the Next path, so the answers are the same (the few deliberate differences are
// listed at the end):
// - a path segment whose percent-encoding does not decode is answered 400 `invalid_request`
//   (lib/core/path-encoding.ts), before any handler sees it;
// - the request id: a trusted proxy's `x-request-id` is kept (LATCHKEY_TRUSTED_PROXY_HOPS > 0), any other is
//   replaced by a new one, and the id is on every answer;
// - the security headers: the API's closed Content-Security-Policy, Strict-Transport-Security when the
//   public URL is https, and the static ones (nosniff, Referrer-Policy, X-Frame-Options, Permissions-Policy);
// - X-Forwarded-For filled in with the socket's address when the client sent none, as Next's server does
//   (`??=` in next/dist/server/base-server.js), so lib/http/client-address.ts reads the same header.
// Every other path is left to Next (the listener answers false), and so is a runtime path that URL parsing
// would change (`\`, dot segments), which Next redirects. HEAD is answered as GET without a body and
// OPTIONS with 204 and `Allow`, as Next does; another method a route does not define gets the API's JSON
// 405 `method_not_allowed` with `Allow` (Next answers an empty 405). Answers are never compressed (Next
// gzips when asked): they are small, and a secret is not mixed into a compressed stream.
import type { IncomingMessage, ServerResponse } from "node:http";
import { malformedPathResponse, malformedPathSegment } from "@/lib/core/path-encoding";
import { newRequestId, REQUEST_ID_HEADER, requestIdOf, withRequestContext } from "@/lib/core/request-context";
import { errorResponse } from "@/lib/http/respond";
import { logger } from "@/lib/logger";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS, strictTransportSecurity } from "@/lib/http/security-headers";
import type { RuntimeApi } from "./api";

/** The runtime routes and the methods each route file exports. */
const ROUTES: readonly { path: RegExp; methods: readonly string[] }[] = [
  { path: /^\/api\/v1\/secrets$/, methods: ["GET"] },
  { path: /^\/api\/v1\/secrets\/[^/]+$/, methods: ["GET", "PUT", "DELETE"] },
  { path: /^\/api\/v1\/secrets\/[^/]+\/meta$/, methods: ["GET"] },
  { path: /^\/api\/v1\/readiness$/, methods: ["GET"] },
  { path: /^\/api\/v1\/oauth\/token$/, methods: ["POST"] },
  { path: /^\/\.well-known\/jwks\.json$/, methods: ["GET"] },
];

/**
 * The methods `pathname` answers (as an `Allow` header lists them: with HEAD beside GET, and OPTIONS) when
 * it is a runtime route the lean path takes, else null.
 */
export function runtimeRouteMethods(pathname: string): string[] | null {
  const route = ROUTES.find((r) => r.path.test(pathname));
  if (!route) return null;
  return [...route.methods, ...(route.methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}

/** What the lean path needs besides the request. */
export interface RuntimeListenerOptions {
  /** The runtime API (built once per process; lib/runtime/index.ts getRuntimeApi). */
  api: () => Promise<RuntimeApi>;
  /** LATCHKEY_URL: the origin request URLs are resolved against, and whether HSTS is sent. */
  baseUrl: string;
  /** LATCHKEY_TRUSTED_PROXY_HOPS: > 0 keeps a proxy's x-request-id, as proxy.ts does. */
  trustedProxyHops: number;
}

/**
 * A Node request listener for the runtime routes: answers `req` and returns true when it is one (the
 * answer is written asynchronously), or returns false at once, touching nothing, for Next to answer.
 * Never throws and never rejects: an error the handlers do not answer themselves is served in the API's
 * error shape (500 `internal_error` with the request id); an answer that cannot be written is logged and
 * its connection closed.
 */
export type RuntimeListener = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The lean path's listener (see RuntimeListener). */
export function runtimeListener(options: RuntimeListenerOptions): RuntimeListener {
  const origin = new URL(options.baseUrl).origin;
  const hsts = strictTransportSecurity(options.baseUrl);
  const fixed: [string, string][] = [
    ["content-security-policy", API_CONTENT_SECURITY_POLICY],
    ...(hsts ? [["strict-transport-security", hsts] as [string, string]] : []),
    ...STATIC_SECURITY_HEADERS.map(({ key, value }): [string, string] => [key.toLowerCase(), value]),
  ];

  return (req, res) => {
    const target = req.url ?? "/";
    const query = target.indexOf("?");
    const pathname = query === -1 ? target : target.slice(0, query);
    const allowed = runtimeRouteMethods(pathname);
    if (!allowed) return false;
    // Only a path URL parsing leaves as sent: `\` read as `/`, dot segments resolved or characters
    // percent-encoded would make the handlers answer another path than the one matched here. Next
    // answers those (a redirect to the normalized path) as it always did.
    let url: URL;
    try {
      url = new URL(target, origin);
    } catch {
      return false;
    }
    if (url.pathname !== pathname) return false;
    const given = req.headers[REQUEST_ID_HEADER];
    const requestId =
      options.trustedProxyHops > 0
        ? requestIdOf(new Headers(typeof given === "string" ? { [REQUEST_ID_HEADER]: given } : {}))
        : newRequestId();
    const method = req.method ?? "GET";
    const allow = allowed.join(", ");
    const body = method === "GET" || method === "HEAD" || method === "OPTIONS" ? null : requestBody(req);
    void withRequestContext({ requestId }, async () => {
      let response: Response;
      try {
        const malformed = malformedPathSegment(pathname);
        if (malformed !== null) {
          response = malformedPathResponse(malformed, requestId);
        } else if (method === "OPTIONS") {
          response = new Response(null, { status: 204, headers: { allow } });
        } else {
          const headers = requestHeaders(req);
          headers.set(REQUEST_ID_HEADER, requestId);
          // HEAD is answered as GET without its body (RFC 9110 §9.3.2; Node's server sends no body for it).
          const request = new Request(url, {
            method: method === "HEAD" ? "GET" : method,
            headers,
            ...(body ? { body: body.stream, duplex: "half" } : {}),
          });
          response = await (await options.api()).handle(request);
        }
      } catch (error) {
        response = errorResponse(error, requestId);
      }
      body?.release();
      // A 405 says what the route takes (RFC 9110 §15.5.6).
      if (response.status === 405) res.setHeader("allow", allow);
      await send(res, response, requestId, fixed);
    }).catch((error: unknown) => {
      // Nothing above should throw; if writing the answer did, the connection is all that is left to end.
      logger.error({ err: error, request_id: requestId }, "runtime answer could not be written");
      res.destroy();
    });
    return true;
  };
}

/**
 * The request's headers as Fetch Headers, taken as Node's server takes them (`req.headers`: a repeated
 * Authorization, User-Agent, Host… keeps its first value, other repeated fields are joined) as Next does,
 * with X-Forwarded-For filled in as Next's server does.
 */
function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (value) for (const item of value) headers.append(name, item);
  }
  if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
  return headers;
}

/**
 * The request body as a Fetch stream, read as the handler pulls it. A handler that stops early (a body
 * over the limit answers 413 without reading on) cancels the stream: the rest is then read and thrown
 * away, as Node's server does with a body nobody read, instead of the socket being destroyed under a
 * client still sending (it would see a reset, not the 413). `release` does the same once the answer is
 * ready, so nothing is buffered for a stream no one reads.
 */
function requestBody(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; release: () => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const onData = (chunk: Buffer) => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => {
    if (open) controller.close();
    open = false;
  };
  const onError = (error: Error) => {
    if (open) controller.error(error);
    open = false;
  };
  const release = () => {
    if (!open) return;
    open = false;
    req.off("data", onData).off("end", onEnd).off("error", onError);
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.pause();
        req.on("data", onData).on("end", onEnd).on("error", onError);
      },
      pull() {
        req.resume();
      },
      cancel: release,
    },
    { highWaterMark: 1 },
  );
  return { stream, release };
}

async function send(res: ServerResponse, response: Response, requestId: string, fixed: [string, string][]): Promise<void> {
  let body: Buffer;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    // The handlers answer with whole JSON bodies; a body that cannot be read is ours to report.
    response = errorResponse(error, requestId);
    body = Buffer.from(await response.arrayBuffer());
  }
  if (res.destroyed) return;
  // Set one by one (not as writeHead's argument, which Node writes straight out without keeping), so the
  // request log (lib/http/request-log.ts) reads the request id back with getHeader like any answer's.
  response.headers.forEach((value, name) => res.setHeader(name, value));
  for (const [name, value] of fixed) res.setHeader(name, value);
  if (!res.hasHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, requestId);
  res.setHeader("content-length", body.byteLength);
  res.writeHead(response.status);
  res.end(body);
}

const LISTENER_KEY = Symbol.for("latchkey.runtimeListener");

/**
 * Hands the listener to server.mjs, which asks for it once Next has started Latchkey (instrumentation.ts →
 * lib/startup.ts). A global symbol, because server.mjs is not part of Next's bundle.
 */
export function installRuntimeListener(listener: RuntimeListener): void {
  (globalThis as Record<symbol, unknown>)[LISTENER_KEY] = listener;
}
