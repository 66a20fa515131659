// Who and what is on the platform: organizations (members, installations), people (platform admins
// marked) and extensions (publisher, status, newest version, installations). The overview's counters
// link to these sections.
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listAllExtensions, listOrganizations, listPeople } from "@/lib/admin/overview";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const metadata = { title: "Directory" };
export const dynamic = "force-dynamic";

const list = "mt-3 divide-y divide-slate-100";
const item = "flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 py-2 text-sm";

export default async function AdminDirectoryPage() {
  await guardPage(requirePlatformAdmin, "/admin/directory");
  const db = await getDb();
  const [orgs, people, exts] = await Promise.all([listOrganizations(db), listPeople(db), listAllExtensions(db)]);
  return (
    <>
      <PageHeader title="Directory" description="Organizations, people and extensions on this Latchkey." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="organizations" className="min-w-0">
          <h2 id="organizations" className="scroll-mt-4 font-semibold">
            Organizations ({orgs.length})
          </h2>
          <ul className={list} aria-label="Organizations">
            {orgs.map((o) => (
              <li key={o.id} className={item}>
                <span className="min-w-0 break-words font-medium text-slate-900">{o.name}</span>
                <span className="text-slate-600">
                  {o.members} {o.members === 1 ? "member" : "members"} · {o.installations}{" "}
                  {o.installations === 1 ? "installation" : "installations"}
                </span>
              </li>
            ))}
          </ul>
        </Card>
        <Card aria-labelledby="people" className="min-w-0">
          <h2 id="people" className="scroll-mt-4 font-semibold">
            People ({people.length})
          </h2>
          <ul className={list} aria-label="People">
            {people.map((p) => (
              <li key={p.id} className={item}>
                <span className="min-w-0">
                  <span className="block break-words font-medium text-slate-900">{p.name}</span>
                  <span className="block break-all text-xs text-slate-600">{p.email}</span>
                </span>
                {p.isPlatformAdmin ? <Badge tone="brand">Platform admin</Badge> : null}
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card aria-labelledby="extensions" className="mt-6 min-w-0">
        <h2 id="extensions" className="scroll-mt-4 font-semibold">
          Extensions ({exts.length})
        </h2>
        <ul className={list} aria-label="Extensions">
          {exts.map((e) => (
            <li key={e.id} className={item}>
              <span className="min-w-0">
                <span className="block break-words font-medium text-slate-900">{e.name}</span>
                <span className="block break-all font-mono text-xs text-slate-600">{e.slug}</span>
              </span>
              <span className="flex flex-wrap items-center gap-2 text-slate-600">
                <span>
                  {e.publisherName} · v{e.latestVersion ?? "—"} · {e.installCount} {e.installCount === 1 ? "installation" : "installations"}
                </span>
                <Badge tone={e.status === "published" ? "success" : "neutral"}>{e.status === "published" ? "Published" : "Draft"}</Badge>
              </span>
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
