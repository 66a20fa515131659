// Issue 12 item 6: with the KMS down, no answer carries the KMS key's ARN, the SDK's error or any other
// internal detail: every error is a stable code, a human message and the request id that names the
// log lines where the detail went.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { runtimeApi } from "@/lib/runtime/api";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { noConnections } from "@/lib/runtime/oauth-broker";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { signRuntimeClaims } from "@/lib/runtime/tokens";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { startFakeKms, type FakeKmsServer } from "@/test/kms-server";
import { buildVault, kmsKeyring, uiContext } from "@/test/vault";
import { formError } from "./action";
import { errorResponse } from "./respond";

const BASE = "http://latchkey.test";
let database: TestDatabase;
let kms: FakeKmsServer;
let endpoint: string;
let keyId: string;
let fx: RuntimeFixture;
let token: string;

// What must never reach a caller: the key's identifier, the SDK's wording, our own internal wording.
const INTERNAL = /arn:aws|kms|TimeoutError|ECONNRESET|socket|Decrypt|GenerateDataKey|stack/i;

function deps(): RuntimeDeps {
  const built = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
  return {
    db: database.db,
    vault: built.vault,
    keys: new SigningKeys({ db: database.db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
  };
}

beforeAll(async () => {
  database = await openTestDatabase();
  ({ server: kms, endpoint } = await startFakeKms());
  keyId = kms.createKey();
  fx = await seedRuntimeFixture(database.db);
  const warm = deps();
  await warm.vault.set(
    uiContext(fx.u1),
    { extensionId: fx.alphaId, scope: "user", ownerId: fx.u1, name: "api_key" },
    SecretValue.from("u1-alpha-key"),
  );
  token = (
    await signRuntimeClaims(warm.keys, BASE, {
      installationId: fx.alphaOrg1,
      extensionId: fx.alphaId,
      orgId: fx.org1,
      userId: fx.u1,
      ttlSeconds: 600,
    })
  ).token;
});
afterAll(async () => {
  kms.setDown(false);
  await kms.stop();
  await database.close();
});

async function errorOf(response: Response) {
  const text = await response.text();
  expect(text).not.toMatch(INTERNAL);
  return {
    status: response.status,
    header: response.headers.get("x-request-id"),
    ...(JSON.parse(text) as { error: Record<string, string> }),
  };
}

describe(`errors while the KMS is down (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("a secret read answers 503 vault_unavailable with a request id and no KMS detail", async () => {
    kms.setDown(true);
    try {
      // A fresh process: nothing cached, so opening the value needs the KMS.
      const api = runtimeApi(deps());
      const response = await api.getSecret(
        new Request(`${BASE}/api/v1/secrets/user.api_key`, {
          headers: { authorization: `Bearer ${token}`, "x-request-id": "req-outage-1" },
        }),
        "user.api_key",
      );
      const { status, header, error } = await errorOf(response);
      expect(status).toBe(503);
      expect(error).toEqual({
        code: "vault_unavailable",
        message: "The vault is unavailable: its keys cannot be reached right now. Try again shortly.",
        request_id: "req-outage-1",
      });
      expect(header).toBe("req-outage-1");
    } finally {
      kms.setDown(false);
    }
  });

  it("the unauthenticated JWKS answers 503 with a generated request id and no KMS detail", async () => {
    kms.setDown(true);
    try {
      const api = runtimeApi(deps());
      const { status, header, error } = await errorOf(await api.jwks(new Request(`${BASE}/.well-known/jwks.json`)));
      expect(status).toBe(503);
      expect(error.code).toBe("vault_unavailable");
      expect(error.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(header).toBe(error.request_id);
    } finally {
      kms.setDown(false);
    }
  });

  it("a panel form shows the vault's refusal in words, without the keyring's message", async () => {
    kms.setDown(true);
    try {
      const cold = deps();
      const failure = await cold.vault
        .set(uiContext(fx.u1), { extensionId: fx.alphaId, scope: "org", ownerId: fx.org1, name: "team_key" }, SecretValue.from("x"))
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).toMatchObject({ code: "vault_unavailable" });
      const state = formError(failure, "req-form-1");
      expect(state).toMatchObject({ ok: false, code: "vault_unavailable", requestId: "req-form-1" });
      expect(JSON.stringify(state)).not.toMatch(INTERNAL);
    } finally {
      kms.setDown(false);
    }
  });
});

describe("errors of ours that are not domain errors", () => {
  it("answer 500 internal_error with the request id, never the thrown message", async () => {
    const response = errorResponse(new Error('relation "secrets" does not exist at character 15'), "req-internal-1");
    const { status, error } = await errorOf(response);
    expect(status).toBe(500);
    expect(error).toEqual({
      code: "internal_error",
      message: "Something went wrong on our side. Quote the request id if you contact support.",
      request_id: "req-internal-1",
    });
  });
});

describe("text the database refuses that slipped past an input schema", () => {
  it("is the caller's error (400 invalid_request), found through drizzle's wrapped cause", async () => {
    const { sql } = await import("drizzle-orm");
    const failure = await database.db.execute(sql`select ${"a\u0000b"}::text`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).not.toBeNull();
    const { status, error } = await errorOf(errorResponse(failure, "req-nul-1"));
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_request", request_id: "req-nul-1" });
  });
});
