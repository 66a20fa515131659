"use server";
// Saves or rotates a partner credential. The submitted value goes to the vault and is never returned.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { rotatePartnerCredential, setPartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherDeps, runPublisherAction } from "./run";

const input = z.object({
  extensionId: z.string().uuid(),
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
  mode: z.enum(["set", "rotate"]),
  value: z.string().max(70_000, "The value is too long."),
});

export async function saveCredentialAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({
    extensionId: formData.get("extensionId"),
    key: formData.get("key"),
    mode: formData.get("mode") ?? "set",
    value: formData.get("value") ?? "",
  });
  if (!parsed.success)
    return { ok: false, error: parsed.error.issues[0]?.message ?? "Invalid input.", field: "value", attempt: Date.now() };
  const { extensionId, key, mode, value } = parsed.data;
  const state = await runPublisherAction(async (call) => {
    const deps = await publisherDeps();
    const { declaration } =
      mode === "rotate"
        ? await rotatePartnerCredential(deps, call, extensionId, key, value)
        : await setPartnerCredential(deps, call, extensionId, key, value);
    return {
      ok: true,
      message: mode === "rotate" ? `Rotated ${declaration.label}. The old value is replaced.` : `Saved ${declaration.label}.`,
    };
  });
  revalidatePath(`/publisher/extensions/${extensionId}`, "layout");
  return state;
}
