// A setup wizard's test step calls the extension's check endpoint with a runtime token for the
// installation and person, and reports its answer. It calls nothing but a path on the extension's own
// base_url (refused at upload, and again at run time for versions stored before), reaches no private,
// loopback or link-local address unless development allows it, and sends a token good for nothing else.
import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { extensionVersions, extensions, installations, organizations, publishers, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { formatManifestError, type ManifestError } from "@/lib/manifest";
import { runtimeApi } from "@/lib/runtime/api";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { mintRuntimeToken } from "@/lib/runtime/dispatch";
import { noConnections } from "@/lib/runtime/oauth-broker";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { verifyRuntimeToken } from "@/lib/runtime/tokens";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { CHECK_TOKEN_TTL_SECONDS, runCheckStep } from "@/lib/runtime/check-step";
import { uploadManifest } from "@/lib/extensions/upload-manifest";

let database: TestDatabase;
let deps: RuntimeDeps;
let eve: UserActor;
let pat: UserActor;
/** The extension's own check server, on 127.0.0.1. */
let server: http.Server;
/** Another host on the machine (127.0.0.2) that a check must never reach. */
let other: http.Server;
let seen: { path: string; authorization: string }[] = [];
let otherSeen: string[] = [];
let answer = { status: 200, body: '{"ok":true,"plan":"pro"}' };
const installationFor: Record<string, string> = {};
const source = { kind: "ui" as const };
const development = { allowPrivateAddresses: true };
const port = (s: http.Server) => (s.address() as AddressInfo).port;

/** Stores a version directly, as an old version validated by earlier rules would be stored. */
async function install(tag: string, baseUrl: string | null, endpoint = "/health") {
  const { db } = database;
  const [publisher] = await db.select().from(publishers).limit(1);
  const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: `dev.test.check-${tag}`, name: `Check ${tag}`, status: "published" })
    .returning();
  const manifest = {
    extension: { id: `dev.test.check-${tag}`, name: `Check ${tag}`, version: "1.0.0", ...(baseUrl ? { base_url: baseUrl } : {}) },
    secrets: [{ name: "weather_api_key", description: "Your weather API key.", max_bytes: 100 }],
    setup: [{ test: { endpoint, success_message: "Connected to the weather service." } }],
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

const manifestWithEndpoint = (endpoint: string) => `model_version: "1.0"
extension:
  id: dev.acme.weather-check
  name: Weather
  version: 1.0.0
  base_url: http://127.0.0.1:4000
setup:
  - test:
      endpoint: ${endpoint}
`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization ?? "" });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  other = http.createServer((req, res) => {
    otherSeen.push(`${req.url ?? ""} ${req.headers.authorization ?? ""}`);
    res.writeHead(200).end("instance secrets");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.2", resolve));
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
  const actor = async (demoKey: string) => {
    const [u] = await database.db.select().from(users).where(eq(users.demoKey, demoKey));
    return (await loadUserActor(database.db, u?.id ?? "")) as UserActor;
  };
  eve = await actor("enduser");
  pat = await actor("publisher");
  await install("local", `http://127.0.0.1:${port(server)}/ext`);
  await install("localhost", `http://localhost:${port(server)}`);
  await install("none", null);
  await install("plain-http", "http://weather.example.com");
  await install("other-host", `http://127.0.0.1:${port(server)}`, `//127.0.0.2:${port(other)}/x`);
  await install("metadata", `http://127.0.0.1:${port(server)}`, "//169.254.169.254/latest/meta-data/iam/security-credentials/");
  await install("tab", `http://127.0.0.1:${port(server)}`, `/\t/127.0.0.2:${port(other)}/x`);
});
beforeEach(() => {
  seen = [];
  otherSeen = [];
  answer = { status: 200, body: '{"ok":true,"plan":"pro"}' };
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => other.close(() => resolve()));
  await database.close();
});

