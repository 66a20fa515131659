// The panel's catalogue and installs: published extensions an organization has not installed yet, and
// installing one (org owners and admins only) pinned to its newest published version, audited in the
// same transaction. An extension that `requires.oauth_provider` with `on_missing: error` is refused
// until a provider of that id is installed in the organization.
import { isUuid } from "@/lib/db/ids";
import { and, desc, eq, isNotNull, notInArray } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import { requireOrgRole } from "@/lib/auth/guards";
import type { Db, DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, installations } from "@/lib/db/schema";
import { providerAliases } from "@/lib/manifest/oauth";
import { oauthRequirement } from "@/lib/manifest/oauth";
import { ExtensionError } from "./errors";
import { installationsWithManifests, installationsWithVersions } from "./queries";
import type { PanelCall } from "./panel-secrets";
import { hasSetup } from "./setup-wizard";

/** Published extensions not yet installed in the organization, with the version an install would pin. */
export async function listCatalogue(db: DbOrTx, orgId: string) {
  const installed = db.select({ id: installations.extensionId }).from(installations).where(eq(installations.orgId, orgId));
  const rows = await db
    .select({
      id: extensions.id,
      slug: extensions.slug,
      name: extensions.name,
      description: extensions.description,
      version: extensionVersions.version,
      publishedAt: extensionVersions.publishedAt,
    })
    .from(extensions)
    .innerJoin(extensionVersions, eq(extensionVersions.extensionId, extensions.id))
    .where(and(eq(extensions.status, "published"), isNotNull(extensionVersions.publishedAt), notInArray(extensions.id, installed)))
    .orderBy(extensions.name, desc(extensionVersions.publishedAt), desc(extensionVersions.createdAt));
  // Newest published version per extension (rows are ordered newest first within each extension).
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/** Installs a published extension into one of the caller's organizations; owners and admins only. */
export async function installExtension(db: Db, call: PanelCall, orgId: string, extensionId: string) {
  const { org } = requireOrgRole(call.actor, orgId, "admin");
  const uuid = isUuid(extensionId);
  return db.transaction(async (tx) => {
    const [latest] = uuid
      ? await tx
          .select({ extension: extensions, version: extensionVersions })
          .from(extensions)
          .innerJoin(extensionVersions, eq(extensionVersions.extensionId, extensions.id))
          .where(and(eq(extensions.id, extensionId), eq(extensions.status, "published"), isNotNull(extensionVersions.publishedAt)))
          .orderBy(desc(extensionVersions.publishedAt), desc(extensionVersions.createdAt))
          .limit(1)
      : [];
    if (!latest) throw new ExtensionError("not_found", "No such published extension.");
    const { extension, version } = latest;
    const existing = await tx
      .select({ id: installations.id })
      .from(installations)
      .where(and(eq(installations.orgId, org.id), eq(installations.extensionId, extension.id)));
    if (existing.length > 0) throw new ExtensionError("already_installed", `${extension.name} is already installed in ${org.name}.`);

    const requirement = oauthRequirement(version.manifest);
    if (requirement?.onMissing === "error") {
      const present = await installationsWithManifests(tx, [org.id]);
      if (!present.some((p) => providerAliases(p.manifest, p.slug).includes(requirement.provider))) {
        throw new ExtensionError(
          "install_blocked",
          `${extension.name} requires the OAuth provider "${requirement.provider}", which is not installed in ${org.name}. Install the provider first.`,
        );
      }
    }

    const [row] = await tx
      .insert(installations)
      .values({ extensionId: extension.id, orgId: org.id, versionId: version.id, installedBy: call.actor.userId })
      .returning();
    if (!row) throw new Error("installation insert returned nothing");
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "extension.install",
        target: extension.slug,
        extensionId: extension.id,
        orgId: org.id,
        details: { version: version.version, installationId: row.id },
      },
    ]);
    return {
      installation: row,
      extension: { id: extension.id, name: extension.name, slug: extension.slug },
      version: version.version,
      /** Whether its setup page has steps or a connection to offer (else the Secrets page is where to go next). */
      hasSetup: hasSetup(version.manifest),
    };
  });
}

/**
 * Uninstalls an extension from an organization (owners and admins). A provider extension cannot be
 * uninstalled while an installed consumer depends on it: the message names them. Connections made
 * through it stay listed (Disconnect revokes them); the installation's settings and uses go with it.
 */
export async function uninstallExtension(db: Db, call: PanelCall, installationId: string) {
  const uuid = isUuid(installationId);
  return db.transaction(async (tx) => {
    const orgIds = call.actor.orgs.map((o) => o.id);
    const [row] = uuid ? await installationsWithVersions(tx, { installationId, orgIds }) : [];
    if (!row) throw new ExtensionError("not_found", "No such installation.");
    const found = { installation: row.installation, slug: row.extension.slug, name: row.extension.name };
    const { org } = requireOrgRole(call.actor, found.installation.orgId, "admin");
    const aliases = providerAliases(row.version.manifest, found.slug);
    if (aliases.length > 0) {
      const others = await installationsWithManifests(tx, [org.id]);
      const dependents = others.filter((o) => {
        const requirement = oauthRequirement(o.manifest);
        return requirement !== null && aliases.includes(requirement.provider);
      });
      if (dependents.length > 0) {
        throw new ExtensionError(
          "uninstall_blocked",
          `${found.name} provides the OAuth provider that ${dependents.map((d) => d.name).join(", ")} ${dependents.length === 1 ? "depends" : "depend"} on. Uninstall ${dependents.length === 1 ? "it" : "them"} first.`,
        );
      }
    }
    await tx.delete(installations).where(eq(installations.id, found.installation.id));
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "extension.uninstall",
        target: found.slug,
        extensionId: found.installation.extensionId,
        orgId: org.id,
        details: { installationId: found.installation.id },
      },
    ]);
    return { name: found.name, orgName: org.name };
  });
}
