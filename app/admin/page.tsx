import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { platformStats } from "@/lib/db/stats";

export const metadata = { title: "Admin" };

export default async function AdminHome() {
  await guardPage(requirePlatformAdmin, "/admin");
  const stats = await platformStats(await getDb());
  const tiles = [
    ["People", stats.people],
    ["Organizations", stats.orgs],
    ["Extensions", stats.extensions],
    ["Installations", stats.installations],
    ["Secrets", stats.secrets],
    ["Audit events", stats.auditEvents],
  ] as const;
  return (
    <>
      <PageHeader title="Platform admin" description="Everything stored in this Latchkey, at a glance." />
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-3">
        {tiles.map(([label, value]) => (
          <Card key={label}>
            <dt className="text-sm text-slate-600">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
          </Card>
        ))}
      </dl>
    </>
  );
}
