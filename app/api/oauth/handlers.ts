// The two OAuth route handlers' shared shape: resolve the signed-in person, run the flow step, and turn
// every failure into a redirect to the panel's error page (which says what happened and offers a retry),
// never a stack trace or a blank page.
import "server-only";
import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { uiSource } from "@/app/publisher/actions/run";
import { sessionSecret } from "@/lib/auth/options";
import { getActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { BINDING_COOKIE, getOAuth, OAuthError, STATE_TTL_MS } from "@/lib/oauth";
import { signErrorLink } from "@/lib/oauth/error-link";
import { authorizePath } from "@/lib/oauth/flow";

type Params = { params: Promise<{ provider: string }> };

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
  const retry = authorizePath(provider, {
    installation: q.get("installation"),
    field: q.get("field"),
    scopes: q.get("scopes"),
    returnTo: q.get("return_to"),
  });
  const actor = await getActor();
  if (!actor) return NextResponse.redirect(absolute(`/signin?callbackUrl=${encodeURIComponent(retry)}`), 303);
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
    return errorRedirect(provider, error, retry);
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
    const target = absolute(done.returnTo);
    target.searchParams.set("oauth", "connected");
    target.searchParams.set("provider", provider);
    return NextResponse.redirect(target, 303);
  } catch (error) {
    return errorRedirect(provider, error, null);
  }
}
