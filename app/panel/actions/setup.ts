"use server";
// Moves an installation's setup wizard: Next (validate and save the step), Back, or Skip (optional steps).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { submitStep } from "@/lib/extensions/setup-wizard";
import { panelDeps, runPanelAction } from "./run";

const input = z.object({
  installationId: z.string().uuid(),
  step: z.coerce.number().int().min(0).max(100),
  move: z.enum(["next", "back", "skip"]),
});

export async function setupStepAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({
    installationId: formData.get("installationId"),
    step: formData.get("step"),
    move: formData.get("move"),
  });
  if (!parsed.success) return { ok: false, error: "Invalid wizard step.", attempt: Date.now() };
  const { installationId, step, move } = parsed.data;
  // Field values arrive as `field:<key>`; secrets among them go to the vault and are never echoed back.
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (name.startsWith("field:") && typeof value === "string") values[name.slice(6)] = value.slice(0, 70_000);
  }
  const state = await runPanelAction(async (call) => {
    const result = await submitStep(await panelDeps(), call, installationId, { stepIndex: step, move, values });
    if (!result.ok) {
      const [field, error] = Object.entries(result.errors)[0] ?? ["", "Check the fields."];
      return { ok: false, field, error };
    }
    return { ok: true, message: move === "back" ? "Went back." : "Saved." };
  });
  revalidatePath(`/panel/extensions/${installationId}/setup`);
  return state;
}
