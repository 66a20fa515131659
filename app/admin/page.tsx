// The operator's first stop: what is stored, audit activity over the last 30 days, connection health by
// provider, the keyring, and whether the audit sequencer and its anchors keep up. Every figure links to
// the list it summarizes. The queries are bounded (lib/audit/activity.ts): no count over the whole log.
import Link from "next/link";
import type { ReactNode } from "react";
import { ActivityChart } from "@/components/charts/activity-chart";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { connectionHealthByProvider, connectionHealths, keyringState, platformCounts, type KeyringState } from "@/lib/admin/overview";
import { dailyAuditActivity, sequencerState } from "@/lib/audit/activity";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getVault } from "@/lib/vault";

export const metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

const linkClass = "font-medium text-brand-700 hover:underline";
const healthTone = { active: "success", degraded: "warning", expired: "danger", revoked: "neutral" } as const;

function SectionHeading({ id, title, href, linkLabel }: { id: string; title: string; href: string; linkLabel: string }) {
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
      <h2 id={id} className="font-semibold text-slate-900">
        {title}
      </h2>
      <Link href={href} className={`text-sm ${linkClass}`}>
        {linkLabel}
      </Link>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap justify-between gap-x-3 py-1.5">
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 break-all text-right font-medium text-slate-900">{children}</dd>
    </div>
  );
}

