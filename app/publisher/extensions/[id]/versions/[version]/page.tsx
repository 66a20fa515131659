// A version's page: its publish-time scan (the uploaded source's findings, exceptions for reviewers),
// the source upload while it is a draft, and Publish.
import Link from "next/link";
import { notFound } from "next/navigation";
import { DraftCards, ScanCard } from "@/components/publisher/version-sections";
import { Badge } from "@/components/ui/badge";
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
      <ScanCard scan={scan} />
      {!version.publishedAt ? (
        <DraftCards
          extensionId={extension.id}
          version={version.version}
          scanned={scan !== null}
          newest={newest}
          uploadSourceAction={uploadSourceAction}
          publishAction={publishExtensionAction}
        />
      ) : null}
    </>
  );
}
