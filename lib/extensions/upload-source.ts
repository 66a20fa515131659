// Uploading a version's source: the archive is unpacked in memory (archive.ts, refused whole on any
// unsafe entry), narrowed to what ships (defaults plus the archive's own .latchkeyignore), scanned
// against the version's manifest (@latchkey/scan) with the archive's baseline file, and the findings are
// stored for the version with a `source.upload` audit event, in one transaction. A refused archive stores
// nothing. Publishing (lib/extensions/publish.ts) then reads the stored findings.
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import {
  BASELINE_FILE,
  IGNORE_FILE,
  isScannable,
  parseBaseline,
  scanFiles,
  shipFilter,
  type DeclaredName,
  type ScanReport,
  type SourceFile,
} from "@latchkey/scan";
import { appendAuditEvents } from "@/lib/audit/events";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, sourceScans, type ExtensionVersion, type SourceScan } from "@/lib/db/schema";
import { getLatestVersion, getOwnExtension, type PublisherCall } from "@/lib/extensions/access";
import { ExtensionError } from "@/lib/extensions/errors";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { declaredSecrets } from "@/lib/manifest";
import { ArchiveError, DEFAULT_ARCHIVE_LIMITS, unpackArchive, type ArchiveLimits } from "@/lib/scan/archive";

export interface UploadSourceInput {
  extensionRef: string;
  /** The draft version the source belongs to; the newest version when absent. */
  version?: string;
  bytes: Uint8Array;
  limits?: ArchiveLimits;
}

/** The manifest's declarations as the scanner takes them (lib/manifest/declarations.ts is the source). */
export function scanDeclarations(manifest: unknown): DeclaredName[] {
  return declaredSecrets(manifest).map((d) => ({ scope: d.scope, name: d.name, writeMode: d.writeMode }));
}

/** The files of an unpacked archive that ship, decoded as text (binary files are left out), and its baseline. */
export function shippedSources(files: Map<string, Buffer>): { sources: SourceFile[]; baseline: Set<string> | undefined } {
  const ignoreFile = files.get(IGNORE_FILE);
  const filter = shipFilter(ignoreFile ? ignoreFile.toString("utf8") : null);
  const sources: SourceFile[] = [];
  for (const [path, data] of files) {
    if (filter.ignores(path) || !isScannable(path) || data.includes(0)) continue;
    sources.push({ path, content: data.toString("utf8") });
  }
  const baselineFile = files.get(BASELINE_FILE);
  let baseline: Set<string> | undefined;
  if (baselineFile) {
    try {
      baseline = parseBaseline(baselineFile.toString("utf8"));
    } catch (error) {
      throw new ArchiveError((error as Error).message);
    }
  }
  return { sources, baseline };
}

async function versionFor(db: DbOrTx, extensionId: string, extensionName: string, version?: string): Promise<ExtensionVersion> {
  const row = version
    ? (
        await db
          .select()
          .from(extensionVersions)
          .where(and(eq(extensionVersions.extensionId, extensionId), eq(extensionVersions.version, version)))
      )[0]
    : await getLatestVersion(db, extensionId);
  if (!row) {
    throw new ExtensionError(
      "not_found",
      version
        ? `${extensionName} has no version ${version}; upload its manifest first.`
        : `${extensionName} has no manifest yet; upload one first.`,
    );
  }
  if (row.publishedAt) {
    throw new ExtensionError(
      "version_published",
      `Version ${row.version} of ${extensionName} is already published; upload source with a new draft version.`,
    );
  }
  return row;
}

/**
 * Scans an uploaded archive for a draft version and stores the findings (replacing an earlier upload's).
 * Throws ArchiveError (422 `invalid_archive`) for an archive that is refused, ExtensionError for an
 * unknown extension or version or a published one; nothing is stored then.
 */
export async function uploadSource(
  deps: PublisherDeps,
  call: PublisherCall,
  input: UploadSourceInput,
): Promise<{ scan: SourceScan; report: ScanReport; version: ExtensionVersion }> {
  const extension = await getOwnExtension(deps.db, call.actor, input.extensionRef);
  await versionFor(deps.db, extension.id, extension.name, input.version);
  const unpacked = await unpackArchive(input.bytes, input.limits ?? DEFAULT_ARCHIVE_LIMITS);
  const { sources, baseline } = shippedSources(unpacked.files);
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");

  return deps.db.transaction(async (tx) => {
    // The version is read again inside the transaction, locked, so a publish cannot slip in between.
    const version = await versionFor(tx, extension.id, extension.name, input.version);
    await tx.select({ id: extensionVersions.id }).from(extensionVersions).where(eq(extensionVersions.id, version.id)).for("update");
    const report = scanFiles(sources, { declared: scanDeclarations(version.manifest), baseline });
    const now = new Date();
    const values = {
      versionId: version.id,
      extensionId: extension.id,
      archiveSha256: sha256,
      archiveBytes: input.bytes.byteLength,
      archiveFormat: unpacked.format,
      archiveFiles: unpacked.files.size,
      scannedFiles: report.files.scanned,
      scannerVersion: report.scanner.version,
      ...report.summary,
      manifestChecked: report.manifestChecked,
      findings: report.findings,
      uploadedBy: call.actor.userId,
      uploadedAt: now,
    };
    const [scan] = await tx
      .insert(sourceScans)
      .values(values)
      .onConflictDoUpdate({ target: sourceScans.versionId, set: values })
      .returning();
    if (!scan) throw new Error("source scan row missing after write");
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "source.upload",
        target: `${extension.slug}@${version.version}`,
        extensionId: extension.id,
        occurredAt: now,
        details: {
          version: version.version,
          version_id: version.id,
          archive_sha256: sha256,
          archive_bytes: input.bytes.byteLength,
          files: unpacked.files.size,
          scanned: report.files.scanned,
          ...report.summary,
        },
      },
    ]);
    return { scan, report, version };
  });
}

/** The stored scan of a version of one of the caller's extensions (null when no source was uploaded). */
export async function getSourceScan(db: DbOrTx, extensionId: string, versionId: string): Promise<SourceScan | null> {
  const [row] = await db
    .select()
    .from(sourceScans)
    .where(and(eq(sourceScans.versionId, versionId), eq(sourceScans.extensionId, extensionId)));
  return row ?? null;
}
