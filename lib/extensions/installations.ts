// The panel's catalogue and installs: published extensions an organization has not installed yet, and
// installing one (org owners and admins only) pinned to its newest published version, audited in the
// same transaction. An extension that `requires.oauth_provider` with `on_missing: error` is refused
// until a provider of that id is installed in the organization.
import { and, desc, eq, isNotNull, notInArray } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import { requireOrgRole } from "@/lib/auth/guards";
import type { Db, DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, installations } from "@/lib/db/schema";
import { oauthRequirement } from "@/lib/runtime/context";
import { ExtensionError } from "./errors";
import type { PanelCall } from "./panel-secrets";

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The ids under which an installed extension offers an OAuth provider: its
 * `provides.oauth_provider.provider_id` and the last segment of its extension id. Both count because the
 * spec's own consumer example asks for `my-oauth`, which is the provider extension's id segment
 * (dev.kiket.ext.my-oauth) while its declared provider_id is `my-provider`.
 */
export function providerIdsOf(manifest: unknown, extensionSlug: string): string[] {
  const root = obj(manifest);
  const provides = obj(root.provides ?? obj(root.extension).provides);
  if (!provides.oauth_provider) return [];
  const block = obj(provides.oauth_provider);
  const ids = typeof block.provider_id === "string" ? [block.provider_id] : [];
  const segment = extensionSlug.split(".").pop();
  return segment ? [...ids, segment] : ids;
}

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
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(extensionId);
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
      const present = await tx
        .select({ slug: extensions.slug, manifest: extensionVersions.manifest })
        .from(installations)
        .innerJoin(extensions, eq(extensions.id, installations.extensionId))
        .innerJoin(extensionVersions, eq(extensionVersions.id, installations.versionId))
        .where(eq(installations.orgId, org.id));
      if (!present.some((p) => providerIdsOf(p.manifest, p.slug).includes(requirement.provider))) {
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
    return { installation: row, extension: { id: extension.id, name: extension.name, slug: extension.slug }, version: version.version };
  });
}
