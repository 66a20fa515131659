// Publishing: the newest version goes live for end users, but only once every `required: true`
// partner credential is configured (the guide's exact message names the missing ones by label, in
// manifest order), and only while its OAuth provider_id is not one another provider answers to. The
// version's publishedAt, the extension's status and the `extension.publish` audit event commit together.
// A version whose uploaded source has blocking scan findings (lib/scan) is refused too, in the same
// message as missing credentials, so a publisher fixes everything in one pass; each reasoned exception
// of the scan is written to the audit log (`scan.exception`) when the version is published.
import { and, eq, isNull } from "drizzle-orm";
import { appendAuditEvents, type AuditEventInput } from "@/lib/audit/events";
import type { Tx } from "@/lib/db/client";
import { recordRefusal } from "@/lib/audit/failures";
import { extensionVersions, extensions } from "@/lib/db/schema";
import { logger } from "@/lib/logger";
import { formatManifestError } from "@/lib/manifest";
import { providerAliases } from "@/lib/manifest/oauth";
import { getLatestVersion, getOwnExtension, type PublisherCall } from "./access";
import { blockedMessage, blockingFindings, type Finding } from "@latchkey/scan";
import type { SourceScan } from "@/lib/db/schema";
import { getSourceScan } from "@/lib/extensions/upload-source";
import { ExtensionError, missingCredentialsMessage, type BlockingFinding } from "./errors";
import { partnerDeclarations, type PublisherDeps } from "./partner-credentials";
import { lockProviderIds, providerIdConflicts } from "./provider-ids";

/** Labels of required partner credentials that have no value, in manifest order. */
export async function missingRequiredCredentials(deps: PublisherDeps, extensionId: string, manifest: unknown): Promise<string[]> {
  const required = partnerDeclarations(manifest).filter((d) => d.required);
  if (required.length === 0) return [];
  const set = new Set((await deps.vault.list(extensionId, "ext", extensionId)).filter((s) => s.isSet).map((s) => s.name));
  return required.filter((d) => !set.has(d.name)).map((d) => d.label);
}

/**
 * Publishes the extension's newest version. A refusal (missing required credentials, a provider id
 * taken, nothing to publish) throws ExtensionError and is audited as a `failure` of `extension.publish`:
 * queued outside the publish transaction, which rolled back (or never began).
 */
export async function publishExtension(deps: PublisherDeps, call: PublisherCall, extensionRef: string) {
  try {
    return await publishLatest(deps, call, extensionRef);
  } catch (error) {
    // not_found: no extension of the caller's to name (its existence is not revealed).
    if (error instanceof ExtensionError && error.code !== "not_found") {
      // The caller must see the refusal itself, even when its audit event cannot be queued.
      await recordRefusedPublish(deps, call, extensionRef, error).catch((cause: unknown) =>
        logger.error({ err: cause, code: error.code }, "refused publish not audited"),
      );
    }
    throw error;
  }
}

async function recordRefusedPublish(deps: PublisherDeps, call: PublisherCall, extensionRef: string, error: ExtensionError) {
  const extension = await getOwnExtension(deps.db, call.actor, extensionRef);
  const version = await getLatestVersion(deps.db, extension.id);
  recordRefusal(deps.vault.reads, {
    actor: { kind: "user", id: call.actor.userId },
    source: call.source,
    action: "extension.publish",
    target: version ? `${extension.slug}@${version.version}` : extension.slug,
    extensionId: extension.id,
    outcome: "failure",
    details: {
      code: error.code,
      ...(version ? { version: version.version, version_id: version.id } : {}),
      ...(error.details.missing ? { missing: error.details.missing } : {}),
      ...(error.details.findings ? { scan_blocking: error.details.findings.length } : {}),
    },
  });
}

