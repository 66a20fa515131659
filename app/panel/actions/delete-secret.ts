"use server";
// Deletes one of an installation's user/org secrets (crypto-shred: every stored version is destroyed).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { deletePanelSecret } from "@/lib/extensions/panel-secrets";
import { panelDeps, runPanelAction } from "./run";

const input = z.object({ installationId: z.string().uuid(), ref: z.string().max(80), confirm: z.literal("yes") });

export async function deleteSecretAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({
    installationId: formData.get("installationId"),
    ref: formData.get("ref"),
    confirm: formData.get("confirm"),
  });
  if (!parsed.success) return { ok: false, error: "Confirm the deletion to continue.", attempt: Date.now() };
  const { installationId, ref } = parsed.data;
  const state = await runPanelAction(async (call) => {
    const { wasSet } = await deletePanelSecret(await panelDeps(), call, installationId, ref);
    return { ok: true, message: wasSet ? `Deleted ${ref}.` : `${ref} was not set.` };
  });
  revalidatePath(`/panel/extensions/${installationId}/settings/secrets`);
  return state;
}
