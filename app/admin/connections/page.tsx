// Every OAuth connection on the platform, newest change first, optionally one provider's in one health
// state (the overview's figures link here with both): owner, account, health, last refresh, last error.
// Statuses only: tokens never leave the vault.
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { connectionHealths, listConnections, type ConnectionHealth } from "@/lib/admin/overview";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const metadata = { title: "Connections" };
export const dynamic = "force-dynamic";

const LIMIT = 200;
const tone = { active: "success", degraded: "warning", expired: "danger", revoked: "neutral" } as const;

export default async function AdminConnectionsPage({ searchParams }: { searchParams: Promise<{ provider?: string; health?: string }> }) {
  await guardPage(requirePlatformAdmin, "/admin/connections");
  const { provider, health } = await searchParams;
  const healthFilter = connectionHealths.find((h) => h === health);
  const providerFilter = typeof provider === "string" && provider.length <= 200 ? provider : undefined;
  const rows = await listConnections(await getDb(), { providerId: providerFilter, health: healthFilter, limit: LIMIT });
  const filtered = Boolean(providerFilter || healthFilter);
  return (
    <>
      <PageHeader
        title="Connections"
        description={
          filtered
            ? `${healthFilter ? `${capitalize(healthFilter)} connections` : "Connections"}${providerFilter ? ` to ${rows[0]?.providerName ?? providerFilter}` : ""}.`
            : "Every OAuth connection, most recently changed first. Degraded: active, but its last refreshes failed and are being retried."
        }
        actions={
          filtered ? (
            <Link href="/admin/connections" className="text-sm font-medium text-brand-700 hover:underline">
              Show all connections
            </Link>
          ) : null
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No connections match" />
      ) : (
        <ul className="grid gap-3 md:grid-cols-2" aria-label="Connections">
          {rows.map((c) => (
            <li key={c.id} className="min-w-0 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{c.providerName}</p>
                  <p className="break-words text-sm text-slate-600">
                    {c.ownerKind === "org" ? `${c.orgName} (organization)` : `${c.personName ?? "A person"} in ${c.orgName}`}
                  </p>
                </div>
                <Badge tone={tone[c.health as ConnectionHealth]}>{capitalize(c.health)}</Badge>
              </div>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                <dt className="text-slate-500">Account</dt>
                <dd className="break-all text-slate-800">{c.accountLabel ?? "—"}</dd>
                <dt className="text-slate-500">Last refresh</dt>
                <dd className="text-slate-800">{c.lastRefreshedAt ? <RelativeTime value={c.lastRefreshedAt} /> : "never"}</dd>
                {c.refreshFailures > 0 || c.lastError ? (
                  <>
                    <dt className="text-slate-500">Last error</dt>
                    <dd className="break-words text-slate-800">
                      {c.lastError ?? "—"}
                      {c.refreshFailures > 0 ? ` (${c.refreshFailures} failed ${c.refreshFailures === 1 ? "try" : "tries"})` : ""}
                    </dd>
                  </>
                ) : null}
              </dl>
            </li>
          ))}
        </ul>
      )}
      {rows.length === LIMIT ? <p className="mt-4 text-sm text-slate-600">Showing the {LIMIT} most recently changed.</p> : null}
    </>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
