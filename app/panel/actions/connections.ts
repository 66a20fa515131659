"use server";
// Disconnects an OAuth connection: Latchkey revokes the grant at the provider and deletes the tokens at
// once. Only the person who owns it, or an owner/admin of the organization that owns it, may.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getOAuth } from "@/lib/oauth";
import { runPanelAction } from "./run";

const input = z.object({ connectionId: z.string().uuid(), provider: z.string().max(200), confirm: z.literal("yes") });

export async function disconnectAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({
    connectionId: formData.get("connectionId"),
    provider: formData.get("provider"),
    confirm: formData.get("confirm"),
  });
  if (!parsed.success) return { ok: false, error: "Confirm the disconnection to continue.", attempt: Date.now() };
  const { connectionId, provider } = parsed.data;
  const state = await runPanelAction(async ({ actor, source }) => {
    const { revocationNote } = await (await getOAuth()).disconnect(actor, connectionId, source);
    const done = `Disconnected ${provider}.`;
    return { ok: true, message: revocationNote ? `${done} ${revocationNote}` : `${done} ${provider} revoked the access.` };
  });
  revalidatePath("/panel/connections");
  return state;
}
