// The runtime API's lean path (server.mjs → node-listener.ts) adds, over real HTTP, what proxy.ts and
// next.config.ts add on the Next path: security headers, the request id, the malformed-path answer, the
// client address; it takes only the runtime routes; and a body over the limit is answered 413 on a
// connection that stays usable. The API's own behaviour over this path is api.db.test.ts's, run both ways.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { auditEvents } from "@/lib/db/schema";
import { PERMISSIONS_POLICY } from "@/lib/http/security-headers";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { buildVault, localKeyring, uiContext } from "@/test/vault";
import type { ReadRecorder } from "@/lib/audit/read-recorder";
import { runtimeApi, MAX_BODY_BYTES } from "./api";
import type { RuntimeDeps } from "./deps";
import { runtimeListener } from "./node-listener";
import { noConnections } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";
import { signRuntimeClaims } from "./tokens";

const BASE = "https://latchkey.test";
let database: TestDatabase;
let fx: RuntimeFixture;
let deps: RuntimeDeps;
let reads: ReadRecorder;
let token: string;
const servers: http.Server[] = [];
// The request id each answer carried as the server kept it (getHeader), which the request log reads.
const loggedIds: unknown[] = [];

/**
 * A loopback server whose listener is the lean path over an API configured for `trustedProxyHops` (as the
 * app configures both from LATCHKEY_TRUSTED_PROXY_HOPS), answering 418 for what it leaves to Next.
 */
