"use server";
// Deletes a partner credential's value (after the form's confirmation step).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { deletePartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherDeps, runPublisherAction } from "./run";

const input = z.object({ extensionId: z.string().uuid(), key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/), confirm: z.literal("yes") });

export async function deleteCredentialAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ extensionId: formData.get("extensionId"), key: formData.get("key"), confirm: formData.get("confirm") });
  if (!parsed.success) return { ok: false, error: "Confirm the deletion first.", attempt: Date.now() };
  const { extensionId, key } = parsed.data;
  const state = await runPublisherAction(async (call) => {
    const { declaration, wasSet } = await deletePartnerCredential(await publisherDeps(), call, extensionId, key);
    return { ok: true, message: wasSet ? `Deleted ${declaration.label}.` : `${declaration.label} had no value.` };
  });
  revalidatePath(`/publisher/extensions/${extensionId}`, "layout");
  return state;
}