export default async function AdminHome() {
  await guardPage(requirePlatformAdmin, "/admin");
  const db = await getDb();
  const [counts, activity, health, sequencer, keyring] = await Promise.all([
    platformCounts(db),
    dailyAuditActivity(db, { kind: "all" }, { days: 30 }),
    connectionHealthByProvider(db),
    sequencerState(db),
    getVault()
      .then(keyringState)
      .catch((error: unknown): KeyringState | string => (error instanceof Error ? error.message : String(error))),
  ]);
  const tiles = [
    { label: "People", value: counts.people, href: "/admin/directory#people" },
    { label: "Organizations", value: counts.orgs, href: "/admin/directory#organizations" },
    { label: "Extensions", value: counts.extensions, href: "/admin/directory#extensions" },
    { label: "Installations", value: counts.installations, href: "/admin/directory#organizations" },
    { label: "Secrets set", value: counts.secrets, href: "/admin/keys" },
    { label: "Connections", value: counts.connections, href: "/admin/connections" },
  ];
  const lastCheckpoint = sequencer.latestCheckpoint;
  return (
    <>
      <PageHeader
        title="Platform admin"
        description="What this Latchkey holds and whether its moving parts keep up. Every figure opens its list."
      />
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Platform counts">
        {tiles.map((t) => (
          <li key={t.label}>
            <Link
              href={t.href}
              className="block rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-brand-500 focus-visible:ring-brand-500"
            >
              <span className="block text-sm text-slate-600">{t.label}</span>
              <span className="mt-1 block text-2xl font-semibold tabular-nums text-slate-900">{t.value}</span>
            </Link>
          </li>
        ))}
      </ul>

      <Card className="mt-6" aria-labelledby="activity-heading">
        <SectionHeading id="activity-heading" title="Audit activity, last 30 days" href="/admin/audit" linkLabel="Open the audit log" />
        <div className="mt-2">
          <ActivityChart title="Audit events per day, last 30 days" data={activity} />
        </div>
      </Card>

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="health-heading" className="min-w-0">
          <SectionHeading id="health-heading" title="Connection health" href="/admin/connections" linkLabel="All connections" />
          {health.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">No OAuth connections yet.</p>
          ) : (
            <div className="mt-3 overflow-x-auto">
              <table className="w-full text-left text-sm tabular-nums">
                <caption className="sr-only">Connections by provider and health</caption>
                <thead className="text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="py-1 pr-2">
                      Provider
                    </th>
                    {connectionHealths.map((h) => (
                      <th key={h} scope="col" className="px-1 py-1 text-right capitalize">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {health.map((p) => (
                    <tr key={p.providerId}>
                      <th scope="row" className="py-1.5 pr-2 font-medium text-slate-800">
                        {p.providerName}
                      </th>
                      {connectionHealths.map((h) => (
                        <td key={h} className="px-1 py-1.5 text-right">
                          {p[h] > 0 ? (
                            <Link
                              href={`/admin/connections?provider=${encodeURIComponent(p.providerId)}&health=${h}`}
                              aria-label={`${p[h]} ${h} ${p.providerName} connections`}
                              className="inline-block min-w-6 rounded hover:underline"
                            >
                              <Badge tone={healthTone[h]}>{p[h]}</Badge>
                            </Link>
                          ) : (
                            <span className="text-slate-500">0</span>
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>

        <Card aria-labelledby="keyring-heading" className="min-w-0">
          <SectionHeading id="keyring-heading" title="Keyring" href="/admin/keys" linkLabel="Keys and data keys" />
          {typeof keyring === "string" ? (
            <p className="mt-3 text-sm text-red-700" role="alert">
              The keyring cannot be used: {keyring}
            </p>
          ) : (
            <dl className="mt-2 divide-y divide-slate-100 text-sm">
              <Fact label="Backend">{keyring.kind === "aws-kms" ? "AWS KMS" : "Local key file"}</Fact>
              <Fact label="Current key">
                <span className="font-mono text-xs">{keyring.currentKekId}</span>
              </Fact>
              <Fact label="Keys">
                {keyring.keks.length} ({keyring.keks.filter((k) => k.state === "retired").length} retired
                {keyring.keks.some((k) => k.state === "unknown") ? ", some unknown to the keyring" : ""})
              </Fact>
              <Fact label="Data keys / values">
                {keyring.keks.reduce((n, k) => n + k.deks, 0)} / {keyring.keks.reduce((n, k) => n + k.values, 0)}
              </Fact>
            </dl>
          )}
        </Card>
      </div>

      <Card className="mt-6" aria-labelledby="sequencer-heading">
        <SectionHeading
          id="sequencer-heading"
          title="Audit sequencer and anchors"
          href="/admin/audit#checkpoints"
          linkLabel="Checkpoints"
        />
        <div className="mt-2 grid gap-x-8 text-sm sm:grid-cols-2">
          <dl className="divide-y divide-slate-100">
            <Fact label="Waiting to be sequenced">
              {sequencer.waiting === 0 ? (
                <Badge tone="success">None</Badge>
              ) : (
                <>
                  {sequencer.waiting} {sequencer.waiting === 1 ? "event" : "events"}
                  {sequencer.oldestWaitingAt ? (
                    <span className="block text-xs font-normal text-slate-600">
                      oldest from <RelativeTime value={sequencer.oldestWaitingAt} />
                    </span>
                  ) : null}
                </>
              )}
            </Fact>
            <Fact label="Entries in the log">{sequencer.treeSize}</Fact>
          </dl>
          <dl className="divide-y divide-slate-100">
            <Fact label="Latest checkpoint">
              {lastCheckpoint ? (
                <>
                  {lastCheckpoint.treeSize} entries, <RelativeTime value={lastCheckpoint.createdAt} />
                  <span className="block text-xs font-normal text-slate-600">
                    {lastCheckpoint.anchors.length > 0
                      ? lastCheckpoint.anchors.map((a) => `${a.sink}: ${a.status}`).join(", ")
                      : "no anchors"}
                  </span>
                </>
              ) : (
                "none yet"
              )}
            </Fact>
            <Fact label="Latest anchored checkpoint">
              {sequencer.latestAnchored ? (
                <>
                  {sequencer.latestAnchored.treeSize} entries, <RelativeTime value={sequencer.latestAnchored.createdAt} />
                  <span className="block text-xs font-normal text-slate-600">confirmed by {sequencer.latestAnchored.sinks.join(", ")}</span>
                </>
              ) : (
                <Badge tone="warning">none confirmed yet</Badge>
              )}
            </Fact>
          </dl>
        </div>
      </Card>
    </>
  );
}