async function serve(trustedProxyHops: number): Promise<string> {
  const api = runtimeApi({ ...deps, trustedProxyHops });
  const listener = runtimeListener({ api: async () => api, baseUrl: BASE, trustedProxyHops });
  const server = http.createServer((req, res) => {
    res.once("finish", () => loggedIds.push(res.getHeader("x-request-id")));
    if (!listener(req, res)) res.writeHead(418).end("left to Next");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await seedRuntimeFixture(database.db);
  const built = buildVault(database.db, await localKeyring());
  reads = built.reads;
  const keys = new SigningKeys({ db: database.db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 });
  deps = { db: database.db, vault: built.vault, keys, baseUrl: BASE, tokenTtlSeconds: 600, oauth: noConnections };
  await built.vault.set(
    uiContext(fx.u1),
    { extensionId: fx.alphaId, scope: "user", ownerId: fx.u1, name: "api_key" },
    SecretValue.from("u1-alpha-key"),
  );
  const claims = { installationId: fx.alphaOrg1, extensionId: fx.alphaId, orgId: fx.org1, userId: fx.u1, ttlSeconds: 600 };
  token = (await signRuntimeClaims(keys, BASE, claims)).token;
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await database.close();
});

describe(`the runtime API's lean path on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("sends the API's security headers and the request id with every answer, success or error", async () => {
    const origin = await serve(0);
    const ok = await fetch(`${origin}/api/v1/secrets/user.api_key`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await fetch(`${origin}/api/v1/secrets/user.api_key`);
    expect(await ok.json()).toEqual({ ref: "user.api_key", value: "u1-alpha-key" });
    const error = ((await refused.json()) as { error: { code: string; request_id: string } }).error;
    expect(error.code).toBe("invalid_token");
    for (const response of [ok, refused]) {
      expect(Object.fromEntries(response.headers)).toMatchObject({
        "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        "strict-transport-security": "max-age=63072000; includeSubDomains",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "permissions-policy": PERMISSIONS_POLICY,
        "cache-control": "no-store",
        "content-type": "application/json",
      });
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(refused.headers.get("x-request-id")).toBe(error.request_id);
    expect(loggedIds.slice(-2)).toEqual([ok.headers.get("x-request-id"), error.request_id]);
  });

  it("keeps a client's x-request-id only behind a trusted proxy, as proxy.ts does", async () => {
    const headers = { "x-request-id": "client-chosen-id-123" };
    const direct = await fetch(`${await serve(0)}/api/v1/secrets`, { headers });
    const proxied = await fetch(`${await serve(1)}/api/v1/secrets`, { headers });
    expect(direct.headers.get("x-request-id")).not.toBe("client-chosen-id-123");
    expect(proxied.headers.get("x-request-id")).toBe("client-chosen-id-123");
    expect(((await proxied.json()) as { error: { request_id: string } }).error.request_id).toBe("client-chosen-id-123");
  });

  it("answers a path that is not percent-encoded UTF-8 with 400 invalid_request naming the segment", async () => {
    const response = await fetch(`${await serve(0)}/api/v1/secrets/%ff`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error).toMatchObject({ code: "invalid_request" });
    expect(error.message).toContain('"%ff" is not percent-encoded UTF-8');
  });

  it("takes the runtime routes, HEAD and OPTIONS as Next answers them, a wrong method with a JSON 405 and Allow", async () => {
    const origin = await serve(0);
    const answer = async (method: string, path: string) => {
      const response = await fetch(`${origin}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, allow: response.headers.get("allow"), text: await response.text() };
    };
    expect((await answer("GET", "/api/v1/secrets")).status).toBe(200);
    expect((await answer("GET", "/api/v1/secrets/user.api_key/meta")).status).toBe(200);
    expect((await answer("GET", "/api/v1/readiness")).status).toBe(200);
    expect((await answer("POST", "/api/v1/oauth/token")).status).toBe(415);
    expect((await answer("GET", "/.well-known/jwks.json")).status).toBe(200);
    expect(await answer("HEAD", "/.well-known/jwks.json")).toEqual({ status: 200, allow: null, text: "" });
    expect(await answer("HEAD", "/api/v1/secrets/user.api_key")).toEqual({ status: 200, allow: null, text: "" });
    expect(await answer("OPTIONS", "/api/v1/secrets/user.api_key")).toEqual({
      status: 204,
      allow: "GET, PUT, DELETE, HEAD, OPTIONS",
      text: "",
    });
    const patch = await answer("PATCH", "/api/v1/secrets/user.api_key");
    expect(patch).toMatchObject({ status: 405, allow: "GET, PUT, DELETE, HEAD, OPTIONS" });
    expect(JSON.parse(patch.text)).toMatchObject({ error: { code: "method_not_allowed" } });
    expect(await answer("GET", "/api/v1/oauth/token")).toMatchObject({ status: 405, allow: "POST, OPTIONS" });
    for (const path of [
      "/",
      "/signin",
      "/api/v1/secretsx",
      "/api/v1/secrets/a/b",
      "/api/v1/openapi.json",
      "/api/v1/publisher/extensions",
      "/api/v1/audit/events",
    ]) {
      expect((await answer("GET", path)).status, path).toBe(418);
    }
  });

  it("leaves to Next a path URL parsing would change, so no route answers for another", async () => {
    const origin = new URL(await serve(0));
    // Sent as written (fetch would normalize them first).
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ host: origin.hostname, port: origin.port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on("error", reject);
      });
    for (const path of [
      "/api/v1/secrets/..\\readiness",
      "/api/v1/secrets/user.api_key\\meta",
      "/api/v1/secrets/.",
      "/api/v1/secrets/..",
      "/api/v1/secrets/%2e%2e",
      "/api/v1/secrets/%2E",
    ]) {
      expect(await raw(path), path).toBe(418);
    }
    expect(await raw("/api/v1/secrets/user.api_key")).toBe(200);
  });

  it("takes repeated header fields as Node's server gives them to Next: the first Authorization and User-Agent", async () => {
    const origin = new URL(await serve(0));
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: origin.hostname,
            port: origin.port,
            path: "/api/v1/secrets/user.api_key",
            // A raw list of fields, each sent as written.
            headers: [
              "host",
              origin.host,
              "authorization",
              `Bearer ${token}`,
              "authorization",
              "Bearer second",
              "user-agent",
              "repeated-agent-one",
              "user-agent",
              "repeated-agent-two",
            ],
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on("error", reject);
    });
    expect(status).toBe(200);
    await reads.flush();
    const agents = await database.db
      .select({ agent: auditEvents.sourceUserAgent })
      .from(auditEvents)
      .where(eq(auditEvents.action, "secret.read"));
    expect(agents.map((a) => a.agent)).toContain("repeated-agent-one");
    expect(agents.map((a) => a.agent).some((a) => a?.includes("repeated-agent-two"))).toBe(false);
  });

  it("answers a body over the limit with 413 and keeps the connection usable", async () => {
    const origin = new URL(await serve(0));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = (method: string, path: string, body?: Buffer) =>
      new Promise<{ status: number; text: string; socket: unknown }>((resolve, reject) => {
        const req = http.request(
          {
            host: origin.hostname,
            port: origin.port,
            method,
            path,
            agent,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text, socket: req.socket }));
          },
        );
        req.on("error", reject);
        // Chunked, so only reading the body can tell it is too large.
        if (body) for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
        req.end();
      });
    const tooLarge = await request("PUT", "/api/v1/secrets/user.refresh_token", Buffer.alloc(MAX_BODY_BYTES * 2, "x"));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text)).toMatchObject({ error: { code: "payload_too_large" } });
    const next = await request("GET", "/api/v1/secrets/user.api_key");
    expect(next.status).toBe(200);
    expect(next.socket).toBe(tooLarge.socket);
    agent.destroy();
  });

  it("records the socket's address as the client behind one trusted proxy that sent none, as Next's server fills it in", async () => {
    const response = await fetch(`${await serve(1)}/api/v1/secrets/user.api_key`, {
      headers: { authorization: `Bearer ${token}`, "user-agent": "lean-path-address" },
    });
    expect(response.status).toBe(200);
    await reads.flush();
    const [event] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "secret.read"), eq(auditEvents.sourceUserAgent, "lean-path-address")));
    expect(event?.sourceIp).toBe("127.0.0.1");
  });
});
