"use server";
// Uploads a draft version's source archive (.zip or .tar.gz): it is unpacked in memory, scanned, and the
// findings shown on the version's page. A refused archive comes back as the form's error; nothing is stored.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { DEFAULT_ARCHIVE_LIMITS } from "@/lib/scan/archive";
import { uploadSource } from "@/lib/extensions/upload-source";
import { publisherAction, publisherDeps } from "@/app/publisher/actions/publisher-action";

const MAX = DEFAULT_ARCHIVE_LIMITS.maxArchiveBytes;
const input = z.object({
  extensionId: z.uuid({ error: "Unknown extension." }),
  version: z.string().min(1).max(200),
  archive: z
    .instanceof(File, { error: "Choose a .zip or .tar.gz archive of the extension's source." })
    .refine((f) => f.size > 0, "Choose a .zip or .tar.gz archive of the extension's source.")
    .refine((f) => f.size <= MAX, `The archive is larger than ${MAX / 1024 / 1024} MiB.`),
});

export const uploadSourceAction = publisherAction({
  input,
  read: (formData) => ({ extensionId: formData.get("extensionId"), version: formData.get("version"), archive: formData.get("archive") }),
  run: async ({ extensionId, version, archive }, call) => {
    const bytes = new Uint8Array(await archive.arrayBuffer());
    const { report } = await uploadSource(await publisherDeps(), call, { extensionRef: extensionId, version, bytes });
    const s = report.summary;
    return {
      ok: true,
      message: `Scanned ${report.files.scanned} ${report.files.scanned === 1 ? "file" : "files"} of ${archive.name}: ${s.blocking} blocking, ${s.warnings} ${s.warnings === 1 ? "warning" : "warnings"}.`,
    };
  },
  after: ({ extensionId }, state) => {
    if (state.ok) revalidatePath(`/publisher/extensions/${extensionId}`, "layout");
  },
});
