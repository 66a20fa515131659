// Uploading a manifest: creates the extension on first upload, or a new draft version of one the
// caller's publisher owns. The extension id in the manifest is the registry key, so a manifest naming
// another publisher's extension is refused, and so is an OAuth provider_id another provider (or the
// built-in catalogue) already answers to. Audited as `manifest.upload` in the same transaction.
import { and, eq } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import type { Db, Tx } from "@/lib/db/client";
import { extensionVersions, extensions, type Extension, type ExtensionVersion } from "@/lib/db/schema";
import { parseManifest, type Manifest, type ManifestError } from "@/lib/manifest";
import { getOwnExtension, type PublisherCall } from "./access";
import { ExtensionError } from "./errors";
import { providerIdConflicts } from "./provider-ids";

export interface UploadManifestInput {
  yaml: string;
  /** The publisher a new extension is created under; defaults to the caller's first. */
  publisherId?: string;
  /** When uploading from an extension's page: the manifest must be for this extension. */
  extensionRef?: string;
}

export interface UploadManifestResult {
  extension: Extension;
  version: ExtensionVersion;
  created: boolean;
  warnings: ManifestError[];
}

export async function uploadManifest(db: Db, call: PublisherCall, input: UploadManifestInput): Promise<UploadManifestResult> {
  const { actor, source } = call;
  const parsed = parseManifest(input.yaml);
  if (!parsed.ok) {
    throw new ExtensionError("invalid_manifest", `The manifest has ${plural(parsed.errors.length, "error")}.`, {
      manifestErrors: parsed.errors,
    });
  }
  const { manifest } = parsed;
  const slug = manifest.extension.id;
  const versionName = manifest.extension.version;
  if (input.extensionRef) {
    // Uploading from an extension's page: it must be the caller's, and the manifest must be for it.
    const target = await getOwnExtension(db, actor, input.extensionRef);
    if (target.slug !== slug) throw new ExtensionError("wrong_extension", `This manifest is for ${slug}, not ${target.slug}.`);
  }

  return db.transaction(async (tx) => {
    const { extension, created } = await claimExtension(tx, actor, input, manifest);
    // Refused here, where the author can still change it, rather than first at publish (which checks again).
    const collisions = await providerIdConflicts(tx, manifest, { id: extension.id, slug }, input.yaml);
    if (collisions.length > 0) {
      throw new ExtensionError("invalid_manifest", `The manifest has ${plural(collisions.length, "error")}.`, {
        manifestErrors: collisions,
      });
    }

    const now = new Date();
    const [existing] = await tx
      .select()
      .from(extensionVersions)
      .where(and(eq(extensionVersions.extensionId, extension.id), eq(extensionVersions.version, versionName)));
    if (existing?.publishedAt) {
      throw new ExtensionError(
        "version_published",
        `Version ${versionName} of ${extension.name} is already published; raise extension.version to upload a new one.`,
      );
    }
    const manifestJson = manifest as unknown as Record<string, unknown>;
    const [version] = existing
      ? await tx
          .update(extensionVersions)
          .set({ manifestYaml: input.yaml, manifest: manifestJson, createdAt: now })
          .where(and(eq(extensionVersions.id, existing.id), eq(extensionVersions.extensionId, extension.id)))
          .returning()
      : await tx
          .insert(extensionVersions)
          .values({ extensionId: extension.id, version: versionName, manifestYaml: input.yaml, manifest: manifestJson, createdAt: now })
          .returning();
    if (!version) throw new Error("version row missing after write");
    const [updated] = await tx
      .update(extensions)
      .set({ name: manifest.extension.name, description: manifest.extension.description, updatedAt: now })
      .where(and(eq(extensions.id, extension.id), eq(extensions.publisherId, extension.publisherId)))
      .returning();
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: actor.userId },
        source,
        action: "manifest.upload",
        target: `${slug}@${versionName}`,
        extensionId: extension.id,
        occurredAt: now,
        details: { version: versionName, created, replaced_draft: Boolean(existing), warnings: parsed.warnings?.length ?? 0 },
      },
    ]);
    return { extension: updated ?? extension, version, created, warnings: parsed.warnings ?? [] };
  });
}

/**
 * The manifest's extension, locked: the caller's existing one, or one created under `input.publisherId`
 * (default: the caller's first publisher).
 * @throws ExtensionError forbidden (not a member of that publisher), extension_taken (another publisher's id)
 */
async function claimExtension(
  tx: Tx,
  actor: PublisherCall["actor"],
  input: UploadManifestInput,
  manifest: Manifest,
): Promise<{ extension: Extension; created: boolean }> {
  const slug = manifest.extension.id;
  const mine = (publisherId: string) => actor.publishers.some((p) => p.id === publisherId);
  let [extension] = await tx.select().from(extensions).where(eq(extensions.slug, slug)).for("update");
  let created = false;
  if (!extension) {
    const publisherId = input.publisherId ?? actor.publishers[0]?.id;
    if (!publisherId || !mine(publisherId)) throw new ExtensionError("forbidden", "You are not a member of this publisher.");
    const inserted = await tx
      .insert(extensions)
      .values({ publisherId, slug, name: manifest.extension.name, description: manifest.extension.description, status: "draft" })
      .onConflictDoNothing()
      .returning();
    extension = inserted[0] ?? (await tx.select().from(extensions).where(eq(extensions.slug, slug)))[0];
    created = inserted.length > 0;
  }
  if (!extension || !mine(extension.publisherId)) {
    throw new ExtensionError("extension_taken", `The extension id ${slug} is registered by another publisher.`);
  }
  return { extension, created };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
