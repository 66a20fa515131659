// The /api/v1/publisher route handlers, called directly with Request objects over a test database:
// the same rules as the dashboard, and refusals for another publisher's token, a revoked token and an
// anonymous caller on every route.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor } from "@/lib/auth/actor";
import type { Database } from "@/lib/db/client";
import { auditEvents, extensions, publisherMembers, publishers, users } from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { createApiToken, revokeApiToken } from "./api-tokens";
import { and, eq } from "drizzle-orm";
import { parseEnv } from "@/lib/env";
import { buildRequestGuards, type RequestGuards } from "@/lib/http/rate-limit";

const zoomYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/zoom-partner-credentials.yaml"), "utf8");
const EXT = "dev.mycompany.zoom-integration";
const SECRET = "api-secret-value-7Hq";

let database: TestDatabase;
let patToken: string;
let rivalToken: string;
let revokedToken: string;

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
let routes: {
  me: { GET: Route };
  manifests: { POST: Route };
  list: { GET: Route };
  credentials: { GET: Route };
  credential: { PUT: Route; DELETE: Route };
  publish: { POST: Route };
};

function call(
  route: Route,
  method: string,
  url: string,
  token: string | null,
  params: Record<string, string> = {},
  body?: string,
  type = "application/json",
) {
  const headers: Record<string, string> = { "user-agent": "vitest", "x-latchkey-client": "cli" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = type;
  return route(new Request(`http://latchkey.test/api/v1/publisher${url}`, { method, headers, body }), { params: Promise.resolve(params) });
}

beforeAll(async () => {
  database = await openTestDatabase();
  const { vault } = buildVault(database.db, await localKeyring());
  // The handlers reach the database and vault through getDb()/getVault(); hand them this test's.
  const slots = globalThis as unknown as { latchkeyDb?: Promise<Database>; latchkeyVault?: Promise<Vault> };
  slots.latchkeyDb = Promise.resolve(database);
  slots.latchkeyVault = Promise.resolve(vault);
  // The default limits, counted in memory (this file's refusals stay well under them).
  (globalThis as unknown as { latchkeyRequestGuards?: Promise<RequestGuards> }).latchkeyRequestGuards = Promise.resolve(
    buildRequestGuards(parseEnv({})),
  );
  routes = {
    me: await import("@/app/api/v1/publisher/me/route"),
    manifests: await import("@/app/api/v1/publisher/manifests/route"),
    list: await import("@/app/api/v1/publisher/extensions/route"),
    credentials: await import("@/app/api/v1/publisher/extensions/[ext]/credentials/route"),
    credential: await import("@/app/api/v1/publisher/extensions/[ext]/credentials/[key]/route"),
    publish: await import("@/app/api/v1/publisher/extensions/[ext]/publish/route"),
  } as unknown as typeof routes;

  const db = database.db;
  const [acme] = await db.insert(publishers).values({ slug: "acme", name: "Acme" }).returning();
  const [rival] = await db.insert(publishers).values({ slug: "rival", name: "Rival" }).returning();
  const [pat] = await db.insert(users).values({ email: "pat@acme.example", name: "Pat" }).returning();
  const [mallory] = await db.insert(users).values({ email: "mallory@rival.example", name: "Mallory" }).returning();
  if (!acme || !rival || !pat || !mallory) throw new Error("seed failed");
  await db.insert(publisherMembers).values([
    { publisherId: acme.id, userId: pat.id },
    { publisherId: rival.id, userId: mallory.id },
  ]);
  const source = { kind: "ui" as const };
  const patActor = await loadUserActor(db, pat.id);
  const malloryActor = await loadUserActor(db, mallory.id);
  if (!patActor || !malloryActor) throw new Error("actors missing");
  patToken = (await createApiToken(db, { actor: patActor, source }, { publisherId: acme.id, name: "ci" })).token;
  rivalToken = (await createApiToken(db, { actor: malloryActor, source }, { publisherId: rival.id, name: "rival" })).token;
  const revoked = await createApiToken(db, { actor: patActor, source }, { publisherId: acme.id, name: "old" });
  await revokeApiToken(db, { actor: patActor, source }, { publisherId: acme.id, tokenId: revoked.id });
  revokedToken = revoked.token;
});

afterAll(async () => {
  await database?.close();
});

describe("the publisher API", () => {
  it("runs the Zoom journey with the dashboard's rules and messages", async () => {
    const me = await call(routes.me.GET, "GET", "/me", patToken);
    expect(await me.json()).toEqual({ user: { name: "Pat", email: "pat@acme.example" }, publisher: { slug: "acme", name: "Acme" } });

    const bad = await call(
      routes.manifests.POST,
      "POST",
      "/manifests",
      patToken,
      {},
      zoomYaml.replace("ext.zoom_client_id", "ext.zoom_client_idd"),
      "application/yaml",
    );
    expect(bad.status).toBe(422);
    const badBody = await bad.json();
    expect(badBody.error.code).toBe("invalid_manifest");
    expect(badBody.error.details.errors[0]).toMatchObject({ path: "setup[0].secrets.fields[0].obtain.client_id", line: 30, column: 24 });

    const pushed = await call(routes.manifests.POST, "POST", "/manifests", patToken, {}, zoomYaml, "application/yaml");
    expect(pushed.status).toBe(201);
    expect((await pushed.json()).extension).toMatchObject({ slug: EXT, status: "draft" });

    const blocked = await call(routes.publish.POST, "POST", `/extensions/${EXT}/publish`, patToken, { ext: EXT });
    expect(blocked.status).toBe(409);
    expect(await blocked.json()).toEqual({
      error: {
        code: "publish_blocked",
        message:
          "Missing required partner credentials: Zoom OAuth Client ID, Zoom OAuth Client Secret.\nConfigure them in the Publisher Dashboard.",
        details: { missing: ["Zoom OAuth Client ID", "Zoom OAuth Client Secret"] },
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });

    for (const [key, value] of [
      ["zoom_client_id", "client-id-1"],
      ["zoom_client_secret", SECRET],
    ]) {
      const put = await call(
        routes.credential.PUT,
        "PUT",
        `/extensions/${EXT}/credentials/${key}`,
        patToken,
        { ext: EXT, key: key ?? "" },
        JSON.stringify({ value }),
      );
      expect(put.status).toBe(200);
      expect(await put.text()).not.toContain(value);
    }
    const list = await call(routes.credentials.GET, "GET", `/extensions/${EXT}/credentials`, patToken, { ext: EXT });
    const listText = await list.text();
    expect(listText).not.toContain(SECRET);
    expect(
      (JSON.parse(listText) as { credentials: { status: string; last_set_by: string }[] }).credentials.map((c) => [
        c.status,
        c.last_set_by,
      ]),
    ).toEqual([
      ["configured", "pat@acme.example"],
      ["configured", "pat@acme.example"],
    ]);

    const published = await call(routes.publish.POST, "POST", `/extensions/${EXT}/publish`, patToken, { ext: EXT });
    expect(published.status).toBe(200);
    expect((await published.json()).extension.status).toBe("published");

    // The refused publish above is audited too, as a failure (issue 12 item 10); these are the changes.
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.sourceKind, "cli"), eq(auditEvents.outcome, "success")));
    expect(events.map((e) => e.action)).toEqual(["manifest.upload", "secret.set", "secret.set", "extension.publish"]);
  });

  it("refuses another publisher's token, a revoked token and no token on every route", async () => {
    const attempts: [Route, string, string, Record<string, string>, string?][] = [
      [routes.credentials.GET, "GET", `/extensions/${EXT}/credentials`, { ext: EXT }],
      [
        routes.credential.PUT,
        "PUT",
        `/extensions/${EXT}/credentials/zoom_client_id`,
        { ext: EXT, key: "zoom_client_id" },
        JSON.stringify({ value: "stolen" }),
      ],
      [routes.credential.DELETE, "DELETE", `/extensions/${EXT}/credentials/zoom_client_id`, { ext: EXT, key: "zoom_client_id" }],
      [routes.publish.POST, "POST", `/extensions/${EXT}/publish`, { ext: EXT }],
    ];
    for (const [route, method, url, params, body] of attempts) {
      const rival = await call(route, method, url, rivalToken, params, body);
      expect(rival.status, `${method} ${url} with another publisher's token`).toBe(404);
      for (const token of [revokedToken, null, "lk_pub_forged"]) {
        const refused = await call(route, method, url, token, params, body);
        expect(refused.status, `${method} ${url} with ${token ?? "no token"}`).toBe(401);
        expect((await refused.json()).error.code).toBe("unauthenticated");
      }
    }
    const takeover = await call(
      routes.manifests.POST,
      "POST",
      "/manifests",
      rivalToken,
      {},
      zoomYaml.replace("1.0.0", "2.0.0"),
      "application/yaml",
    );
    expect(takeover.status).toBe(409);
    expect((await takeover.json()).error.code).toBe("extension_taken");
    const rivalList = await call(routes.list.GET, "GET", "/extensions", rivalToken);
    expect((await rivalList.json()).extensions).toEqual([]);
    for (const token of [revokedToken, null]) {
      expect((await call(routes.me.GET, "GET", "/me", token)).status).toBe(401);
      expect((await call(routes.manifests.POST, "POST", "/manifests", token, {}, zoomYaml, "application/yaml")).status).toBe(401);
      expect((await call(routes.list.GET, "GET", "/extensions", token)).status).toBe(401);
    }
    // Nothing the refused calls tried took effect.
    const ctx = { actor: { kind: "system" as const, id: "test" }, source: { kind: "worker" as const } };
    const slots = globalThis as unknown as { latchkeyVault: Promise<Vault> };
    const [ext] = await database.db.select().from(extensions).where(eq(extensions.slug, EXT));
    const value = await (
      await slots.latchkeyVault
    ).read(ctx, { extensionId: ext?.id ?? "", scope: "ext", ownerId: ext?.id ?? "", name: "zoom_client_id" });
    expect(value?.reveal()).toBe("client-id-1");
  });
  it("answers an extension reference that is not valid percent-encoding once decoded (%25ff) with 404, never a 500", async () => {
    // Next hands route handlers their segments decoded once: `/extensions/%25ff/…` arrives as "%ff".
    for (const [route, method] of [
      [routes.credentials.GET, "GET"],
      [routes.publish.POST, "POST"],
    ] as const) {
      const response = await call(route, method, "/extensions/%25ff/x", patToken, { ext: "%ff", key: "zoom_client_id" });
      expect(response.status).toBe(404);
      expect((await response.json()).error).toMatchObject({ code: "not_found", request_id: expect.any(String) });
    }
  });
});
