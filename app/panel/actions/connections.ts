"use server";
// Disconnects an OAuth connection: Latchkey revokes the grant at the provider and deletes the tokens at
// once. Only the person who owns it, or an owner/admin of the organization that owns it, may.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getOAuth } from "@/lib/oauth";
import { panelAction } from "@/app/panel/actions/panel-action";

const confirmFirst = "Confirm the disconnection to continue.";
const input = z.object({
  connectionId: z.uuid({ error: confirmFirst }),
  provider: z.string({ error: confirmFirst }).max(200),
  confirm: z.literal("yes", { error: confirmFirst }),
});

export const disconnectAction = panelAction({
  input,
  run: async ({ connectionId, provider }, { actor, source }) => {
    const { revocationNote } = await (await getOAuth()).disconnect(actor, connectionId, source);
    const done = `Disconnected ${provider}.`;
    return { ok: true, message: revocationNote ? `${done} ${revocationNote}` : `${done} ${provider} revoked the access.` };
  },
  after: () => revalidatePath("/panel/connections"),
});
