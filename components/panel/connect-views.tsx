// What the Connect page (app/panel/connections/connect/page.tsx) shows, as server components: why a
// connection cannot be made, that it already grants everything, or the access the consent screen will
// ask for with the link to it. The page plans the connection and builds the authorize link.
import Link from "next/link";
import { OAuthLink } from "@/components/panel/oauth-link";
import { ScopeList } from "@/components/panel/scope-list";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import type { ConnectPlan } from "@/lib/oauth";

/** Back to where the flow came from: "← Connections" for the connections list, else "← Back". */
function BackLink({ href }: { href: string }) {
  return (
    <p className="mt-4 text-sm">
      <Link href={href} className="text-brand-700 hover:underline">
        {href === "/panel/connections" ? "← Connections" : "← Back"}
      </Link>
    </p>
  );
}

export function CannotConnect({ message, returnTo }: { message: string; returnTo: string }) {
  return (
    <>
      <PageHeader title="Cannot connect" />
      <Card>
        <p role="alert" className="break-words text-sm text-red-700">
          {message}
        </p>
        <BackLink href={returnTo} />
      </Card>
    </>
  );
}

/** Whose connection it is, as the page's sentences say it: "Acme's" or "your". */
export const ownerOf = (plan: ConnectPlan) => (plan.ownerKind === "org" ? `${plan.ownerLabel}'s` : "your");

export function AlreadyConnected({ plan, returnTo }: { plan: ConnectPlan; returnTo: string }) {
  return (
    <>
      <PageHeader title="Already connected" description={`${plan.extensionName} uses ${ownerOf(plan)} ${plan.providerName} connection.`} />
      <Card>
        <p className="text-sm text-slate-700">It already grants everything {plan.extensionName} needs:</p>
        <ScopeList label="Granted scopes" scopes={plan.granted} />
        <BackLink href={returnTo} />
      </Card>
    </>
  );
}

/**
 * A new connection (replacing an expired or revoked one) or more scopes for an active one: what will be
 * asked for, what is granted already, the link to the provider and Cancel.
 */
export function ConnectOffer({ plan, authorize, returnTo }: { plan: ConnectPlan; authorize: string; returnTo: string }) {
  const exists = plan.status !== null;
  const additional = exists && plan.status === "active";
  return (
    <>
      <PageHeader
        title={additional ? "Grant additional access" : `Connect ${plan.providerName} for ${plan.extensionName}`}
        description={
          additional
            ? `${plan.extensionName} needs more access to ${ownerOf(plan)} ${plan.providerName} account than the connection grants.`
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
