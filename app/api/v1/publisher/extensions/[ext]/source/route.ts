// PUT a version's source archive (.zip or .tar.gz as the raw body; `?version=` names the draft, the newest
// version otherwise): it is unpacked in memory, scanned and the findings stored. 422 invalid_archive for
// an archive that is refused (nothing is stored); the answer lists the findings with their lines.
import type { z } from "zod";
import { sourceQuery, type sourceUploaded } from "@/lib/extensions/api-schemas";
import { ArchiveError, DEFAULT_ARCHIVE_LIMITS } from "@/lib/scan/archive";
import { uploadSource } from "@/lib/extensions/upload-source";
import { apiJson, publisherApi } from "../../../handler";

/** Reads the body, refusing it as soon as it passes the archive size limit (never buffers more). */
async function readArchive(request: Request): Promise<Uint8Array> {
  const max = DEFAULT_ARCHIVE_LIMITS.maxArchiveBytes;
  const tooLarge = () => new ArchiveError(`The archive is larger than ${max / 1024 / 1024} MiB.`);
  if (Number(request.headers.get("content-length") ?? 0) > max) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      length += chunk.byteLength;
      if (length > max) throw tooLarge();
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, length);
}

export const PUT = publisherApi<{ ext: string }>(async (request, call, deps, { ext }) => {
  const { version } = sourceQuery.parse({ version: new URL(request.url).searchParams.get("version") ?? undefined });
  const bytes = await readArchive(request);
  const { scan, report, version: row } = await uploadSource(deps, call, { extensionRef: ext, version, bytes });
  return apiJson({
    version: { version: row.version, id: row.id },
    archive: { sha256: scan.archiveSha256, bytes: scan.archiveBytes, format: scan.archiveFormat, files: scan.archiveFiles },
    scan: { files: report.files, manifest_checked: report.manifestChecked, summary: report.summary, findings: report.findings },
  } satisfies z.infer<typeof sourceUploaded>);
});
