import Link from "next/link";
import { ManifestForm } from "@/components/publisher/manifest-form";
import { PublishForm } from "@/components/publisher/publish-form";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
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
        <Card aria-labelledby="publish-heading">
          <div className="flex items-center justify-between gap-2">
            <h2 id="publish-heading" className="text-lg font-semibold">
              Publish
            </h2>
            <Badge tone={extension.status === "published" ? "success" : "neutral"}>
              {extension.status === "published" ? "Published" : "Draft"}
            </Badge>
          </div>
          {extension.description ? <p className="mt-1 text-sm text-slate-600">{extension.description}</p> : null}
          {latest && !latest.publishedAt ? (
            <div className="mt-4">
              <p className="mb-3 text-sm text-slate-600">
                Version {latest.version} is a draft. Publishing checks that every required partner credential is configured, then makes it
                available to end users.
              </p>
              <PublishForm action={publishExtensionAction} extensionId={extension.id} version={latest.version} />
              <p className="mt-3 text-sm text-slate-600">
                <Link href={`${base}/versions/${encodeURIComponent(latest.version)}`} className="text-brand-700 hover:underline">
                  Upload source and see the publish-time scan
                </Link>
              </p>
            </div>
          ) : (
            <p className="mt-3 text-sm text-slate-600">
              {latest
                ? `Version ${latest.version} is live. Upload a manifest with a higher version to prepare the next release.`
                : "Upload a manifest first."}
            </p>
          )}
        </Card>
        <Card aria-labelledby="versions-heading">
          <h2 id="versions-heading" className="text-lg font-semibold">
            Versions
          </h2>
          <ul className="mt-2 divide-y divide-slate-100" aria-label="Versions">
            {versions.map((v) => (
              <li key={v.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                <Link href={`${base}/versions/${encodeURIComponent(v.version)}`} className="font-mono text-brand-700 hover:underline">
                  {v.version}
                </Link>
                {v.publishedAt ? (
                  <Badge tone="success">
                    Published&nbsp;
                    <RelativeTime value={v.publishedAt} />
                  </Badge>
                ) : (
                  <Badge>Draft</Badge>
                )}
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card className="mt-6" aria-labelledby="new-version">
        <h2 id="new-version" className="text-lg font-semibold">
          New manifest version
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Upload a manifest for <span className="font-mono">{extension.slug}</span>. A draft with the same version is replaced; a published
          version cannot be.
        </p>
        <ManifestForm action={uploadManifestAction} extensionId={extension.id} submitLabel="Upload version" />
      </Card>
    </>
  );
}
