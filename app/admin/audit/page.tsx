import { AuditViewer } from "@/components/audit/audit-viewer";
import { CheckpointList } from "@/components/audit/checkpoint-list";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getCheckpointSigner } from "@/lib/audit";
import { archivedEvents } from "@/lib/audit/activity";
import { listCheckpoints, publicKeyJson } from "@/lib/audit/proofs";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default async function AdminAuditPage() {
  await guardPage(requirePlatformAdmin, "/admin/audit");
  const db = await getDb();
  const [checkpoints, key, archived] = await Promise.all([
    listCheckpoints(db, { limit: 5 }),
    getCheckpointSigner()
      .then(publicKeyJson)
      .catch(() => null),
    archivedEvents(db),
  ]);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every credential operation, newest first. Each row is checked in your browser against the latest signed checkpoint."
      />
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <Card>
          <h2 className="text-sm font-semibold text-slate-800">Checkpoint key</h2>
          {key ? (
            <p className="mt-2 break-all font-mono text-xs text-slate-700">{key.verifier_key}</p>
          ) : (
            <p className="mt-2 text-sm text-red-700">The signing key cannot be loaded (keyring unavailable).</p>
          )}
          <p className="mt-2 text-xs text-slate-500">
            Published at <code>/api/v1/audit/public-key</code>. Verify the whole log with <code>npm run audit:verify</code>.
          </p>
          {archived.events > 0 ? (
            <p className="mt-2 text-xs text-slate-500">
              {archived.events} older {archived.events === 1 ? "event was" : "events were"} archived past retention and{" "}
              {archived.events === 1 ? "is" : "are"} not listed below; their entries stay in the log, and <code>npm run audit:verify</code>{" "}
              checks them from the archive files.
            </p>
          ) : null}
        </Card>
        <Card id="checkpoints" className="scroll-mt-4">
          <h2 className="text-sm font-semibold text-slate-800">Recent checkpoints ({checkpoints.tree_size} entries sequenced)</h2>
          <CheckpointList checkpoints={checkpoints.checkpoints} />
        </Card>
      </div>
      <AuditViewer endpoint="/api/v1/audit/events" filters={["actor", "action", "extension", "org", "outcome", "time"]} exportable />
    </>
  );
}
