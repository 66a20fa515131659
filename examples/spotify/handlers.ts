// The spec's Spotify extension written against @latchkey/sdk. Handlers take a small context (the secret
// store, the webhook URL builder, fetch) so the same code runs against Latchkey, in dev mode and on
// MockSecretStore in unit tests. Secrets are read inside each handler and never kept: no module cache,
// no instance field, never logged, never returned.
import { verifyStripeSignature, type SecretStore } from "@latchkey/sdk";

export interface SpotifyContext {
  secrets: SecretStore;
  webhookUrl(path: string): Promise<string> | string;
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
}

export type ActionResult<T> = { ok: true; data: T; summary?: string } | { ok: false; error: string; retryable: boolean };

export const SPOTIFY_API = "https://api.spotify.com/v1";
export const SPOTIFY_ACCOUNTS = "https://accounts.spotify.com";

interface Track {
  id: string;
  name: string;
}

/** Search the user's Spotify library for tracks matching a query. */
export async function searchMyLibrary(ctx: SpotifyContext, params: { query: string }): Promise<ActionResult<{ tracks: Track[] }>> {
  // Required secret: the platform's dispatch gate does not call us while it is unset. Still answer
  // cleanly if it vanished in between.
  const apiKey = await ctx.secrets.get("spotify_api_key");
  if (apiKey === null) {
    return { ok: false, error: "Spotify key isn't set — please configure it in extension settings.", retryable: false };
  }
  const url = `${SPOTIFY_API}/search?${new URLSearchParams({ q: params.query, type: "track", limit: "5" })}`;
  const response = await ctx.fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) return { ok: false, error: `Spotify answered ${response.status}.`, retryable: response.status >= 500 };
  const body = (await response.json()) as { tracks?: { items?: Track[] } };
  return { ok: true, data: { tracks: body.tracks?.items ?? [] }, summary: `Found tracks for '${params.query}'` };
}

/** Start Spotify OAuth: returns the URL the user must visit. The redirect URI is the canonical webhook URL. */
export async function startSpotifyAuth(ctx: SpotifyContext): Promise<ActionResult<{ authUrl: string }>> {
  const clientId = await ctx.secrets.get("ext.spotify_client_id");
  if (clientId === null) return { ok: false, error: "The publisher has not configured Spotify yet.", retryable: false };
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: await ctx.webhookUrl("/callback"),
    response_type: "code",
    scope: "user-read-private",
  });
  return { ok: true, data: { authUrl: `${SPOTIFY_ACCOUNTS}/authorize?${query}` } };
}

/** GET /callback: exchange the code and store the refresh token (write_mode: extension). */
export async function oauthCallback(
  ctx: SpotifyContext,
  query: URLSearchParams,
): Promise<{ status: number; body: Record<string, string> }> {
  const code = query.get("code");
  if (!code) return { status: 400, body: { error: "missing code" } };
  const clientId = await ctx.secrets.get("ext.spotify_client_id");
  if (clientId === null) return { status: 503, body: { error: "not configured" } };
  const response = await ctx.fetch(`${SPOTIFY_ACCOUNTS}/api/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: await ctx.webhookUrl("/callback"),
      client_id: clientId,
    }),
  });
  if (!response.ok) return { status: 502, body: { error: "token exchange failed" } };
  const tokens = (await response.json()) as { refresh_token?: string };
  if (!tokens.refresh_token) return { status: 502, body: { error: "no refresh token returned" } };
  await ctx.secrets.set("spotify_refresh_token", tokens.refresh_token);
  return { status: 200, body: { status: "ok" } };
}

/** POST /stripe-webhook: verify the Stripe signature over the raw body before trusting the event. */
export async function stripeWebhook(ctx: SpotifyContext, request: { headers: Headers; rawBody: string }) {
  const signingSecret = await ctx.secrets.get("org.stripe_webhook_signing_secret");
  if (signingSecret === null) return { status: 503, body: { error: "webhook not configured" } };
  const verdict = await verifyStripeSignature(request.rawBody, request.headers.get("stripe-signature"), signingSecret);
  if (!verdict.ok) return { status: 403, body: { error: "invalid signature" } };
  const event = JSON.parse(request.rawBody) as { type?: string };
  return { status: 200, body: { received: event.type ?? "unknown" } };
}
