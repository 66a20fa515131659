import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditViewer } from "@/components/audit/audit-viewer";
import { ActivityChart } from "@/components/charts/activity-chart";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { dailyAuditActivity } from "@/lib/audit/activity";
import { extensionForAudit } from "@/lib/audit/queries";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const metadata = { title: "Credentials audit log" };
export const dynamic = "force-dynamic";

export default async function ExtensionAuditPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/publisher/extensions/${id}/credentials/audit`;
  await guardPage((actor) => requirePublisherMember(actor), path);
  const db = await getDb();
  const extension = await extensionForAudit(db, id);
  if (!extension) notFound();
  await guardPage((actor) => requirePublisherMember(actor, extension.publisherId), path);
  const activity = await dailyAuditActivity(db, { kind: "extension", extensionId: extension.id, publisherId: extension.publisherId });
  const base = `/publisher/extensions/${extension.id}`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`${base}/credentials`} className="text-brand-700 hover:underline">
          ← Manage Credentials
        </Link>
      </p>
      <PageHeader
        title="Audit log"
        description={`Every credential operation on ${extension.name}: who, what and when. People outside your publisher appear as a pseudonym (user:…), without their address or browser.`}
      />
      <Card className="mb-6" aria-labelledby="activity-heading">
        <h2 id="activity-heading" className="font-semibold text-slate-900">
          Credential activity, last 30 days
        </h2>
        <div className="mt-2">
          <ActivityChart title={`Audit events of ${extension.name} per day, last 30 days`} data={activity} />
        </div>
      </Card>
      <AuditViewer
        endpoint={`/api/v1/audit/extensions/${extension.id}/events`}
        label={`Audit events of ${extension.name}`}
        filters={["actor", "action", "outcome", "time"]}
        actorPlaceholder="member name or email, or user:…"
        exportable
        emptyMessage="No events for this extension yet."
      />
    </>
  );
}
