// The operator's first stop: what is stored, audit activity over the last 30 days, connection health by
// provider, the keyring, and whether the audit sequencer and its anchors keep up. Every figure links to
// the list it summarizes. The queries are bounded (lib/audit/activity.ts): no count over the whole log.
import { ActivityCard, ConnectionHealthCard, KeyringCard, PlatformTiles, SequencerCard } from "@/components/admin/overview";
import { PageHeader } from "@/components/ui/page-header";
import { connectionHealthByProvider, connectionHealths, keyringState, platformCounts, type KeyringState } from "@/lib/admin/overview";
import { dailyAuditActivity, sequencerState } from "@/lib/audit/activity";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { describeRetention } from "@/lib/core/retention";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { getVault } from "@/lib/vault";

export const metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

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
  return (
    <>
      <PageHeader
        title="Platform admin"
        description="What this Latchkey holds and whether its moving parts keep up. Every figure opens its list."
      />
      <PlatformTiles tiles={tiles} />
      <ActivityCard activity={activity} />
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <ConnectionHealthCard health={health} healths={connectionHealths} />
        <KeyringCard keyring={keyring} />
      </div>
      <SequencerCard sequencer={sequencer} retention={retentionLabel()} />
    </>
  );
}

/** "ledger (7 years)", and the reads' class when it differs: "ledger (7 years); successful reads standard (90 days)". */
function retentionLabel(): string {
  const { retention, readRetention } = env().auditArchive;
  const label = (r: typeof retention) => `${r.name} (${describeRetention(r)})`;
  return retention.name === readRetention.name ? label(retention) : `${label(retention)}; successful reads ${label(readRetention)}`;
}
