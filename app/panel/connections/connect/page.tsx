import { AlreadyConnected, CannotConnect, ConnectOffer } from "@/components/panel/connect-views";
import { authorizeHref } from "@/components/panel/oauth-link";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { sameOriginPath } from "@/lib/core/same-origin";
import { getOAuth, OAuthError, type ConnectPlan } from "@/lib/oauth";

export const metadata = { title: "Connect" };

type Query = { provider?: string; installation?: string; scopes?: string; field?: string; return_to?: string };

/**
 * Connect an installation to its OAuth provider, or grant the scopes a connection is missing. `return_to`
 * (a path on this site, checked like the authorize route checks it) is where the flow comes back to and
 * where Cancel goes: a setup wizard sends its own step, so connecting from it returns there.
 */
export default async function ConnectPage({ searchParams }: { searchParams: Promise<Query> }) {
  const query = await searchParams;
  // Anything but a path on this site is ignored here; the authorize route would refuse it anyway.
  const returnTo = sameOriginPath(query.return_to, env().LATCHKEY_URL) ?? "/panel/connections";
  const providerId = query.provider ?? "";
  const installationId = query.installation ?? "";
  const fieldKey = query.field ?? "";
  const scopes = (query.scopes ?? "").split(/\s+/).filter(Boolean);
  const here = `/panel/connections/connect?${new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === "string")).toString()}`;
  const actor = await guardPage(requireUser, here);

  let plan: ConnectPlan;
  try {
    if (!providerId || !installationId)
      throw new OAuthError("not_found", "This link is missing the provider or the installation to connect.");
    plan = await (await getOAuth()).plan({ providerId, installationId, fieldKey, scopes }, actor);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return <CannotConnect message={error.message} returnTo={returnTo} />;
  }

  if (plan.status === "active" && plan.missing.length === 0) return <AlreadyConnected plan={plan} returnTo={returnTo} />;
  const authorize = authorizeHref(plan.providerId, {
    installation: installationId,
    field: fieldKey,
    scopes: scopes.join(" "),
    return_to: returnTo,
  });
  return <ConnectOffer plan={plan} authorize={authorize} returnTo={returnTo} />;
}
