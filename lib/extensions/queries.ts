// Read queries for extensions and installations, always scoped by their tenant (publisher or org).
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, installations } from "@/lib/db/schema";

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

export async function listOrgInstallations(db: DbOrTx, orgId: string) {
  return db
    .select({
      id: installations.id,
      extensionId: extensions.id,
      name: extensions.name,
      slug: extensions.slug,
      description: extensions.description,
      version: extensionVersions.version,
      /** The installed version's manifest: the panel asks `hasSetup` of it. */
      manifest: extensionVersions.manifest,
      installedAt: installations.createdAt,
    })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .innerJoin(extensionVersions, eq(extensionVersions.id, installations.versionId))
    .where(eq(installations.orgId, orgId))
    .orderBy(extensions.name);
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
  if (orgIds.length === 0) return [];
  return db
    .select({
      installationId: installations.id,
      orgId: installations.orgId,
      extensionId: extensions.id,
      slug: extensions.slug,
      name: extensions.name,
      manifest: extensionVersions.manifest,
    })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .innerJoin(extensionVersions, eq(extensionVersions.id, installations.versionId))
    .where(inArray(installations.orgId, orgIds))
    .orderBy(extensions.name, installations.createdAt);
}
