"use server";
// Creates an extension, or a new draft version of one, from a pasted or uploaded manifest.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { uploadManifest } from "@/lib/extensions/upload-manifest";
import { MAX_MANIFEST_BYTES } from "@/lib/manifest";
import { publisherAction } from "@/app/publisher/actions/publisher-action";

const pasteOrChoose = "Paste a manifest or choose a YAML file.";
const input = z.object({
  yaml: z
    .string()
    .max(MAX_MANIFEST_BYTES * 2, `A manifest is at most ${MAX_MANIFEST_BYTES} bytes.`)
    .refine((y) => y.trim() !== "", pasteOrChoose),
  extensionId: z.uuid().optional(),
  publisherId: z.uuid().optional(),
});

async function read(formData: FormData) {
  const file = formData.get("file");
  // An oversized file is not read: a stand-in one byte over the limit makes the parser say so.
  const fromFile =
    file instanceof File && file.size > 0 ? (file.size <= MAX_MANIFEST_BYTES ? await file.text() : "x".repeat(MAX_MANIFEST_BYTES + 1)) : "";
  return {
    yaml: fromFile || String(formData.get("yaml") ?? ""),
    extensionId: formData.get("extensionId") || undefined,
    publisherId: formData.get("publisherId") || undefined,
  };
}

export const uploadManifestAction = publisherAction({
  input,
  read,
  run: async ({ yaml, publisherId, extensionId }, call) => {
    const result = await uploadManifest(await getDb(), call, { yaml, publisherId, extensionRef: extensionId });
    return {
      ok: true,
      redirectTo: `/publisher/extensions/${result.extension.id}?uploaded=1`,
      message: result.created
        ? `Created ${result.extension.name} (draft ${result.version.version}).`
        : `Uploaded version ${result.version.version} of ${result.extension.name} as a draft.`,
    };
  },
  after: ({ yaml }, state) => {
    // A refused manifest comes back to the form so it can be fixed in place.
    if (!state.ok) return { ...state, yaml: yaml.length <= MAX_MANIFEST_BYTES ? yaml : undefined };
    revalidatePath("/publisher");
    if (state.redirectTo) {
      revalidatePath(state.redirectTo.split("?")[0] ?? "/publisher");
      redirect(state.redirectTo);
    }
  },
});
