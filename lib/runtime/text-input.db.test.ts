// Issue 12, item 3, on the runtime API: a secret value is sealed bytes, so NUL bytes in it are stored and
// read back exactly; text from the request that is not a value (the ref in the path, the OAuth token
// request's provider and scopes) is answered with a 400 naming it, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { runtimeApi, type RuntimeApi } from "./api";
import type { RuntimeDeps } from "./deps";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { noConnections } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";
import { signRuntimeClaims } from "./tokens";

const BASE = "http://latchkey.test";
let database: TestDatabase;
let fx: RuntimeFixture;
let api: RuntimeApi;
let token: string;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await seedRuntimeFixture(database.db);
  const built = buildVault(database.db, await localKeyring());
  const deps: RuntimeDeps = {
    db: database.db,
    vault: built.vault,
    keys: new SigningKeys({ db: database.db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
  };
  api = runtimeApi(deps);
  token = (
    await signRuntimeClaims(deps.keys, BASE, {
      installationId: fx.alphaOrg1,
      extensionId: fx.alphaId,
      orgId: fx.org1,
      userId: fx.u1,
      ttlSeconds: 600,
    })
  ).token;
});
afterAll(async () => {
  await database.close();
});

const call = (method: string, path: string, body?: unknown) =>
  api.handle(
    new Request(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

describe("NUL in the runtime API", () => {
  it("stores a secret value with NUL bytes and reads it back byte for byte", async () => {
    const value = "\u0000rt\u0000with-nul\u0000";
    const put = await call("PUT", "/api/v1/secrets/user.refresh_token", { value });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ ref: "user.refresh_token", is_set: true });

    const read = await call("GET", "/api/v1/secrets/user.refresh_token");
    expect(read.status).toBe(200);
    const body = (await read.json()) as { value: string };
    expect(body.value).toBe(value);
    expect(Buffer.from(body.value, "utf8")).toEqual(Buffer.from([0, 0x72, 0x74, 0, ...Buffer.from("with-nul"), 0]));
    const meta = (await (await call("GET", "/api/v1/secrets/user.refresh_token/meta")).json()) as { byte_length: number };
    expect(meta.byte_length).toBe(13);
  });

  it("answers a NUL in the secret reference with 400 invalid_secret_ref, not a 500", async () => {
    for (const path of ["/api/v1/secrets/user.api%00key", "/api/v1/secrets/%00", "/api/v1/secrets/user.api_key%00/meta"]) {
      const response = await call("GET", path);
      expect(response.status, path).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("invalid_secret_ref");
    }
    const put = await call("PUT", "/api/v1/secrets/org.webhook%00secret", { value: "x" });
    expect(put.status).toBe(400);
  });

  it("answers a NUL in the OAuth token request's provider or scopes with 400 invalid_request naming it", async () => {
    const provider = await call("POST", "/api/v1/oauth/token", { provider: "my-oauth\u0000" });
    expect(provider.status).toBe(400);
    expect(await provider.json()).toMatchObject({
      error: { code: "invalid_request", message: "provider contains a NUL character (U+0000), which cannot be stored." },
    });
    const scopes = await call("POST", "/api/v1/oauth/token", { provider: "my-oauth", scopes: ["calendar.read\u0000"] });
    expect(scopes.status).toBe(400);
    expect(await scopes.json()).toMatchObject({
      error: { code: "invalid_request", message: expect.stringMatching(/^scopes contains a NUL/) },
    });
  });
});
