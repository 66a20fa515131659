"use server";
// Sets or rotates one of an installation's user/org secrets. The value goes to the vault and is never returned.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { savePanelSecret } from "@/lib/extensions/panel-secrets";
import { panelDeps, runPanelAction } from "./run";

const input = z.object({
  installationId: z.string().uuid(),
  ref: z.string().max(80),
  value: z.string().min(1, "Enter a value.").max(70_000, "The value is too long."),
});

export async function saveSecretAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({
    installationId: formData.get("installationId"),
    ref: formData.get("ref"),
    value: formData.get("value") ?? "",
  });
  if (!parsed.success)
    return { ok: false, error: parsed.error.issues[0]?.message ?? "Invalid input.", field: "value", attempt: Date.now() };
  const { installationId, ref, value } = parsed.data;
  const state = await runPanelAction(async (call) => {
    const { rotated } = await savePanelSecret(await panelDeps(), call, installationId, ref, value);
    return { ok: true, message: rotated ? `Rotated ${ref}.` : `Saved ${ref}.` };
  });
  revalidatePath(`/panel/extensions/${installationId}/settings/secrets`);
  // The panel's bell counts "rotation due": a rotation can clear one.
  revalidatePath("/panel", "layout");
  return state;
}
