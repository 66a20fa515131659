// One OAuth connection as the Connections page shows it: who it belongs to, the account and scopes it
// grants, which extensions use it, its health, and Disconnect / Reconnect for those who may manage it.
// Token values are never part of a ConnectionView, so none can be shown here.
import Link from "next/link";
import type { FormAction } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ConnectionView } from "@/lib/oauth";
import { DisconnectForm } from "./disconnect-form";
import { ScopeList } from "./scope-list";
import { authorizeHref, OAuthLink } from "./oauth-link";

const statusBadges = {
  active: { tone: "success", label: "Active" },
  expired: { tone: "danger", label: "Expired" },
  revoked: { tone: "neutral", label: "Revoked" },
} as const;

export function ConnectionCard({ connection: c, disconnect }: { connection: ConnectionView; disconnect: FormAction }) {
  const id = `connection-${c.id}`;
  const status = statusBadges[c.status];
  const canReconnect = c.canManage && c.status !== "active" && c.reconnectInstallationId !== null;
  return (
    <li className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200" aria-labelledby={`${id}-name`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={`${id}-name`} className="font-semibold text-slate-900">
            {c.providerName}
          </h2>
          <p className="break-words text-sm text-slate-600">{c.accountLabel ?? "Account not reported"}</p>
        </div>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>

      <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="font-medium text-slate-700">Owner</dt>
        <dd className="text-slate-600">{c.ownerLabel}</dd>
        <dt className="font-medium text-slate-700">Scopes</dt>
        <dd>
          {c.scopes.length === 0 ? (
            <span className="text-slate-500">None reported</span>
          ) : (
            <ScopeList label={`${c.providerName} scopes`} scopes={c.scopes} />
          )}
        </dd>
        <dt className="font-medium text-slate-700">Used by</dt>
        <dd className="text-slate-600">
          {c.usedBy.length === 0 ? (
            "No extension in your organizations"
          ) : (
            <ul className="flex flex-wrap gap-x-3 gap-y-1">
              {c.usedBy.map((u) => (
                <li key={u.installationId}>
                  <Link href={`/panel/extensions/${u.installationId}/setup`} className="text-brand-700 hover:underline">
                    {u.extensionName}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt className="font-medium text-slate-700">Last refreshed</dt>
        <dd className="text-slate-600">{c.lastRefreshedAt ? <RelativeTime value={c.lastRefreshedAt} /> : "never"}</dd>
      </dl>

      {c.refreshFailures > 0 ? (
        <p role="note" className="mt-3 break-words rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
          Refreshing failed {c.refreshFailures} {c.refreshFailures === 1 ? "time" : "times"} in a row
          {c.lastError ? `: ${c.lastError}` : "."} Latchkey keeps retrying.
        </p>
      ) : null}
      {c.status !== "active" && !canReconnect ? (
        <p className="mt-3 text-sm text-slate-600">
          {c.canManage
            ? "No installation is left to reconnect it through; install an extension that uses it."
            : `Ask ${c.ownerKind === "org" ? `an owner or admin of ${c.ownerLabel}` : "its owner"} to reconnect it.`}
        </p>
      ) : null}

      {/* Rendered whenever the person may manage it, so the Disconnect result outlives the re-render as revoked. */}
      {c.canManage ? (
        <div className="mt-4 flex flex-wrap items-start gap-3 empty:hidden">
          {canReconnect && c.reconnectInstallationId ? (
            <OAuthLink href={authorizeHref(c.providerId, { installation: c.reconnectInstallationId, return_to: "/panel/connections" })}>
              Reconnect {c.providerName}
            </OAuthLink>
          ) : null}
          <DisconnectForm connectionId={c.id} providerName={c.providerName} active={c.status === "active"} action={disconnect} />
        </div>
      ) : null}
    </li>
  );
}