describe("the setup wizard's test step", () => {
  it("calls the check endpoint with a 30-second token for this installation and person that carries only the check scope", async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0, development);
    expect(result).toEqual({ ok: true, status: 200, message: "Connected to the weather service.", body: '{"ok":true,"plan":"pro"}' });
    expect(seen.map((s) => s.path)).toEqual(["/ext/health"]);
    const token = seen[0]?.authorization.replace(/^Bearer /, "") ?? "";
    const identity = await verifyRuntimeToken(deps.keys, token, { issuer: deps.baseUrl });
    expect(identity).toMatchObject({ installationId: installationFor.local, userId: eve.userId, scopes: ["check"] });
    expect(CHECK_TOKEN_TTL_SECONDS).toBe(30);
    expect(identity.expiresAt.getTime() / 1000).toBeLessThanOrEqual(before + 1 + CHECK_TOKEN_TTL_SECONDS);
  });

  it("gives the check token nothing in the runtime API: every secret, OAuth and readiness route answers 403 insufficient_scope", async () => {
    await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0, development);
    const checkToken = seen[0]?.authorization ?? "";
    const api = runtimeApi(deps);
    const call = (method: string, path: string, authorization: string, body?: unknown) =>
      api.handle(
        new Request(`${deps.baseUrl}${path}`, {
          method,
          headers: { authorization, "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/v1/secrets/user.weather_api_key"],
      ["GET", "/api/v1/secrets/user.weather_api_key/meta"],
      ["GET", "/api/v1/secrets"],
      ["PUT", "/api/v1/secrets/user.weather_api_key", { value: "wk-from-a-check" }],
      ["DELETE", "/api/v1/secrets/user.weather_api_key"],
      ["POST", "/api/v1/oauth/token", { provider: "zoom" }],
      ["GET", "/api/v1/readiness"],
    ];
    for (const [method, path, body] of routes) {
      const response = await call(method, path, checkToken, body);
      expect([method, path, response.status]).toEqual([method, path, 403]);
      expect((await response.json()).error.code).toBe("insufficient_scope");
    }
    // The same read with an ordinary dispatch token reaches the vault (the secret is simply unset).
    const { token } = await mintRuntimeToken(deps, { installationId: installationFor.local ?? "", userId: eve.userId });
    const read = await call("GET", "/api/v1/secrets/user.weather_api_key", `Bearer ${token}`);
    expect([read.status, (await read.json()).error.code]).toEqual([404, "secret_not_set"]);
  });

  it("reports a failing check with its status and body", async () => {
    answer = { status: 503, body: "weather service down" };
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0, development);
    expect(result).toMatchObject({ ok: false, status: 503, message: "The check failed with HTTP 503.", body: "weather service down" });
  });

  it("reads at most 2 KB of the answer", async () => {
    answer = { status: 200, body: "x".repeat(10_000) };
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0, development);
    expect(result.body).toBe("x".repeat(2048));
  });

  it("says why when there is no base_url or it is plain HTTP off loopback, calling nothing", async () => {
    expect(await runCheckStep(deps, { actor: eve, source }, installationFor.none ?? "", 0, development)).toMatchObject({
      ok: false,
      message: expect.stringContaining("does not declare extension.base_url"),
    });
    expect(await runCheckStep(deps, { actor: eve, source }, installationFor["plain-http"] ?? "", 0, development)).toMatchObject({
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

describe("an endpoint that leaves the extension's origin (issue 12, item 2)", () => {
  it.each([
    ["//127.0.0.2/x", "must be a path such as /health; a leading // names another host"],
    ["//169.254.169.254/latest/meta-data/iam/security-credentials/", "must be a path such as /health; a leading // names another host"],
    ["/health/../../admin", "must not contain .. segments"],
    ['"/\\t/127.0.0.2/x"', "must not contain control characters (tab, newline, NUL …)"],
  ])("is refused at upload: %s", async (endpoint, message) => {
    const refusal = await uploadManifest(database.db, { actor: pat, source }, { yaml: manifestWithEndpoint(endpoint) }).then(
      () => null,
      (error: { code: string; details: { manifestErrors: ManifestError[] } }) => error,
    );
    expect(refusal?.code).toBe("invalid_manifest");
    expect(refusal?.details.manifestErrors.map(formatManifestError)).toEqual([`setup[0].test.endpoint (line 9:17): ${message}`]);
  });

  it("stored by an older version, is refused at run time and nothing reaches the other host", async () => {
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor["other-host"] ?? "", 0, development);
    expect(result).toEqual({
      ok: false,
      status: null,
      message: `This version's check endpoint ("//127.0.0.2:${port(other)}/x") is not a path on http://127.0.0.1:${port(server)}: it must be a path such as /health; a leading // names another host. Nothing was called; the publisher must fix the manifest.`,
      body: "",
    });
    const tab = await runCheckStep(deps, { actor: eve, source }, installationFor.tab ?? "", 0, development);
    expect(tab).toMatchObject({ ok: false, status: null, message: expect.stringContaining("must not contain control characters") });
    expect(otherSeen).toEqual([]);
    expect(seen).toEqual([]);
    // The listener on 127.0.0.2 does answer when called: its silence above is the refusal, not a dead host.
    expect((await fetch(`http://127.0.0.2:${port(other)}/probe`)).status).toBe(200);
    expect(otherSeen).toEqual(["/probe "]);
  });

  it("refuses the metadata service's address the same way", async () => {
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.metadata ?? "", 0, development);
    expect(result).toMatchObject({
      ok: false,
      status: null,
      message: expect.stringContaining('check endpoint ("//169.254.169.254/latest/meta-data/iam/security-credentials/") is not a path on'),
    });
    expect(seen).toEqual([]);
  });
});

describe("outside development", () => {
  it("refuses a base_url whose name resolves to a loopback address, sending nothing", async () => {
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.localhost ?? "", 0, { allowPrivateAddresses: false });
    expect(result).toEqual({
      ok: false,
      status: null,
      message: `localhost:${port(server)} resolves to a private, loopback, link-local or metadata address, which Latchkey calls only in development. Nothing was sent.`,
      body: "",
    });
    expect(seen).toEqual([]);
  });

  it("refuses a loopback address literal too, and is the default", async () => {
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.local ?? "", 0);
    expect(result).toMatchObject({
      ok: false,
      message: `127.0.0.1:${port(server)} resolves to a private, loopback, link-local or metadata address, which Latchkey calls only in development. Nothing was sent.`,
    });
    expect(seen).toEqual([]);
  });

  it("in development, reaches the same extension through its name", async () => {
    const result = await runCheckStep(deps, { actor: eve, source }, installationFor.localhost ?? "", 0, development);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen.map((s) => s.path)).toEqual(["/health"]);
  });
});
