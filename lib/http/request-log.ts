// One structured log line and the request metrics for every HTTP request the server answers: pages,
// route handlers, server actions, Next's own 404s and redirects alike. Next's proxy (proxy.ts) runs before
// the handler and sees no response, and Next offers no after-response hook there, so this listens one
// level down: Node's `http.server.request.start` diagnostics channel (a stable Node API, the one APM
// agents use) hands over every request with its response, and the response's `close` gives the status
// and the duration. The request id is the `x-request-id` response header proxy.ts sets on every answer.
// The route label is the app's route pattern (e.g. /api/v1/secrets/[ref]) matched from Next's own
// routes-manifest.json, so the metrics' label set stays bounded whatever paths clients send.
import diagnostics from "node:diagnostics_channel";
import fs from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import path from "node:path";
import type { Logger } from "pino";
import { metrics } from "@/lib/core/metrics";
import { REQUEST_ID_HEADER } from "@/lib/core/request-context";

/** Paths probed every second or so by load balancers and Prometheus: logged at debug level only. */
const PROBES = new Set(["/api/health", "/api/ready", "/api/metrics"]);
/** Status logged for a request whose client went away before the response was complete (nginx's 499). */
export const CLIENT_CLOSED = 499;

interface ManifestRoute {
  page: string;
  regex: string;
}

/** Maps a request path to its route pattern. */
export type RouteMatcher = (pathname: string) => string;

/**
 * A matcher over Next's routes manifest (`<distDir>/routes-manifest.json`: static routes, then dynamic
 * ones in Next's own matching order). Build files are "/_next/static" (and "/_next/image"), a file of
 * public/ is its own path (a fixed set); a path nothing matches is "(unmatched)"; without a manifest (a
 * dev server before its first build) every path is "(unknown)".
 */
export function routeMatcher(
  manifest: { staticRoutes?: ManifestRoute[]; dynamicRoutes?: ManifestRoute[] } | null,
  publicFiles: ReadonlySet<string> = new Set(),
): RouteMatcher {
  if (!manifest) return () => "(unknown)";
  const routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => ({
    page: r.page,
    regex: new RegExp(r.regex),
  }));
  return (pathname) => {
    if (pathname.startsWith("/_next/static/")) return "/_next/static";
    if (pathname.startsWith("/_next/image")) return "/_next/image";
    if (publicFiles.has(pathname)) return pathname;
    for (const route of routes) if (route.regex.test(pathname)) return route.page;
    return "(unmatched)";
  };
}

/** The URL paths of the files in `dir` (public/), e.g. "/favicon.svg". */
function publicPaths(dir: string): Set<string> {
  if (!fs.existsSync(dir)) return new Set();
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Set(files.map((entry) => `/${path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/")}`));
}

/** Reads the routes manifest of the running build (NEXT_DIST_DIR, the standalone server's distDir, or .next) and public/. */
export function loadRouteMatcher(cwd = process.cwd()): RouteMatcher {
  const standalone = process.env.__NEXT_PRIVATE_STANDALONE_CONFIG;
  let standaloneDist: string | undefined;
  try {
    standaloneDist = standalone ? (JSON.parse(standalone) as { distDir?: string }).distDir : undefined;
  } catch {
    standaloneDist = undefined;
  }
  for (const dist of [process.env.NEXT_DIST_DIR, standaloneDist, ".next"]) {
    if (!dist) continue;
    const file = path.resolve(cwd, dist, "routes-manifest.json");
    if (fs.existsSync(file)) {
      return routeMatcher(
        JSON.parse(fs.readFileSync(file, "utf8")) as Parameters<typeof routeMatcher>[0],
        publicPaths(path.resolve(cwd, "public")),
      );
    }
  }
  return routeMatcher(null);
}

/** The request log's view of one finished request. */
export interface FinishedRequest {
  method: string;
  path: string;
  route: string;
  status: number;
  durationMs: number;
  requestId: string | undefined;
}

/** Logs and counts one finished request (split out so tests can call it without a server). */
export function recordRequest(log: Logger, request: FinishedRequest): void {
  const seconds = request.durationMs / 1000;
  const labels = { method: request.method, route: request.route, status: String(request.status) };
  const m = metrics();
  m.httpRequests.inc(labels);
  m.httpDuration.observe(labels, seconds);
  const quiet = PROBES.has(request.path) || request.route === "/_next/static";
  log[quiet ? "debug" : "info"](
    {
      request_id: request.requestId,
      method: request.method,
      path: request.path,
      route: request.route,
      status: request.status,
      duration_ms: Math.round(request.durationMs * 10) / 10,
    },
    "request",
  );
}

/** What the observer knows about the server it watches, for a graceful shutdown. */
export interface RequestObserver {
  /** Requests started and not yet answered (or abandoned by their client). */
  inFlight(): number;
  /** The HTTP servers requests arrived on (Next does not hand its own out). */
  servers(): Set<Server>;
}

const globalForObserver = globalThis as unknown as { latchkeyRequestObserver?: RequestObserver };

/**
 * Starts logging and counting every request of this process (once: later calls return the same observer).
 * The query string is never logged: OAuth callbacks carry codes and state in it. While `draining` says
 * so (a shutdown has begun), every answer carries `Connection: close`: a client on a keep-alive
 * connection moves to another instance, and the server's close, which waits for its connections, ends.
 */
export function observeRequests(log: Logger, options: { match?: RouteMatcher; draining?: () => boolean } = {}): RequestObserver {
  if (globalForObserver.latchkeyRequestObserver) return globalForObserver.latchkeyRequestObserver;
  const match = options.match ?? loadRouteMatcher();
  let inFlight = 0;
  const servers = new Set<Server>();
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, response, server } = message as { request: IncomingMessage; response: ServerResponse; server: Server };
    servers.add(server);
    inFlight++;
    if (options.draining?.()) response.shouldKeepAlive = false;
    const started = performance.now();
    response.once("close", () => {
      inFlight--;
      const pathname = pathOf(request.url);
      const header = response.getHeader(REQUEST_ID_HEADER);
      recordRequest(log, {
        method: request.method ?? "GET",
        path: pathname,
        route: match(pathname),
        status: response.writableFinished ? response.statusCode : CLIENT_CLOSED,
        durationMs: performance.now() - started,
        requestId: typeof header === "string" ? header : undefined,
      });
    });
  });
  globalForObserver.latchkeyRequestObserver = { inFlight: () => inFlight, servers: () => servers };
  return globalForObserver.latchkeyRequestObserver;
}

/** The path of a request target, without its query; what cannot be parsed is logged as given, cut short. */
function pathOf(url: string | undefined): string {
  const target = url ?? "/";
  const end = target.search(/[?#]/);
  return (end === -1 ? target : target.slice(0, end)).slice(0, 512);
}
