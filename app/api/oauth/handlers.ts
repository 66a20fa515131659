// The two OAuth route handlers' shared shape: resolve the signed-in person, run the flow step, and turn
// every failure into a redirect to the panel's error page (which says what happened and offers a retry),
// never a stack trace or a blank page.
import "server-only";
import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { z } from "zod";
import { uiSource } from "@/app/publisher/actions/publisher-action";
import { sessionSecret } from "@/lib/auth/options";
import { getActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { sameOriginUrl } from "@/lib/core/same-origin";
import { text } from "@/lib/core/text";
import { logger } from "@/lib/logger";
import { BINDING_COOKIE, getOAuth, OAuthError, STATE_TTL_MS } from "@/lib/oauth";
import { connectionsPath } from "@/lib/oauth/connections";
import { signErrorLink } from "@/lib/oauth/error-link";
import { authorizePath } from "@/lib/oauth/flow";

type Params = { params: Promise<{ provider: string }> };

// The query's text reaches the database (the scopes are stored with the pending state): refused up
// front, naming the parameter, rather than failing inside a query. return_to has its own check.
const authorizeQuery = z.object({
  installation: text({ label: "installation", max: 100 }),
  field: text({ label: "field", max: 100 }),
  scopes: text({ label: "scopes", max: 2000 }),
});

const absolute = (path: string) => new URL(path, env().LATCHKEY_URL);

function errorRedirect(provider: string, error: unknown, retry: string | null) {
  const known = error instanceof OAuthError;
  if (!known) logger.error({ provider, err: error instanceof Error ? error.message : String(error) }, "oauth flow failed");
  const link = {
    code: known ? error.code : "provider_error",
    provider,
    message: known ? error.message : "Something went wrong while connecting. Nothing was stored.",
    retry: (known && error.retryPath) || retry || "",
  };
  const query = new URLSearchParams({ ...link, sig: signErrorLink(link, sessionSecret(env())) });
  return NextResponse.redirect(absolute(`/panel/connections/error?${query.toString()}`), 303);
}

export async function authorizeRoute(request: Request, { params }: Params): Promise<Response> {
  const { provider } = await params;
  const q = new URL(request.url).searchParams;
  const again = { installation: q.get("installation"), field: q.get("field"), scopes: q.get("scopes") };
  const retry = authorizePath(provider, { ...again, returnTo: q.get("return_to") });
  const actor = await getActor();
  if (!actor) return NextResponse.redirect(absolute(`/signin?callbackUrl=${encodeURIComponent(retry)}`), 303);
  const input = authorizeQuery.safeParse({
    installation: q.get("installation") ?? "",
    field: q.get("field") ?? "",
    scopes: q.get("scopes") ?? "",
  });
  if (!input.success) {
    // No "Try again": the same link would be refused the same way.
    return errorRedirect(
      provider,
      new OAuthError("invalid_request", input.error.issues[0]?.message ?? "This connect link is malformed."),
      null,
    );
  }
  try {
    const oauth = await getOAuth();
    const jar = await cookies();
    const started = await oauth.start(
      {
        providerId: provider,
        installationId: q.get("installation") ?? "",
        fieldKey: q.get("field") ?? "",
        scopes: (q.get("scopes") ?? "").split(/\s+/).filter(Boolean),
        returnTo: q.get("return_to"),
        binding: jar.get(BINDING_COOKIE)?.value ?? null,
      },
      actor,
      await uiSource(),
    );
    const response = NextResponse.redirect(started.url, 303);
    response.cookies.set(BINDING_COOKIE, started.binding, {
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level GET navigation, which carries Lax cookies.
      sameSite: "lax",
      secure: env().LATCHKEY_URL.startsWith("https:"),
      path: "/api/oauth",
      maxAge: STATE_TTL_MS / 1000,
    });
    return response;
  } catch (error) {
    // "Try again" with the same return_to would be refused again: offer the flow with its default.
    const refusedReturnTo = error instanceof OAuthError && error.code === "invalid_return_to";
    return errorRedirect(provider, error, refusedReturnTo ? authorizePath(provider, { ...again, returnTo: null }) : retry);
  }
}

export async function callbackRoute(request: Request, { params }: Params): Promise<Response> {
  const { provider } = await params;
  const actor = await getActor();
  if (!actor) {
    return errorRedirect(
      provider,
      new OAuthError("state_session_mismatch", "You are signed out, so this answer cannot be matched to you. Sign in and connect again."),
      null,
    );
  }
  try {
    const oauth = await getOAuth();
    const jar = await cookies();
    const done = await oauth.complete(
      { providerId: provider, callbackUrl: new URL(request.url), binding: jar.get(BINDING_COOKIE)?.value ?? null },
      actor,
      await uiSource(),
    );
    // Checked when the flow started; checked again here, where it becomes a Location header, so a row
    // stored by an older check (or edited in the database) still cannot send the browser elsewhere.
    // The connection is stored by now, so a refused target lands on Connections, which shows it.
    const checked = sameOriginUrl(done.returnTo, env().LATCHKEY_URL);
    if (!checked) logger.warn({ provider, returnTo: done.returnTo.slice(0, 200) }, "stored return_to refused at the callback");
    const target = checked ?? absolute(connectionsPath);
    target.searchParams.set("oauth", "connected");
    target.searchParams.set("provider", provider);
    return NextResponse.redirect(target, 303);
  } catch (error) {
    return errorRedirect(provider, error, null);
  }
}
