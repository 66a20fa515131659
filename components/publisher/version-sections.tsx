// The cards of a version's page (app/publisher/extensions/[id]/versions/[version]/page.tsx), as server
// components: the publish-time scan of its uploaded source, and while it is a draft the source upload
// and Publish. Actions come in from the page.
import type { FormAction } from "@/lib/http/form-state";
import { PublishForm } from "@/components/publisher/publish-form";
import { ScanFindings } from "@/components/publisher/scan-findings";
import { SourceForm } from "@/components/publisher/source-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { getSourceScan } from "@/lib/extensions/upload-source";

type SourceScan = NonNullable<Awaited<ReturnType<typeof getSourceScan>>>;

/** The scan's verdict and findings, or how to get a scan when no source was uploaded. */
export function ScanCard({ scan }: { scan: SourceScan | null }) {
  return (
    <Card aria-labelledby="scan-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="scan-heading" className="text-lg font-semibold">
          Publish-time scan
        </h2>
        {scan ? (
          <Badge tone={scan.blocking > 0 ? "danger" : scan.warnings > 0 ? "warning" : "success"}>
            {scan.blocking} blocking · {scan.warnings} {scan.warnings === 1 ? "warning" : "warnings"}
          </Badge>
        ) : null}
      </div>
      {scan ? (
        <>
          <ScanSummary scan={scan} />
          <ScanFindings findings={scan.findings} />
        </>
      ) : (
        <p className="mt-1 text-sm text-slate-600">
          No source uploaded for this version. Upload the extension&apos;s source to have its credential reads checked before publishing (or
          run <code className="font-mono text-xs">npx latchkey scan .</code> locally).
        </p>
      )}
    </Card>
  );
}

/** What was scanned (files, archive, digest, upload time) and what publishing will record or accept. */
function ScanSummary({ scan }: { scan: SourceScan }) {
  return (
    <p className="mt-1 text-sm text-slate-600" data-testid="scan-summary">
      {scan.scannedFiles} of {scan.archiveFiles} files scanned ({scan.archiveFormat}, {Math.ceil(scan.archiveBytes / 1024)} KiB, SHA-256{" "}
      <span className="font-mono text-xs">{scan.archiveSha256.slice(0, 16)}…</span>), uploaded{" "}
      {scan.uploadedAt.toISOString().slice(0, 16).replace("T", " ")} UTC.
      {scan.exceptions > 0
        ? ` ${scan.exceptions} ${scan.exceptions === 1 ? "exception" : "exceptions"} will be written to the audit log when this version is published.`
        : ""}
      {scan.baselined > 0 ? ` ${scan.baselined} accepted by the baseline file.` : ""}
    </p>
  );
}

/** A draft's source upload (Replace once scanned) and, when it is the newest version, Publish. */
export function DraftCards({
  extensionId,
  version,
  scanned,
  newest,
  uploadSourceAction,
  publishAction,
}: {
  extensionId: string;
  version: string;
  scanned: boolean;
  newest: boolean;
  uploadSourceAction: FormAction;
  publishAction: FormAction;
}) {
  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-2">
      <Card aria-labelledby="source-heading">
        <h2 id="source-heading" className="text-lg font-semibold">
          {scanned ? "Replace source" : "Upload source"}
        </h2>
        <div className="mt-3">
          <SourceForm action={uploadSourceAction} extensionId={extensionId} version={version} />
        </div>
      </Card>
      {newest ? (
        <Card aria-labelledby="publish-heading">
          <h2 id="publish-heading" className="text-lg font-semibold">
            Publish
          </h2>
          <p className="mb-3 mt-1 text-sm text-slate-600">
            Publishing checks that every required partner credential is configured and that no scan finding blocks, then makes {version}{" "}
            available to end users.
          </p>
          <PublishForm action={publishAction} extensionId={extensionId} version={version} />
        </Card>
      ) : null}
    </div>
  );
}
