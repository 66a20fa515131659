import Link from "next/link";
import { NewVersionCard, PublishCard, VersionsCard } from "@/components/publisher/extension-sections";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { listExtensionVersions } from "@/lib/extensions/queries";
import { publishExtensionAction } from "../../actions/publish-extension";
import { uploadManifestAction } from "../../actions/upload-manifest";
import { loadOwnExtension } from "../../load-extension";

export const metadata = { title: "Extension" };

export default async function ExtensionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ uploaded?: string; published?: string }>;
}) {
  const { id } = await params;
  const { uploaded, published } = await searchParams;
  const { db, extension } = await loadOwnExtension(id, `/publisher/extensions/${id}`);
  const versions = await listExtensionVersions(db, extension.id, extension.publisherId);
  const latest = versions[0];
  const base = `/publisher/extensions/${extension.id}`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/publisher" className="text-brand-700 hover:underline">
          ← Publisher Dashboard
        </Link>
      </p>
      <PageHeader
        title={extension.name}
        description={<span className="break-all font-mono text-xs">{extension.slug}</span>}
        actions={
          <>
            <ButtonLink href={`${base}/credentials`}>Manage Credentials</ButtonLink>
            <ButtonLink href={`${base}/credentials/audit`} variant="secondary">
              Audit log
            </ButtonLink>
          </>
        }
      />
      {published && versions.some((v) => v.version === published && v.publishedAt) ? (
        <p role="status" className="mb-4 text-sm text-emerald-700">
          Published {extension.name} {published}. It is now available to end users.
        </p>
      ) : null}
      {uploaded ? (
        <p role="status" className="mb-4 text-sm text-emerald-700">
          Manifest uploaded{latest ? ` as draft ${latest.version}` : ""}.
        </p>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <PublishCard extension={extension} latest={latest} publishAction={publishExtensionAction} />
        <VersionsCard extensionId={extension.id} versions={versions} />
      </div>
      <NewVersionCard extension={extension} uploadAction={uploadManifestAction} />
    </>
  );
}
