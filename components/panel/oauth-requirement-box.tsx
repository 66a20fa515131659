// The setup page's box for an extension that needs an OAuth connection at run time
// (`requires.oauth_provider`): whether the connection exists and covers the scopes, and a link to the
// Connect page when it does not. Rendered on the server from the OAuth service's plan.
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { ConnectPlan } from "@/lib/oauth";

const linkClass =
  "inline-flex min-h-10 items-center justify-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700";

export function OAuthRequirementBox({
  providerId,
  installationId,
  optional,
  plan,
}: {
  providerId: string;
  installationId: string;
  optional: boolean;
  /** What connecting would ask for, or the reason it cannot be planned (shown as text). */
  plan: ConnectPlan | { error: string };
}) {
  // The Connect page sends the flow back to this setup page (return_to), not to Connections.
  const connect = `/panel/connections/connect?${new URLSearchParams({
    provider: providerId,
    installation: installationId,
    return_to: `/panel/extensions/${installationId}/setup`,
  }).toString()}`;
  const name = "error" in plan ? providerId : plan.providerName;
  const active = !("error" in plan) && plan.status === "active";
  const complete = active && !("error" in plan) && plan.missing.length === 0;
  return (
    <section aria-labelledby="oauth-requirement-heading" className="mb-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id="oauth-requirement-heading" className="font-semibold text-slate-900">
            Connect {name} {optional ? <span className="text-sm font-normal text-slate-500">(optional)</span> : null}
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            {"error" in plan
              ? plan.error
              : complete
                ? `${plan.extensionName} uses ${plan.ownerKind === "org" ? `${plan.ownerLabel}'s` : "your"} ${plan.providerName} connection.`
                : active
                  ? `${plan.extensionName} needs more access than the ${plan.providerName} connection grants: ${plan.missing.join(", ")}.`
                  : `${plan.extensionName} signs in to ${plan.providerName} on ${plan.ownerKind === "org" ? `${plan.ownerLabel}'s` : "your"} behalf.`}
          </p>
        </div>
        {"error" in plan ? null : complete ? (
          <Badge tone="success">Connected</Badge>
        ) : plan.status === "expired" || plan.status === "revoked" ? (
          <Badge tone="danger">{plan.status === "expired" ? "Expired" : "Disconnected"}</Badge>
        ) : active ? (
          <Badge tone="warning">Needs more access</Badge>
        ) : (
          <Badge>Not connected</Badge>
        )}
      </div>
      {"error" in plan ? null : complete ? (
        <p className="mt-3 text-sm">
          <Link href="/panel/connections" className="text-brand-700 hover:underline">
            Manage connections
          </Link>
        </p>
      ) : (
        <p className="mt-3">
          <Link href={connect} className={linkClass}>
            {active ? "Grant additional access" : `Connect ${plan.providerName}`}
          </Link>
        </p>
      )}
    </section>
  );
}