async function publishLatest(deps: PublisherDeps, call: PublisherCall, extensionRef: string) {
  const extension = await getOwnExtension(deps.db, call.actor, extensionRef);
  const version = await getLatestVersion(deps.db, extension.id);
  if (!version) throw new ExtensionError("nothing_to_publish", `${extension.name} has no manifest yet; upload one first.`);
  if (version.publishedAt) {
    throw new ExtensionError("nothing_to_publish", `Version ${version.version} of ${extension.name} is already published.`);
  }
  const missing = await missingRequiredCredentials(deps, extension.id, version.manifest);
  const scanRefusal = scanRefusalOf(await getSourceScan(deps.db, extension.id, version.id));
  if (missing.length > 0 || scanRefusal) {
    const message = [missing.length > 0 ? missingCredentialsMessage(missing) : null, scanRefusal?.message].filter(Boolean).join("\n");
    throw new ExtensionError("publish_blocked", message, {
      ...(missing.length > 0 ? { missing } : {}),
      ...(scanRefusal ? { findings: scanRefusal.findings } : {}),
    });
  }

  const now = new Date();
  return deps.db.transaction(async (tx) => {
    await checkProviderIds(tx, version, extension);
    // The source may have been replaced since the check above: read its findings again under the version's lock.
    await tx.select({ id: extensionVersions.id }).from(extensionVersions).where(eq(extensionVersions.id, version.id)).for("update");
    const scan = await getSourceScan(tx, extension.id, version.id);
    const lateRefusal = scanRefusalOf(scan);
    if (lateRefusal) throw new ExtensionError("publish_blocked", lateRefusal.message, { findings: lateRefusal.findings });
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
    await appendAuditEvents(tx, publishEvents(call, extension, version, scan, now));
    return { extension: { ...extension, status: "published" as const }, version: published };
  });
}

/**
 * Checks the version's provider ids again at publish (another provider may have published the id since the
 * upload), under a lock so two extensions publishing the same provider id at once cannot both succeed.
 * @throws ExtensionError invalid_manifest naming the colliding ids
 */
async function checkProviderIds(
  tx: Tx,
  version: { manifest: unknown; manifestYaml: string },
  extension: Parameters<typeof providerIdConflicts>[2] & { slug: string; name: string },
): Promise<void> {
  if (providerAliases(version.manifest, extension.slug).length > 0) {
    await lockProviderIds(tx);
    const collisions = await providerIdConflicts(tx, version.manifest, extension, version.manifestYaml);
    if (collisions.length > 0) {
      throw new ExtensionError(
        "invalid_manifest",
        `${extension.name} cannot be published: ${collisions.map(formatManifestError).join("; ")}`,
        {
          manifestErrors: collisions,
        },
      );
    }
  }
}

/** The audit events of a publish: the publish itself (with the scan's summary), and every scan exception the publisher wrote, with its reason. */
function publishEvents(
  call: PublisherCall,
  extension: { id: string; slug: string },
  version: { id: string; version: string },
  scan: SourceScan | null,
  now: Date,
): AuditEventInput[] {
  return [
    {
      actor: { kind: "user", id: call.actor.userId },
      source: call.source,
      action: "extension.publish",
      target: `${extension.slug}@${version.version}`,
      extensionId: extension.id,
      occurredAt: now,
      details: {
        version: version.version,
        version_id: version.id,
        ...(scan
          ? {
              scan: {
                archive_sha256: scan.archiveSha256,
                blocking: scan.blocking,
                warnings: scan.warnings,
                exceptions: scan.exceptions,
                baselined: scan.baselined,
              },
            }
          : {}),
      },
    },
    // Reviewers read every exception the publisher wrote, with its reason, in the audit log.
    ...(scan?.findings ?? [])
      .filter((f): f is Finding & { exception: NonNullable<Finding["exception"]> } => Boolean(f.exception))
      .map((f) => ({
        actor: { kind: "user" as const, id: call.actor.userId },
        source: call.source,
        action: "scan.exception",
        target: `${extension.slug}@${version.version}`,
        extensionId: extension.id,
        occurredAt: now,
        details: {
          version: version.version,
          rule: f.rule,
          path: f.path,
          line: f.line,
          column: f.column,
          snippet: f.snippet,
          reason: f.exception.reason,
        },
      })),
  ];
}

/** The scan's refusal of a version (null when no source was uploaded or nothing blocks). */
function scanRefusalOf(scan: SourceScan | null): { message: string; findings: BlockingFinding[] } | null {
  const message = scan ? blockedMessage(scan) : null;
  if (!scan || !message) return null;
  const findings = blockingFindings(scan).map(({ rule, path, line, column, snippet, message: text }) => ({
    rule,
    path,
    line,
    column,
    snippet,
    message: text,
  }));
  return { message, findings };
}
