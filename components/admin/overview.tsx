// The sections of the admin overview (app/admin/page.tsx), as server components: the platform's counts,
// audit activity, connection health by provider, the keyring, and the sequencer with its anchors. Each
// section links to the list it summarizes; the page loads the figures and hands them in.
import Link from "next/link";
import type { ReactNode } from "react";
import { ActivityChart } from "@/components/charts/activity-chart";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ConnectionHealth, connectionHealthByProvider, KeyringState } from "@/lib/admin/overview";
import type { DailyActivity, SequencerState } from "@/lib/audit/activity";

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

/** One tile per count, each a link to the list it counts. */
export function PlatformTiles({ tiles }: { tiles: { label: string; value: number; href: string }[] }) {
  return (
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
  );
}

export function ActivityCard({ activity }: { activity: DailyActivity[] }) {
  return (
    <Card className="mt-6" aria-labelledby="activity-heading">
      <SectionHeading id="activity-heading" title="Audit activity, last 30 days" href="/admin/audit" linkLabel="Open the audit log" />
      <div className="mt-2">
        <ActivityChart title="Audit events per day, last 30 days" data={activity} />
      </div>
    </Card>
  );
}

type ProviderHealth = Awaited<ReturnType<typeof connectionHealthByProvider>>[number];

/** Connections per provider and health state; every non-zero figure opens the filtered connections list. */
export function ConnectionHealthCard({ health, healths }: { health: ProviderHealth[]; healths: readonly ConnectionHealth[] }) {
  return (
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
                {healths.map((h) => (
                  <th key={h} scope="col" className="px-1 py-1 text-right capitalize">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {health.map((p) => (
                <ProviderHealthRow key={p.providerId} provider={p} healths={healths} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function ProviderHealthRow({ provider: p, healths }: { provider: ProviderHealth; healths: readonly ConnectionHealth[] }) {
  return (
    <tr>
      <th scope="row" className="py-1.5 pr-2 font-medium text-slate-800">
        {p.providerName}
      </th>
      {healths.map((h) => (
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
  );
}

/** The keyring's backend, current key and counts, or why it cannot be used (a message). */
export function KeyringCard({ keyring }: { keyring: KeyringState | string }) {
  return (
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
  );
}

/** Whether the sequencer keeps up (events waiting, log size) and how far the checkpoints are anchored. */
/** The audit sequencer's lag, the log's size and what was archived past retention (`retention`: "ledger, 7 years"), and the newest checkpoints. */
export function SequencerCard({ sequencer, retention }: { sequencer: SequencerState; retention: string }) {
  return (
    <Card className="mt-6" aria-labelledby="sequencer-heading">
      <SectionHeading id="sequencer-heading" title="Audit sequencer and anchors" href="/admin/audit#checkpoints" linkLabel="Checkpoints" />
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
          <Fact label="Archived past retention">
            {sequencer.archived.files === 0 ? (
              "none yet"
            ) : (
              <>
                {sequencer.archived.events} {sequencer.archived.events === 1 ? "event" : "events"} in {sequencer.archived.files}{" "}
                {sequencer.archived.files === 1 ? "file" : "files"}
                {sequencer.archived.newestAt ? (
                  <span className="block text-xs font-normal text-slate-600">
                    up to events from <RelativeTime value={sequencer.archived.newestAt} />
                  </span>
                ) : null}
              </>
            )}
            <span className="block text-xs font-normal text-slate-600">retention: {retention}</span>
          </Fact>
        </dl>
        <CheckpointFacts sequencer={sequencer} />
      </div>
    </Card>
  );
}

function CheckpointFacts({ sequencer }: { sequencer: SequencerState }) {
  const lastCheckpoint = sequencer.latestCheckpoint;
  return (
    <dl className="divide-y divide-slate-100">
      <Fact label="Latest checkpoint">
        {lastCheckpoint ? (
          <>
            {lastCheckpoint.treeSize} entries, <RelativeTime value={lastCheckpoint.createdAt} />
            <span className="block text-xs font-normal text-slate-600">
              {lastCheckpoint.anchors.length > 0 ? lastCheckpoint.anchors.map((a) => `${a.sink}: ${a.status}`).join(", ") : "no anchors"}
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
  );
}
