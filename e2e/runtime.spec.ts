// The runtime API as served by the production build: JWKS and OpenAPI documents, and refusals for
// callers without a valid runtime token (including a signed-in person's session, which is not one).
// The authorization matrix with real tokens runs against the same handlers in lib/runtime/api.db.test.ts.
import { expect, test } from "@playwright/test";
import { storageStateFor } from "./people";

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

test.describe("runtime API", () => {
  test("publishes the token verification keys, public parts only", async ({ request }) => {
    const response = await request.get("/.well-known/jwks.json");
    expect(response.status()).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key.d).toBeUndefined();
    }
  });

  test("serves its OpenAPI 3.1 document", async ({ request }) => {
    const response = await request.get("/api/v1/openapi.json");
    expect(response.status()).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/secrets", "/secrets/{ref}", "/secrets/{ref}/meta", "/readiness", "/oauth/token"]),
    );
  });

  test("refuses requests without a valid runtime token with a JSON error and no caching", async ({ request }) => {
    const none = `${b64url({ alg: "none", typ: "latchkey-runtime+jwt" })}.${b64url({ installation: "x" })}.`;
    const calls = [
      request.get("/api/v1/secrets"),
      request.get("/api/v1/secrets/user.spotify_api_key", { headers: { authorization: `Bearer ${none}` } }),
      request.get("/api/v1/readiness", { headers: { authorization: "Bearer not-a-jwt" } }),
      request.put("/api/v1/secrets/user.spotify_refresh_token", { data: { value: "x".repeat(300_000) } }),
      request.delete("/api/v1/secrets/user.spotify_refresh_token"),
      request.post("/api/v1/oauth/token", { data: { provider: "my-oauth" } }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status()).toBe(401);
      expect(response.headers()["cache-control"]).toBe("no-store");
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("invalid_token");
      expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack traces
    }
  });

  test.describe("with a signed-in end user's session", () => {
    test.use({ storageState: storageStateFor("enduser") });

    test("a browser session is not a runtime token", async ({ page }) => {
      const response = await page.request.get("/api/v1/secrets/user.spotify_api_key");
      expect(response.status()).toBe(401);
    });
  });
});
