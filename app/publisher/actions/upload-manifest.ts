"use server";
// Creates an extension, or a new draft version of one, from a pasted or uploaded manifest.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getDb } from "@/lib/db";
import { uploadManifest } from "@/lib/extensions/upload-manifest";
import { MAX_MANIFEST_BYTES } from "@/lib/manifest";
import { runPublisherAction } from "./run";

const input = z.object({
  yaml: z.string().max(MAX_MANIFEST_BYTES * 2),
  extensionId: z.string().uuid().optional(),
  publisherId: z.string().uuid().optional(),
});

export async function uploadManifestAction(_state: FormState, formData: FormData): Promise<FormState> {
  const file = formData.get("file");
  const fromFile =
    file instanceof File && file.size > 0 ? (file.size <= MAX_MANIFEST_BYTES ? await file.text() : "x".repeat(MAX_MANIFEST_BYTES + 1)) : "";
  const parsed = input.safeParse({
    yaml: fromFile || String(formData.get("yaml") ?? ""),
    extensionId: formData.get("extensionId") || undefined,
    publisherId: formData.get("publisherId") || undefined,
  });
  if (!parsed.success) return { ok: false, error: "Paste a manifest or choose a YAML file.", field: "yaml" };
  const { yaml, extensionId, publisherId } = parsed.data;
  if (yaml.trim() === "") return { ok: false, error: "Paste a manifest or choose a YAML file.", field: "yaml" };

  let target: string | undefined;
  const state = await runPublisherAction(async (call) => {
    const result = await uploadManifest(await getDb(), call, { yaml, publisherId, extensionRef: extensionId });
    target = result.extension.id;
    return {
      ok: true,
      message: result.created
        ? `Created ${result.extension.name} (draft ${result.version.version}).`
        : `Uploaded version ${result.version.version} of ${result.extension.name} as a draft.`,
    };
  });
  if (!state.ok) return { ...state, yaml: yaml.length <= MAX_MANIFEST_BYTES ? yaml : undefined };
  revalidatePath("/publisher");
  if (target) {
    revalidatePath(`/publisher/extensions/${target}`);
    redirect(`/publisher/extensions/${target}?uploaded=1`);
  }
  return state;
}
