"use server";
// Deletes one of an installation's user/org secrets (crypto-shred: every stored version is destroyed).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { deletePanelSecret } from "@/lib/extensions/panel-secrets";
import { panelAction, panelDeps } from "@/app/panel/actions/panel-action";

const confirmFirst = "Confirm the deletion to continue.";
const input = z.object({
  installationId: z.uuid({ error: confirmFirst }),
  ref: z.string({ error: confirmFirst }).max(80),
  confirm: z.literal("yes", { error: confirmFirst }),
});

export const deleteSecretAction = panelAction({
  input,
  run: async ({ installationId, ref }, call) => {
    const { wasSet, label } = await deletePanelSecret(await panelDeps(), call, installationId, ref);
    return { ok: true, message: wasSet ? `Deleted ${label}. Its stored value is destroyed.` : `${label} was not set.` };
  },
  after: ({ installationId }) => revalidatePath(`/panel/extensions/${installationId}/settings/secrets`),
});
