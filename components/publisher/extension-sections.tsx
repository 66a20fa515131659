// The cards of a publisher's extension page (app/publisher/extensions/[id]/page.tsx), as server
// components: Publish (the draft waiting, or what is live), the version list, and a new manifest upload.
// Actions come in from the page.
import Link from "next/link";
import { ManifestForm } from "@/components/publisher/manifest-form";
import { PublishForm } from "@/components/publisher/publish-form";
import type { FormAction } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import type { getOwnExtension } from "@/lib/extensions/access";
import type { listExtensionVersions } from "@/lib/extensions/queries";

type OwnExtension = Awaited<ReturnType<typeof getOwnExtension>>;
type VersionEntry = Awaited<ReturnType<typeof listExtensionVersions>>[number];

const versionHref = (extensionId: string, version: string) =>
  `/publisher/extensions/${extensionId}/versions/${encodeURIComponent(version)}`;

/** The extension's status, and Publish for a newest version that is still a draft. */
export function PublishCard({
  extension,
  latest,
  publishAction,
}: {
  extension: OwnExtension;
  latest: VersionEntry | undefined;
  publishAction: FormAction;
}) {
  return (
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
          <PublishForm action={publishAction} extensionId={extension.id} version={latest.version} />
          <p className="mt-3 text-sm text-slate-600">
            <Link href={versionHref(extension.id, latest.version)} className="text-brand-700 hover:underline">
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
  );
}

/** Every version, newest first, each linking to its page. */
export function VersionsCard({ extensionId, versions }: { extensionId: string; versions: VersionEntry[] }) {
  return (
    <Card aria-labelledby="versions-heading">
      <h2 id="versions-heading" className="text-lg font-semibold">
        Versions
      </h2>
      <ul className="mt-2 divide-y divide-slate-100" aria-label="Versions">
        {versions.map((v) => (
          <li key={v.id} className="flex items-center justify-between gap-2 py-2 text-sm">
            <Link href={versionHref(extensionId, v.version)} className="font-mono text-brand-700 hover:underline">
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
  );
}

export function NewVersionCard({ extension, uploadAction }: { extension: OwnExtension; uploadAction: FormAction }) {
  return (
    <Card className="mt-6" aria-labelledby="new-version">
      <h2 id="new-version" className="text-lg font-semibold">
        New manifest version
      </h2>
      <p className="mb-4 mt-1 text-sm text-slate-600">
        Upload a manifest for <span className="font-mono">{extension.slug}</span>. A draft with the same version is replaced; a published
        version cannot be.
      </p>
      <ManifestForm action={uploadAction} extensionId={extension.id} submitLabel="Upload version" />
    </Card>
  );
}
