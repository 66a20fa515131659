// Publishing: the newest version goes live for end users, but only once every `required: true`
// partner credential is configured (the guide's exact message names the missing ones by label, in
// manifest order). The version's publishedAt, the extension's status and the `extension.publish`
// audit event commit together.
import { and, eq, isNull } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import { extensionVersions, extensions } from "@/lib/db/schema";
import { getLatestVersion, getOwnExtension, type PublisherCall } from "./access";
import { ExtensionError, missingCredentialsMessage } from "./errors";
import { partnerDeclarations, type PublisherDeps } from "./partner-credentials";

/** Labels of required partner credentials that have no value, in manifest order. */
export async function missingRequiredCredentials(deps: PublisherDeps, extensionId: string, manifest: unknown): Promise<string[]> {
  const required = partnerDeclarations(manifest).filter((d) => d.required);
  if (required.length === 0) return [];
  const set = new Set((await deps.vault.list(extensionId, "ext", extensionId)).filter((s) => s.isSet).map((s) => s.name));
  return required.filter((d) => !set.has(d.name)).map((d) => d.label);
}

export async function publishExtension(deps: PublisherDeps, call: PublisherCall, extensionRef: string) {
  const extension = await getOwnExtension(deps.db, call.actor, extensionRef);
  const version = await getLatestVersion(deps.db, extension.id);
  if (!version) throw new ExtensionError("nothing_to_publish", `${extension.name} has no manifest yet; upload one first.`);
  if (version.publishedAt) {
    throw new ExtensionError("nothing_to_publish", `Version ${version.version} of ${extension.name} is already published.`);
  }
  const missing = await missingRequiredCredentials(deps, extension.id, version.manifest);
  if (missing.length > 0) throw new ExtensionError("publish_blocked", missingCredentialsMessage(missing), { missing });

  const now = new Date();
  return deps.db.transaction(async (tx) => {
    const [published] = await tx
      .update(extensionVersions)
      .set({ publishedAt: now })
      .where(
        and(eq(extensionVersions.id, version.id), eq(extensionVersions.extensionId, extension.id), isNull(extensionVersions.publishedAt)),
      )
      .returning();
    // Another request published it between our check and now.
    if (!published) throw new ExtensionError("nothing_to_publish", `Version ${version.version} of ${extension.name} is already published.`);
    await tx
      .update(extensions)
      .set({ status: "published", updatedAt: now })
      .where(and(eq(extensions.id, extension.id), eq(extensions.publisherId, extension.publisherId)));
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "extension.publish",
        target: `${extension.slug}@${version.version}`,
        extensionId: extension.id,
        occurredAt: now,
        details: { version: version.version, version_id: version.id },
      },
    ]);
    return { extension: { ...extension, status: "published" as const }, version: published };
  });
}
