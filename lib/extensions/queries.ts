// Read queries for extensions and installations, always scoped by their tenant (publisher or org).
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import {
  extensionVersions,
  extensions,
  installations,
  orgMembers,
  type Extension,
  type ExtensionVersion,
  type Installation,
} from "@/lib/db/schema";

/**
 * A publisher's extensions by name, each with its newest version (by upload time; null when none) and how
 * many organizations have it installed.
 */
export async function listPublisherExtensions(db: DbOrTx, publisherId: string) {
  // In a one-table select drizzle writes columns unqualified, so inside a subquery over another table
  // `${extensions.id}` would read that table's own "id": the outer row is named with its table.
  const outerId = sql`${extensions}.${sql.identifier(extensions.id.name)}`;
  return db
    .select({
      id: extensions.id,
      slug: extensions.slug,
      name: extensions.name,
      description: extensions.description,
      status: extensions.status,
      updatedAt: extensions.updatedAt,
      latestVersion: sql<string | null>`(select ${extensionVersions.version} from ${extensionVersions}
        where ${extensionVersions.extensionId} = ${outerId} order by ${extensionVersions.createdAt} desc limit 1)`,
      installCount: sql<number>`(select count(*)::int from ${installations} where ${installations.extensionId} = ${outerId})`,
    })
    .from(extensions)
    .where(eq(extensions.publisherId, publisherId))
    .orderBy(extensions.name);
}

/** The installations of one organization with their installed version, by extension name (the panel's home). */
export async function listOrgInstallations(db: DbOrTx, orgId: string) {
  const rows = await installationsWithVersions(db, { orgIds: [orgId] });
  return rows.map(({ installation, extension, version }) => ({
    id: installation.id,
    extensionId: extension.id,
    name: extension.name,
    slug: extension.slug,
    description: extension.description,
    version: version.version,
    /** The installed version's manifest: the panel asks `hasSetup` of it. */
    manifest: version.manifest,
    installedAt: installation.createdAt,
  }));
}

/** One installation, only if it belongs to the given organization. */
export async function getInstallationForOrg(db: DbOrTx, installationId: string, orgId: string) {
  const [row] = await db
    .select()
    .from(installations)
    .where(and(eq(installations.id, installationId), eq(installations.orgId, orgId)));
  return row ?? null;
}

/** An extension's versions, newest first, only if the extension belongs to the given publisher. */
export async function listExtensionVersions(db: DbOrTx, extensionId: string, publisherId: string) {
  return db
    .select({
      id: extensionVersions.id,
      version: extensionVersions.version,
      publishedAt: extensionVersions.publishedAt,
      createdAt: extensionVersions.createdAt,
    })
    .from(extensionVersions)
    .innerJoin(extensions, eq(extensions.id, extensionVersions.extensionId))
    .where(and(eq(extensionVersions.extensionId, extensionId), eq(extensions.publisherId, publisherId)))
    .orderBy(sql`${extensionVersions.createdAt} desc`);
}

/** Installations in the given organizations with their installed version's manifest, by extension name. */
export async function installationsWithManifests(db: DbOrTx, orgIds: string[]) {
  const rows = await installationsWithVersions(db, { orgIds });
  return rows.map(({ installation, extension, version }) => ({
    installationId: installation.id,
    orgId: installation.orgId,
    extensionId: extension.id,
    slug: extension.slug,
    name: extension.name,
    manifest: version.manifest,
  }));
}

/**
 * Which installations to read. Tenant data, so at least one tenant bound is required: one installation
 * by id, or every installation in the given organizations; with both, the installation only if it is in
 * one of them. Ids must be UUIDs (the caller checks input it did not mint itself).
 */
export type InstallationScope =
  { installationId: string; orgIds?: readonly string[] } | { installationId?: undefined; orgIds: readonly string[] };

/** One installation joined to its extension and the version it is pinned to, as `installationsWithVersions` reads it. */
export interface InstallationWithVersion {
  installation: Installation;
  extension: Extension;
  /** The installed (pinned) version; its manifest is what the installation declares and asks for. */
  version: Pick<ExtensionVersion, "id" | "version" | "manifest" | "publishedAt">;
  /** Whether `memberUserId` (when given) is a member of the installation's organization; false when none is given. */
  userIsMember: boolean;
}

/**
 * The one read of installation → extension → installed version: every installation in `scope`, with its
 * extension and the version it is pinned to, ordered by extension name then install time. An empty
 * `orgIds` matches nothing (no query is made). With `memberUserId`, each row also says whether that
 * user belongs to the installation's organization, in the same query.
 */
export async function installationsWithVersions(
  db: DbOrTx,
  scope: InstallationScope,
  options: { memberUserId?: string | null } = {},
): Promise<InstallationWithVersion[]> {
  if (scope.orgIds?.length === 0) return [];
  const { memberUserId } = options;
  const userIsMember = memberUserId
    ? sql<boolean>`exists (select 1 from ${orgMembers} where ${orgMembers.orgId} = ${installations.orgId} and ${orgMembers.userId} = ${memberUserId})`
    : sql<boolean>`false`;
  return db
    .select({
      installation: installations,
      extension: extensions,
      version: {
        id: extensionVersions.id,
        version: extensionVersions.version,
        manifest: extensionVersions.manifest,
        publishedAt: extensionVersions.publishedAt,
      },
      userIsMember,
    })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .innerJoin(extensionVersions, eq(extensionVersions.id, installations.versionId))
    .where(
      and(
        scope.installationId === undefined ? undefined : eq(installations.id, scope.installationId),
        scope.orgIds === undefined ? undefined : inArray(installations.orgId, [...scope.orgIds]),
      ),
    )
    .orderBy(extensions.name, installations.createdAt);
}
