"use server";
// Runs a setup wizard's `test` step: calls the extension's check endpoint and reports its answer.
import { z } from "zod";
import { env } from "@/lib/env";
import { runCheckStep } from "@/lib/runtime/check-step";
import { getRuntimeDeps } from "@/lib/runtime";
import { panelAction } from "@/app/panel/actions/panel-action";

const input = z.object({
  installationId: z.uuid({ error: "Choose a setup step to check." }),
  stepIndex: z.coerce.number({ error: "Choose a setup step to check." }).int().min(0),
});

export const checkStepAction = panelAction({
  input,
  run: async ({ installationId, stepIndex }, call) => {
    const result = await runCheckStep(await getRuntimeDeps(), call, installationId, stepIndex, {
      allowPrivateAddresses: env().checkAllowPrivateAddresses,
    });
    return result.ok
      ? { ok: true, message: result.message, output: result.body }
      : { ok: false, error: result.message, output: result.body };
  },
});
