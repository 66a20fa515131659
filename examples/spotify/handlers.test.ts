// Unit tests of the Spotify example on MockSecretStore: no Latchkey, no network.
import Stripe from "stripe";
import { MockSecretStore, SecretWriteForbiddenError } from "@latchkey/sdk";
import { describe, expect, it } from "vitest";
import { oauthCallback, searchMyLibrary, startSpotifyAuth, stripeWebhook, type SpotifyContext } from "./handlers.js";

const declared = {
  spotify_api_key: { writeMode: "user" as const, maxBytes: 200 },
  spotify_refresh_token: { writeMode: "extension" as const, maxBytes: 4096 },
  "org.stripe_webhook_signing_secret": { writeMode: "user" as const },
  "ext.spotify_client_id": {},
};

function context(secrets: MockSecretStore, spotify: (url: string, init?: RequestInit) => Response = () => Response.json({})) {
  const requests: { url: string; init?: RequestInit }[] = [];
  const ctx: SpotifyContext = {
    secrets,
    webhookUrl: (path) => `https://latchkey.test/api/v1/hooks/inst-1${path}`,
    fetch: async (url, init) => {
      requests.push({ url, init });
      return spotify(url, init);
    },
  };
  return { ctx, requests };
}

describe("Spotify example on MockSecretStore", () => {
  it("searches with the user's key as the bearer token", async () => {
    const secrets = new MockSecretStore({ spotify_api_key: "sk-test-12345" }, { declared });
    const { ctx, requests } = context(secrets, () => Response.json({ tracks: { items: [{ id: "t1", name: "Song" }] } }));
    const result = await searchMyLibrary(ctx, { query: "test" });
    expect(result).toEqual({ ok: true, data: { tracks: [{ id: "t1", name: "Song" }] }, summary: "Found tracks for 'test'" });
    // Test what the key was used for, not the key showing up in results.
    expect(new Headers(requests[0]?.init?.headers).get("authorization")).toBe("Bearer sk-test-12345");
    expect(JSON.stringify(result)).not.toContain("sk-test-12345");
  });

  it("reads the key fresh on every call (no caching in the handler)", async () => {
    const secrets = new MockSecretStore({ spotify_api_key: "sk-1" }, { declared });
    const { ctx } = context(secrets, () => Response.json({ tracks: { items: [] } }));
    await searchMyLibrary(ctx, { query: "a" });
    await searchMyLibrary(ctx, { query: "b" });
    expect(secrets.calls.filter((c) => c.op === "get" && c.ref === "spotify_api_key")).toHaveLength(2);
  });

  it("answers cleanly when the key is not set", async () => {
    const { ctx, requests } = context(new MockSecretStore({}, { declared }));
    expect(await searchMyLibrary(ctx, { query: "x" })).toMatchObject({ ok: false, retryable: false });
    expect(requests).toHaveLength(0);
  });

  it("builds the authorize URL from the partner client id and the canonical callback URL", async () => {
    const { ctx } = context(new MockSecretStore({ "ext.spotify_client_id": "cid-1" }, { declared }));
    const result = await startSpotifyAuth(ctx);
    if (!result.ok) throw new Error(result.error);
    const url = new URL(result.data.authUrl);
    expect(url.searchParams.get("client_id")).toBe("cid-1");
    expect(url.searchParams.get("redirect_uri")).toBe("https://latchkey.test/api/v1/hooks/inst-1/callback");
  });

  it("stores the refresh token from the callback (write_mode: extension)", async () => {
    const secrets = new MockSecretStore({ "ext.spotify_client_id": "cid-1" }, { declared });
    const { ctx } = context(secrets, () => Response.json({ access_token: "at", refresh_token: "rt-from-spotify" }));
    expect(await oauthCallback(ctx, new URLSearchParams({ code: "c1" }))).toEqual({ status: 200, body: { status: "ok" } });
    expect(secrets.wasWritten("spotify_refresh_token")).toBe(true);
    expect(await secrets.get("spotify_refresh_token")).toBe("rt-from-spotify");
  });

  it("cannot write the user's own API key (write_mode: user)", async () => {
    const secrets = new MockSecretStore({}, { declared });
    await expect(secrets.set("spotify_api_key", "abc")).rejects.toBeInstanceOf(SecretWriteForbiddenError);
  });

  it("accepts a Stripe-signed webhook and refuses a tampered one", async () => {
    const secret = "whsec_example";
    const secrets = new MockSecretStore({ "org.stripe_webhook_signing_secret": secret }, { declared });
    const { ctx } = context(secrets);
    const rawBody = JSON.stringify({ type: "invoice.paid" });
    const header = new Stripe("sk_test_unused").webhooks.generateTestHeaderString({ payload: rawBody, secret });
    const headers = new Headers({ "stripe-signature": header });
    expect(await stripeWebhook(ctx, { headers, rawBody })).toEqual({ status: 200, body: { received: "invoice.paid" } });
    expect((await stripeWebhook(ctx, { headers, rawBody: rawBody.replace("paid", "void") })).status).toBe(403);
  });
});
