import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listPublisherExtensions } from "@/lib/extensions/queries";

export const metadata = { title: "Publisher Dashboard" };

export default async function PublisherHome() {
  const { publisher } = await guardPage((actor) => requirePublisherMember(actor), "/publisher");
  const rows = await listPublisherExtensions(await getDb(), publisher.id);
  return (
    <>
      <PageHeader title="Publisher Dashboard" description={`Extensions published by ${publisher.name}`} />
      {rows.length === 0 ? (
        <EmptyState title="No extensions yet">Upload a manifest to create your first extension.</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2" aria-label="Extensions">
          {rows.map((ext) => (
            <li key={ext.id} className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="truncate font-semibold text-slate-900">{ext.name}</h2>
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
      <p className="mt-6 text-xs text-slate-500">
        Manifest upload and Manage Credentials arrive with the publisher issue; see the{" "}
        <Link className="underline" href="/">
          home
        </Link>{" "}
        for your other areas.
      </p>
    </>
  );
}
