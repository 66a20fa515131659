// The example's HTTP routes on MockSecretStore: what a caller of the running extension sees.
import Stripe from "stripe";
import { MockSecretStore } from "@latchkey/sdk";
import { describe, expect, it } from "vitest";
import { handleRequest, type AppContext } from "./app.js";

const declared = {
  spotify_api_key: { writeMode: "user" as const },
  spotify_refresh_token: { writeMode: "extension" as const },
  "org.stripe_webhook_signing_secret": { writeMode: "user" as const },
  "ext.spotify_client_id": {},
};

function app(initial: Record<string, string>, spotify: () => Response = () => Response.json({})) {
  const secrets = new MockSecretStore(initial, { declared });
  const ctx: AppContext = {
    secrets,
    webhookUrl: (path) => `https://latchkey.test/api/v1/hooks/inst-1${path}`,
    fetch: async () => spotify(),
    readiness: async () => ({
      ready: false,
      missing: [{ ref: "user.spotify_api_key", reason: "not_set", settings_url: "https://latchkey.test/panel/extensions/inst-1/settings" }],
    }),
  };
  const call = (path: string, init?: RequestInit) => handleRequest(ctx, new Request(`http://localhost:8787${path}`, init));
  return { call, secrets };
}

describe("the Spotify example's routes", () => {
  it("GET /health reports what Latchkey says is missing", async () => {
    const response = await app({}).call("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: false, missing: [{ ref: "user.spotify_api_key" }] });
  });

  it("GET /search?q=jazz answers the tracks, and asks for q when it is missing", async () => {
    const { call } = app({ spotify_api_key: "sk-test" }, () => Response.json({ tracks: { items: [{ id: "t1", name: "So What" }] } }));
    const found = await call("/search?q=jazz");
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ ok: true, data: { tracks: [{ id: "t1", name: "So What" }] }, summary: "Found tracks for 'jazz'" });
    const missing = await call("/search");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "Add ?q=<what to search for>." });
  });

  it("GET /search without the user's key is a 409 telling them to configure it", async () => {
    const response = await app({}).call("/search?q=jazz");
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ ok: false, error: expect.stringMatching(/configure it in extension settings/) });
  });

  it("POST /stripe-webhook verifies the raw body's signature", async () => {
    const secret = "whsec_route";
    const { call } = app({ "org.stripe_webhook_signing_secret": secret });
    const rawBody = JSON.stringify({ type: "customer.created" });
    const signature = new Stripe("sk_test_unused").webhooks.generateTestHeaderString({ payload: rawBody, secret });
    const ok = await call("/stripe-webhook", { method: "POST", headers: { "stripe-signature": signature }, body: rawBody });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: "customer.created" });
    const forged = await call("/stripe-webhook", {
      method: "POST",
      headers: { "stripe-signature": signature },
      body: rawBody.replace("created", "deleted"),
    });
    expect(forged.status).toBe(403);
  });

  it("answers 404 naming the routes for anything else", async () => {
    const response = await app({}).call("/nope", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "No route DELETE /nope. Try GET /health or GET /search?q=jazz." });
  });
});
