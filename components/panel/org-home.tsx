// The sections of an organization's panel home (app/panel/page.tsx), as server components: the switcher
// between the person's organizations, the installed extensions with their Setup, Secrets and Uninstall,
// and the catalogue of published extensions not installed yet. Actions come in from the page.
import Link from "next/link";
import { InstallButton } from "@/components/panel/install-button";
import { ConfirmDeleteForm } from "@/components/publisher/confirm-delete-form";
import type { FormAction } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import type { UserActor } from "@/lib/auth/actor";
import type { listCatalogue } from "@/lib/extensions/installations";
import type { listOrgInstallations } from "@/lib/extensions/queries";

type Org = UserActor["orgs"][number];

/** An installed extension as listed, with whether its setup page has steps or a connection to offer. */
export type InstalledView = Awaited<ReturnType<typeof listOrgInstallations>>[number] & { hasSetup: boolean };
type CatalogueEntry = Awaited<ReturnType<typeof listCatalogue>>[number];

const rowLinkClass = "rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50";

/** Links to each of the person's organizations, the current one marked. */
export function OrgSwitcher({ orgs, currentId }: { orgs: Org[]; currentId: string }) {
  return (
    <nav aria-label="Organizations" className="flex flex-wrap gap-1">
      {orgs.map((o) => (
        <Link
          key={o.id}
          href={`/panel?org=${o.slug}`}
          aria-current={o.id === currentId ? "true" : undefined}
          className="rounded-md px-3 py-2 text-sm ring-1 ring-slate-200 aria-[current=true]:bg-brand-50 aria-[current=true]:text-brand-700"
        >
          {o.name}
        </Link>
      ))}
    </nav>
  );
}

export function InstalledExtensions({
  rows,
  org,
  canUninstall,
  uninstallAction,
}: {
  rows: InstalledView[];
  org: Org;
  canUninstall: boolean;
  uninstallAction: FormAction;
}) {
  if (rows.length === 0) {
    return <EmptyState title="No extensions installed">Installed extensions and their setup appear here.</EmptyState>;
  }
  return (
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
            {row.hasSetup ? (
              <Link href={`/panel/extensions/${row.id}/setup`} className={rowLinkClass} aria-label={`${row.name} setup`}>
                Setup
              </Link>
            ) : null}
            <Link href={`/panel/extensions/${row.id}/settings/secrets`} className={rowLinkClass} aria-label={`${row.name} secrets`}>
              Secrets
            </Link>
          </div>
          {canUninstall ? (
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
  );
}

/** Published extensions not installed in the organization, with Install for its owners and admins. */
export function Catalogue({
  entries,
  org,
  canInstall,
  installAction,
}: {
  entries: CatalogueEntry[];
  org: Org;
  canInstall: boolean;
  installAction: FormAction;
}) {
  return (
    <section aria-labelledby="catalogue-heading" className="mt-8">
      <h2 id="catalogue-heading" className="text-lg font-semibold text-slate-900">
        Catalogue
      </h2>
      <p className="text-sm text-slate-600">
        {canInstall
          ? `Published extensions not yet installed in ${org.name}.`
          : `Published extensions not yet installed in ${org.name}. Ask an owner or admin to install one.`}
      </p>
      {entries.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500">Every published extension is installed.</p>
      ) : (
        <ul
          className="mt-3 divide-y divide-slate-200 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
          aria-label="Catalogue"
        >
          {entries.map((c) => (
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
  );
}
