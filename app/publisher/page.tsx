import Link from "next/link";
import { ManifestForm } from "@/components/publisher/manifest-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listPublisherExtensions } from "@/lib/extensions/queries";
import { uploadManifestAction } from "./actions/upload-manifest";

export const metadata = { title: "Publisher Dashboard" };

export default async function PublisherHome() {
  const { publisher } = await guardPage((actor) => requirePublisherMember(actor), "/publisher");
  const rows = await listPublisherExtensions(await getDb(), publisher.id);
  return (
    <>
      <PageHeader title="Publisher Dashboard" description={`Extensions published by ${publisher.name}`} />
      {rows.length === 0 ? (
        <EmptyState title="No extensions yet">Upload a manifest below to create your first extension.</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2" aria-label="Extensions">
          {rows.map((ext) => (
            <li key={ext.id} className="relative rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 focus-within:ring-brand-500">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="truncate font-semibold text-slate-900">
                    <Link href={`/publisher/extensions/${ext.id}`} className="after:absolute after:inset-0 hover:underline">
                      {ext.name}
                    </Link>
                  </h2>
                  <p className="truncate font-mono text-xs text-slate-500">{ext.slug}</p>
                </div>
                <Badge tone={ext.status === "published" ? "success" : "neutral"}>
                  {ext.status === "published" ? "Published" : "Draft"}
                </Badge>
              </div>
              <p className="mt-2 line-clamp-2 text-sm text-slate-600">{ext.description}</p>
              <p className="mt-3 text-xs text-slate-500">
                v{ext.latestVersion ?? "—"} · {ext.installCount} {ext.installCount === 1 ? "installation" : "installations"}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Card className="mt-8" aria-labelledby="new-extension">
        <h2 id="new-extension" className="text-lg font-semibold">
          New extension
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Paste or upload the extension&apos;s manifest. It is created as a draft; publish it once its partner credentials are set.
        </p>
        <ManifestForm
          action={uploadManifestAction}
          submitLabel="Create extension"
          placeholder={'model_version: "1.0"\nextension:\n  id: dev.mycompany.my-extension\n  name: My Extension\n  version: 1.0.0'}
        />
      </Card>
    </>
  );
}
