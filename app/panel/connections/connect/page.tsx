import Link from "next/link";
import { ScopeList } from "@/components/panel/scope-list";
import { authorizeHref, OAuthLink } from "@/components/panel/oauth-link";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { sameOriginPath } from "@/lib/core/same-origin";
import { getOAuth, OAuthError, type ConnectPlan } from "@/lib/oauth";

export const metadata = { title: "Connect" };

type Query = { provider?: string; installation?: string; scopes?: string; field?: string; return_to?: string };

const backLinkTo = (href: string) => (
  <p className="mt-4 text-sm">
    <Link href={href} className="text-brand-700 hover:underline">
      {href === "/panel/connections" ? "← Connections" : "← Back"}
    </Link>
  </p>
);

/**
 * Connect an installation to its OAuth provider, or grant the scopes a connection is missing. `return_to`
 * (a path on this site, checked like the authorize route checks it) is where the flow comes back to and
 * where Cancel goes: a setup wizard sends its own step, so connecting from it returns there.
 */
export default async function ConnectPage({ searchParams }: { searchParams: Promise<Query> }) {
  const query = await searchParams;
  // Anything but a path on this site is ignored here; the authorize route would refuse it anyway.
  const returnTo = sameOriginPath(query.return_to, env().LATCHKEY_URL) ?? "/panel/connections";
  const backLink = backLinkTo(returnTo);
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
    return (
      <>
        <PageHeader title="Cannot connect" />
        <Card>
          <p role="alert" className="break-words text-sm text-red-700">
            {error.message}
          </p>
          {backLink}
        </Card>
      </>
    );
  }

  const authorize = authorizeHref(plan.providerId, {
    installation: installationId,
    field: fieldKey,
    scopes: scopes.join(" "),
    return_to: returnTo,
  });
  const owner = plan.ownerKind === "org" ? `${plan.ownerLabel}'s` : "your";
  const exists = plan.status !== null;

  if (exists && plan.status === "active" && plan.missing.length === 0) {
    return (
      <>
        <PageHeader title="Already connected" description={`${plan.extensionName} uses ${owner} ${plan.providerName} connection.`} />
        <Card>
          <p className="text-sm text-slate-700">It already grants everything {plan.extensionName} needs:</p>
          <ScopeList label="Granted scopes" scopes={plan.granted} />
          {backLink}
        </Card>
      </>
    );
  }

  const additional = exists && plan.status === "active";
  return (
    <>
      <PageHeader
        title={additional ? "Grant additional access" : `Connect ${plan.providerName} for ${plan.extensionName}`}
        description={
          additional
            ? `${plan.extensionName} needs more access to ${owner} ${plan.providerName} account than the connection grants.`
            : `${plan.providerName} will ask you to sign in and approve access for ${plan.ownerKind === "org" ? plan.ownerLabel : "you"}. Latchkey keeps the tokens encrypted and never shows them.`
        }
      />
      <Card>
        {exists && !additional ? (
          <p className="mb-3 text-sm text-amber-800">
            The existing {plan.providerName} connection is {plan.status}; connecting again replaces it.
          </p>
        ) : null}
        <h2 className="text-sm font-semibold text-slate-900">{additional ? "New access to grant" : "Access to grant"}</h2>
        {plan.missing.length > 0 ? (
          <ScopeList label="Scopes to grant" scopes={plan.missing} />
        ) : (
          <p className="mt-1 text-sm text-slate-600">The provider&apos;s default access only.</p>
        )}
        {plan.granted.length > 0 ? (
          <>
            <h2 className="mt-4 text-sm font-semibold text-slate-900">Already granted</h2>
            <ScopeList label="Already granted scopes" scopes={plan.granted} />
          </>
        ) : null}
        <div className="mt-5 flex flex-wrap items-center gap-3">
          <OAuthLink href={authorize}>{additional ? `Grant access at ${plan.providerName}` : `Connect ${plan.providerName}`}</OAuthLink>
          <Link href={returnTo} className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">
            Cancel
          </Link>
        </div>
      </Card>
    </>
  );
}
