// The request log: one line per request with its id, route pattern, status and duration, never the query
// string; a client that hangs up is logged as 499; route labels come from Next's routes manifest so the
// metrics' label set stays bounded.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { metrics } from "@/lib/core/metrics";
import { CLIENT_CLOSED, observeRequests, routeMatcher } from "./request-log";

// The shape of .next/routes-manifest.json (Next 16), trimmed to a few of the app's routes.
const manifest = {
  staticRoutes: [
    { page: "/api/v1/secrets", regex: "^/api/v1/secrets(?:/)?$" },
    { page: "/signin", regex: "^/signin(?:/)?$" },
  ],
  dynamicRoutes: [
    { page: "/api/v1/secrets/[ref]", regex: "^/api/v1/secrets/([^/]+?)(?:/)?$" },
    { page: "/api/v1/secrets/[ref]/meta", regex: "^/api/v1/secrets/([^/]+?)/meta(?:/)?$" },
  ],
};

describe("routeMatcher", () => {
  it("names each path by its route pattern", () => {
    const match = routeMatcher(manifest);
    expect(match("/api/v1/secrets")).toBe("/api/v1/secrets");
    expect(match("/api/v1/secrets/user.spotify_api_key")).toBe("/api/v1/secrets/[ref]");
    expect(match("/api/v1/secrets/org.x/meta")).toBe("/api/v1/secrets/[ref]/meta");
    expect(match("/_next/static/chunks/app.js")).toBe("/_next/static");
    expect(match("/wp-login.php")).toBe("(unmatched)");
    expect(routeMatcher(manifest, new Set(["/favicon.svg"]))("/favicon.svg")).toBe("/favicon.svg");
    expect(routeMatcher(null)("/signin")).toBe("(unknown)");
  });
});

describe("observeRequests", () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  let draining = false;
  const observer = observeRequests(log, { match: routeMatcher(manifest), draining: () => draining });
  const hung: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    // What proxy.ts does for every answer.
    res.setHeader("x-request-id", "3f0c1d9e-7b1a-4c8e-9f3a-2d4b6e8a0c11");
    if (req.url?.startsWith("/api/v1/secrets/user.hang")) return void hung.push(res);
    res.writeHead(req.url?.startsWith("/signin") ? 200 : 404).end();
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const waitForLines = async (n: number) => {
    while (lines.length < n) await new Promise((resolve) => setImmediate(resolve));
  };

  it("logs one line per request with its id, route, status and duration, without the query string", async () => {
    const base = await listening;
    const before = await metrics().httpRequests.get();
    const count = (snapshot: typeof before) =>
      snapshot.values.find((v) => v.labels.route === "/api/v1/secrets/[ref]" && v.labels.status === "404")?.value ?? 0;
    const response = await fetch(`${base}/api/v1/secrets/user.spotify_api_key?code=AUTHCODE&state=s3cret`);
    expect(response.status).toBe(404);
    await waitForLines(1);
    const line = lines.at(-1);
    expect(line).toMatchObject({
      msg: "request",
      request_id: "3f0c1d9e-7b1a-4c8e-9f3a-2d4b6e8a0c11",
      method: "GET",
      path: "/api/v1/secrets/user.spotify_api_key",
      route: "/api/v1/secrets/[ref]",
      status: 404,
    });
    expect(typeof line?.duration_ms).toBe("number");
    expect(JSON.stringify(line)).not.toContain("AUTHCODE");
    expect(count(await metrics().httpRequests.get()) - count(before)).toBe(1);
  });

  it("asks keep-alive clients to close their connection once the server is draining", async () => {
    const base = await listening;
    expect((await fetch(`${base}/signin`)).headers.get("connection")).toBe("keep-alive");
    draining = true;
    expect((await fetch(`${base}/signin`)).headers.get("connection")).toBe("close");
    draining = false;
  });

  it("logs a request whose client hung up as 499 and counts it in flight until then", async () => {
    const base = await listening;
    const seen = lines.length;
    const url = new URL(`${base}/api/v1/secrets/user.hang`);
    const request = http.get(url);
    request.on("error", () => {});
    while (hung.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(observer.inFlight()).toBe(1);
    request.destroy();
    await once(hung[0] as http.ServerResponse, "close");
    await waitForLines(seen + 1);
    expect(lines.at(-1)).toMatchObject({ path: "/api/v1/secrets/user.hang", status: CLIENT_CLOSED });
    expect(observer.inFlight()).toBe(0);
    expect(observer.servers().has(server)).toBe(true);
  });
});
