"use server";
// Uninstalls an extension from an organization (owners and admins only). A provider extension that an
// installed consumer still depends on is refused with a message naming the consumers.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getDb } from "@/lib/db";
import { uninstallExtension } from "@/lib/extensions/installations";
import { runPanelAction } from "./run";

const input = z.object({ installationId: z.string().uuid(), confirm: z.literal("yes") });

export async function uninstallAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ installationId: formData.get("installationId"), confirm: formData.get("confirm") });
  if (!parsed.success) return { ok: false, error: "Confirm which extension to uninstall.", attempt: Date.now() };
  const state = await runPanelAction(async (call) => {
    const { name, orgName } = await uninstallExtension(await getDb(), call, parsed.data.installationId);
    return { ok: true, message: `Uninstalled ${name} from ${orgName}.` };
  });
  if (state.ok) revalidatePath("/panel");
  return state;
}
