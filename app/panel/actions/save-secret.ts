"use server";
// Sets or rotates one of an installation's user/org secrets. The value goes to the vault and is never returned.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { savePanelSecret } from "@/lib/extensions/panel-secrets";
import { panelAction, panelDeps } from "@/app/panel/actions/panel-action";

const input = z.object({
  installationId: z.uuid({ error: "Unknown installation." }),
  ref: z.string({ error: "Unknown secret." }).max(80),
  // Values may hold any character (NUL included): they are sealed, never stored as text.
  value: z.string().default("").pipe(z.string().min(1, "Enter a value.").max(70_000, "The value is too long.")),
});

export const saveSecretAction = panelAction({
  input,
  run: async ({ installationId, ref, value }, call) => {
    const { rotated, label } = await savePanelSecret(await panelDeps(), call, installationId, ref, value);
    return { ok: true, message: rotated ? `Rotated ${label}. The old value is replaced.` : `Saved ${label}.` };
  },
  after: ({ installationId }) => {
    revalidatePath(`/panel/extensions/${installationId}/settings/secrets`);
    // The panel's bell counts "rotation due": a rotation can clear one.
    revalidatePath("/panel", "layout");
  },
});
