"use server";
// Publishes an extension's newest version, unless a required partner credential is missing.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { publishExtension } from "@/lib/extensions/publish";
import { publisherDeps, runPublisherAction } from "./run";

const input = z.object({ extensionId: z.string().uuid() });

export async function publishExtensionAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ extensionId: formData.get("extensionId") });
  if (!parsed.success) return { ok: false, error: "Unknown extension." };
  const { extensionId } = parsed.data;
  let published: string | undefined;
  const state = await runPublisherAction(async (call) => {
    const { version } = await publishExtension(await publisherDeps(), call, extensionId);
    published = version.version;
    return { ok: true };
  });
  revalidatePath(`/publisher/extensions/${extensionId}`, "layout");
  revalidatePath("/publisher");
  // The publish form disappears once the version is live, so the confirmation lives on the page.
  if (published) redirect(`/publisher/extensions/${extensionId}?published=${encodeURIComponent(published)}`);
  return state;
}
