// The publish-time scan of a version's source (lib/scan): one row per version that has an uploaded
// archive, replaced when a new archive is uploaded for the same draft. The archive itself is not kept:
// only its digest, size and the findings (each with its few lines of code, credential values masked),
// which the version page shows and publishing checks.
import type { Finding } from "@latchkey/scan";
import { boolean, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { extensionVersions, extensions, users } from "./core";
import { createdAt, id } from "./types";

export const sourceScans = pgTable(
  "source_scans",
  {
    id: id(),
    versionId: uuid("version_id")
      .notNull()
      .unique()
      .references(() => extensionVersions.id, { onDelete: "cascade" }),
    extensionId: uuid("extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "cascade" }),
    /** SHA-256 of the uploaded archive, hex: which upload the findings belong to. */
    archiveSha256: text("archive_sha256").notNull(),
    archiveBytes: integer("archive_bytes").notNull(),
    archiveFormat: text("archive_format").notNull(),
    /** Files in the archive, and those of them that ship and were scanned. */
    archiveFiles: integer("archive_files").notNull(),
    scannedFiles: integer("scanned_files").notNull(),
    scannerVersion: text("scanner_version").notNull(),
    blocking: integer("blocking").notNull(),
    warnings: integer("warnings").notNull(),
    exceptions: integer("exceptions").notNull(),
    baselined: integer("baselined").notNull(),
    /** Whether the version's manifest was known to the scan (it always is for an upload). */
    manifestChecked: boolean("manifest_checked").notNull().default(true),
    findings: jsonb("findings").$type<Finding[]>().notNull(),
    uploadedBy: uuid("uploaded_by").references(() => users.id, { onDelete: "set null" }),
    uploadedAt: createdAt(),
  },
  (t) => [index("source_scans_extension_idx").on(t.extensionId)],
);

export type SourceScan = typeof sourceScans.$inferSelect;
