// The Spotify example's HTTP surface as one web-standard function, `handleRequest(ctx, request)`: the
// same code serves node:http (server.ts), Bun, Deno or an edge function. Each route calls one handler of
// handlers.ts with the context it was given; nothing here reads or keeps a secret itself.
import type { Readiness } from "@latchkey/sdk";
import { oauthCallback, searchMyLibrary, startSpotifyAuth, stripeWebhook, type ActionResult, type SpotifyContext } from "./handlers.js";

/** What the routes need: the handlers' context and Latchkey's readiness check for this installation. */
export interface AppContext extends SpotifyContext {
  readiness(): Promise<Readiness>;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

/** An action result as HTTP: 200 with the data, 503 when retrying may help, 409 when a person must act. */
const actionResponse = <T>(result: ActionResult<T>) => (result.ok ? json(result) : json(result, result.retryable ? 503 : 409));

/**
 * Routes: `GET /health` (Latchkey's readiness for this installation: which secrets are missing),
 * `GET /search?q=…`, `GET /auth/start`, `GET /callback` (Spotify's OAuth redirect) and
 * `POST /stripe-webhook` (raw body, verified). Anything else is a 404.
 */
export async function handleRequest(ctx: AppContext, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const route = `${request.method} ${url.pathname}`;
  switch (route) {
    case "GET /health":
      return json(await ctx.readiness());
    case "GET /search": {
      const query = url.searchParams.get("q")?.trim();
      if (!query) return json({ ok: false, error: "Add ?q=<what to search for>.", retryable: false }, 400);
      return actionResponse(await searchMyLibrary(ctx, { query }));
    }
    case "GET /auth/start":
      return actionResponse(await startSpotifyAuth(ctx));
    case "GET /callback": {
      const { status, body } = await oauthCallback(ctx, url.searchParams);
      return json(body, status);
    }
    case "POST /stripe-webhook": {
      const { status, body } = await stripeWebhook(ctx, { headers: request.headers, rawBody: await request.text() });
      return json(body, status);
    }
    default:
      return json({ error: `No route ${route}. Try GET /health or GET /search?q=jazz.` }, 404);
  }
}
