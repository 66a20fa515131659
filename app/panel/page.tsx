import { Catalogue, InstalledExtensions, OrgSwitcher } from "@/components/panel/org-home";
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
  const installed = rows.map((row) => ({ ...row, hasSetup: hasSetup(row.manifest) }));
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
        actions={actor.orgs.length > 1 ? <OrgSwitcher orgs={actor.orgs} currentId={org.id} /> : null}
      />
      <InstalledExtensions rows={installed} org={org} canUninstall={canInstall} uninstallAction={uninstallAction} />
      <Catalogue entries={catalogue} org={org} canInstall={canInstall} installAction={installAction} />
    </>
  );
}
