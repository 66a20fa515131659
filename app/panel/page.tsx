import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { InstallButton } from "@/components/panel/install-button";
import { ConfirmDeleteForm } from "@/components/publisher/confirm-delete-form";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireOrgRole } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listCatalogue } from "@/lib/extensions/installations";
import { listOrgInstallations } from "@/lib/extensions/queries";
import { hasSetup } from "@/lib/extensions/setup-wizard";
import { installAction } from "./actions/install";
import { uninstallAction } from "./actions/uninstall";

export const metadata = { title: "Panel" };

export default async function PanelHome({ searchParams }: { searchParams: Promise<{ org?: string }> }) {
  const { org: orgSlug } = await searchParams;
  const { actor, org } = await guardPage((a) => {
    const wanted = orgSlug ? (a?.orgs.find((o) => o.slug === orgSlug)?.id ?? "unknown") : undefined;
    return requireOrgRole(a, wanted);
  }, "/panel");
  const db = await getDb();
  const [rows, catalogue] = await Promise.all([listOrgInstallations(db, org.id), listCatalogue(db, org.id)]);
  const canInstall = org.role === "owner" || org.role === "admin";
  return (
    <>
      <PageHeader
        title={org.name}
        description={
          <>
            Installed extensions · you are <strong>{org.role}</strong>
          </>
        }
        actions={
          actor.orgs.length > 1 ? (
            <nav aria-label="Organizations" className="flex flex-wrap gap-1">
              {actor.orgs.map((o) => (
                <Link
                  key={o.id}
                  href={`/panel?org=${o.slug}`}
                  aria-current={o.id === org.id ? "true" : undefined}
                  className="rounded-md px-3 py-2 text-sm ring-1 ring-slate-200 aria-[current=true]:bg-brand-50 aria-[current=true]:text-brand-700"
                >
                  {o.name}
                </Link>
              ))}
            </nav>
          ) : null
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No extensions installed">Installed extensions and their setup appear here.</EmptyState>
      ) : (
        <ul
          className="divide-y divide-slate-200 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
          aria-label="Installed extensions"
        >
          {rows.map((row) => (
            <li key={row.id} className="flex flex-col gap-1 p-4 sm:flex-row sm:flex-wrap sm:items-center sm:justify-between">
              <div className="min-w-0">
                <p className="font-medium text-slate-900">{row.name}</p>
                <p className="text-sm text-slate-600">{row.description}</p>
              </div>
              <div className="flex items-center gap-3">
                <Badge tone="brand">v{row.version}</Badge>
                {/* Only when its setup page has steps or a connection to offer: never a dead end. */}
                {hasSetup(row.manifest) ? (
                  <Link
                    href={`/panel/extensions/${row.id}/setup`}
                    className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
                    aria-label={`${row.name} setup`}
                  >
                    Setup
                  </Link>
                ) : null}
                <Link
                  href={`/panel/extensions/${row.id}/settings/secrets`}
                  className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
                  aria-label={`${row.name} secrets`}
                >
                  Secrets
                </Link>
              </div>
              {canInstall ? (
                <div className="sm:basis-full">
                  <ConfirmDeleteForm
                    action={uninstallAction}
                    fields={{ installationId: row.id }}
                    summary="Uninstall…"
                    label={`Uninstall ${row.name}`}
                    pendingLabel="Uninstalling…"
                    warning={`Uninstall ${row.name} from ${org.name}? Its settings in this organization are removed.`}
                  />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="catalogue-heading" className="mt-8">
        <h2 id="catalogue-heading" className="text-lg font-semibold text-slate-900">
          Catalogue
        </h2>
        <p className="text-sm text-slate-600">
          {canInstall
            ? `Published extensions not yet installed in ${org.name}.`
            : `Published extensions not yet installed in ${org.name}. Ask an owner or admin to install one.`}
        </p>
        {catalogue.length === 0 ? (
          <p className="mt-3 text-sm text-slate-500">Every published extension is installed.</p>
        ) : (
          <ul
            className="mt-3 divide-y divide-slate-200 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
            aria-label="Catalogue"
          >
            {catalogue.map((c) => (
              <li key={c.id} className="flex flex-col gap-2 p-4 sm:flex-row sm:items-center sm:justify-between">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{c.name}</p>
                  <p className="text-sm text-slate-600">{c.description}</p>
                  <p className="text-xs text-slate-500">
                    <span className="break-all font-mono">{c.slug}</span> · v{c.version}
                  </p>
                </div>
                {canInstall ? <InstallButton orgId={org.id} extensionId={c.id} name={c.name} action={installAction} /> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
