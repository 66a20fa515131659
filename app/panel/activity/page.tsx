import { AuditViewer } from "@/components/audit/audit-viewer";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export const metadata = { title: "Your activity" };
export const dynamic = "force-dynamic";

export default async function ActivityPage() {
  await guardPage(requireUser, "/panel/activity");
  return (
    <>
      <PageHeader title="Your activity" description="Everything you did with secrets and connections, from the tamper-evident audit log." />
      <AuditViewer
        endpoint="/api/v1/audit/me/events"
        label="Your audit events"
        filters={["action", "extension", "outcome", "time"]}
        exportable
        emptyMessage="You have no recorded activity yet."
      />
    </>
  );
}
