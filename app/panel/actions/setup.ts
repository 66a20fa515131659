"use server";
// Moves an installation's setup wizard: Next (validate and save the step), Back, or Skip (optional steps).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { submitStep } from "@/lib/extensions/setup-wizard";
import { panelAction, panelDeps } from "@/app/panel/actions/panel-action";

const invalidStep = "Invalid wizard step.";
const input = z.object({
  installationId: z.uuid({ error: invalidStep }),
  step: z.coerce.number({ error: invalidStep }).int().min(0).max(100),
  move: z.enum(["next", "back", "skip"], { error: invalidStep }),
  // Field values arrive as `field:<key>`; secrets among them go to the vault and are never echoed back.
  values: z.record(z.string(), z.string()),
});

function read(formData: FormData) {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (name.startsWith("field:") && typeof value === "string") values[name.slice(6)] = value;
  }
  return { installationId: formData.get("installationId"), step: formData.get("step"), move: formData.get("move"), values };
}

export const setupStepAction = panelAction({
  input,
  read,
  run: async ({ installationId, step, move, values }, call) => {
    const result = await submitStep(await panelDeps(), call, installationId, { stepIndex: step, move, values });
    if (!result.ok) {
      const count = Object.keys(result.errors).length;
      const error = `Nothing was saved: ${count === 1 ? "1 field needs" : `${count} fields need`} attention.`;
      return { ok: false, code: "invalid_request", error, fieldErrors: result.errors };
    }
    return { ok: true, message: move === "back" ? "Went back." : "Saved." };
  },
  after: ({ installationId }) => revalidatePath(`/panel/extensions/${installationId}/setup`),
});
