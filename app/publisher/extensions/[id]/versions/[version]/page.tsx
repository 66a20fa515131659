// A version's page: its publish-time scan (the uploaded source's findings, exceptions for reviewers),
// the source upload while it is a draft, and Publish.
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublishForm } from "@/components/publisher/publish-form";
import { ScanFindings } from "@/components/publisher/scan-findings";
import { SourceForm } from "@/components/publisher/source-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listExtensionVersions } from "@/lib/extensions/queries";
import { getSourceScan } from "@/lib/extensions/upload-source";
import { publishExtensionAction } from "../../../../actions/publish-extension";
import { uploadSourceAction } from "../../../../actions/upload-source";
import { loadOwnExtension } from "../../../../load-extension";

export const metadata = { title: "Version" };

export default async function VersionPage({ params }: { params: Promise<{ id: string; version: string }> }) {
  const { id, version: versionParam } = await params;
  const versionName = decodeURIComponent(versionParam);
  const base = `/publisher/extensions/${id}`;
  const { db, extension } = await loadOwnExtension(id, `${base}/versions/${versionParam}`);
  const versions = await listExtensionVersions(db, extension.id, extension.publisherId);
  const version = versions.find((v) => v.version === versionName);
  if (!version) notFound();
  const scan = await getSourceScan(db, extension.id, version.id);
  const newest = versions[0]?.id === version.id;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={base} className="text-brand-700 hover:underline">
          ← {extension.name}
        </Link>
      </p>
      <PageHeader
        title={`${extension.name} ${version.version}`}
        description={<span className="break-all font-mono text-xs">{extension.slug}</span>}
        actions={
          version.publishedAt ? (
            <Badge tone="success">Published {version.publishedAt.toISOString().slice(0, 10)}</Badge>
          ) : (
            <Badge>Draft</Badge>
          )
        }
      />
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
            <p className="mt-1 text-sm text-slate-600" data-testid="scan-summary">
              {scan.scannedFiles} of {scan.archiveFiles} files scanned ({scan.archiveFormat}, {Math.ceil(scan.archiveBytes / 1024)} KiB,
              SHA-256 <span className="font-mono text-xs">{scan.archiveSha256.slice(0, 16)}…</span>), uploaded{" "}
              {scan.uploadedAt.toISOString().slice(0, 16).replace("T", " ")} UTC.
              {scan.exceptions > 0
                ? ` ${scan.exceptions} ${scan.exceptions === 1 ? "exception" : "exceptions"} will be written to the audit log when this version is published.`
                : ""}
              {scan.baselined > 0 ? ` ${scan.baselined} accepted by the baseline file.` : ""}
            </p>
            <ScanFindings findings={scan.findings} />
          </>
        ) : (
          <p className="mt-1 text-sm text-slate-600">
            No source uploaded for this version. Upload the extension&apos;s source to have its credential reads checked before publishing
            (or run <code className="font-mono text-xs">npx latchkey scan .</code> locally).
          </p>
        )}
      </Card>
      {!version.publishedAt ? (
        <div className="mt-6 grid gap-6 lg:grid-cols-2">
          <Card aria-labelledby="source-heading">
            <h2 id="source-heading" className="text-lg font-semibold">
              {scan ? "Replace source" : "Upload source"}
            </h2>
            <div className="mt-3">
              <SourceForm action={uploadSourceAction} extensionId={extension.id} version={version.version} />
            </div>
          </Card>
          {newest ? (
            <Card aria-labelledby="publish-heading">
              <h2 id="publish-heading" className="text-lg font-semibold">
                Publish
              </h2>
              <p className="mb-3 mt-1 text-sm text-slate-600">
                Publishing checks that every required partner credential is configured and that no scan finding blocks, then makes{" "}
                {version.version} available to end users.
              </p>
              <PublishForm action={publishExtensionAction} extensionId={extension.id} version={version.version} />
            </Card>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
