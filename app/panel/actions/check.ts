"use server";
// Runs a setup wizard's `test` step: calls the extension's check endpoint and reports its answer.
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { runCheckStep } from "@/lib/extensions/check-step";
import { getRuntimeDeps } from "@/lib/runtime";
import { runPanelAction } from "./run";

const input = z.object({ installationId: z.string().uuid(), stepIndex: z.coerce.number().int().min(0) });

export async function checkStepAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ installationId: formData.get("installationId"), stepIndex: formData.get("stepIndex") });
  if (!parsed.success) return { ok: false, error: "Choose a setup step to check.", attempt: Date.now() };
  return runPanelAction(async (call) => {
    const result = await runCheckStep(await getRuntimeDeps(), call, parsed.data.installationId, parsed.data.stepIndex);
    return result.ok
      ? { ok: true, message: result.message, output: result.body }
      : { ok: false, error: result.message, output: result.body };
  });
}
