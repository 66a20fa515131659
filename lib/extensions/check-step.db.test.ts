// A setup wizard's test step calls the extension's check endpoint with a runtime token for the
// installation and person, and reports its answer; it refuses to call anything but https (or loopback).
import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { extensionVersions, extensions, installations, organizations, publishers, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/db/seed-demo";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { noConnections } from "@/lib/runtime/oauth-broker";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { verifyRuntimeToken } from "@/lib/runtime/tokens";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { runCheckStep } from "./check-step";

let database: TestDatabase;
let deps: RuntimeDeps;
let eve: UserActor;
let server: http.Server;
let seen: { path: string; authorization: string }[] = [];
let answer = { status: 200, body: '{"ok":true,"plan":"pro"}' };
const installationFor: Record<string, string> = {};
const source = { kind: "ui" as const };

async function install(baseUrl: string | null, tag: string) {
  const { db } = database;
  const [publisher] = await db.select().from(publishers).limit(1);
  const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: `dev.test.check-${tag}`, name: `Check ${tag}`, status: "published" })
    .returning();
  const manifest = {
    extension: { id: `dev.test.check-${tag}`, name: `Check ${tag}`, version: "1.0.0", ...(baseUrl ? { base_url: baseUrl } : {}) },
    setup: [{ test: { endpoint: "/health", success_message: "Connected to the weather service." } }],
  };
  const [version] = await db
    .insert(extensionVersions)
    .values({ extensionId: ext?.id ?? "", version: "1.0.0", manifestYaml: "", manifest, publishedAt: new Date() })
    .returning();
  const [row] = await db
    .insert(installations)
    .values({ extensionId: ext?.id ?? "", orgId: globex?.id ?? "", versionId: version?.id ?? "" })
    .returning();
  installationFor[tag] = row?.id ?? "";
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization ?? "" });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  database = await openTestDatabase();
  await seedDemo(database.db);
  const built = buildVault(database.db, await localKeyring(), { logger: pino({ level: "silent" }) });
  deps = {
    db: database.db,
    vault: built.vault,
    keys: new SigningKeys({ db: database.db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: "http://latchkey.test",
    tokenTtlSeconds: 600,
    oauth: noConnections,
  };
  const [u] = await database.db.select().from(users).where(eq(users.demoKey, "enduser"));
  eve = (await loadUserActor(database.db, u?.id ?? "")) as UserActor;
  await install(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ext`, "local");
  await install(null, "none");
  await install("http://weather.example.com", "plain-http");
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
});

describe("the setup wizard's test step", () => {
  it("calls the check endpoint with a runtime token for this installation and person, and shows the answer", async () => {
    seen = [];
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0);
    expect(result).toEqual({ ok: true, status: 200, message: "Connected to the weather service.", body: '{"ok":true,"plan":"pro"}' });
    expect(seen.map((s) => s.path)).toEqual(["/ext/health"]);
    const token = seen[0]?.authorization.replace(/^Bearer /, "") ?? "";
    const identity = await verifyRuntimeToken(deps.keys, token, { issuer: deps.baseUrl });
    expect(identity).toMatchObject({ installationId: installationFor.local, userId: eve.userId });
  });

  it("reports a failing check with its status and body", async () => {
    answer = { status: 503, body: "weather service down" };
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0);
    expect(result).toMatchObject({ ok: false, status: 503, message: "The check failed with HTTP 503.", body: "weather service down" });
  });

  it("says why when there is no base_url or it is plain HTTP off loopback, calling nothing", async () => {
    seen = [];
    expect(await runCheckStep(deps, { actor: eve, source }, installationFor.none ?? "", 0)).toMatchObject({
      ok: false,
      message: expect.stringContaining("does not declare extension.base_url"),
    });
    expect(await runCheckStep(deps, { actor: eve, source }, installationFor["plain-http"] ?? "", 0)).toMatchObject({
      ok: false,
      message: expect.stringContaining("must be an https URL"),
    });
    expect(seen).toEqual([]);
  });

  it("is only for members of the installation's organization", async () => {
    const [u] = await database.db.select().from(users).where(eq(users.demoKey, "enduser2"));
    const uma = (await loadUserActor(database.db, u?.id ?? "")) as UserActor;
    await expect(runCheckStep(deps, { actor: uma, source }, installationFor.local ?? "", 0)).rejects.toMatchObject({ code: "not_found" });
  });
});
