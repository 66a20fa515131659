"use server";
// Uninstalls an extension from an organization (owners and admins only). A provider extension that an
// installed consumer still depends on is refused with a message naming the consumers.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { uninstallExtension } from "@/lib/extensions/installations";
import { panelAction } from "@/app/panel/actions/panel-action";

const confirmFirst = "Confirm which extension to uninstall.";
const input = z.object({ installationId: z.uuid({ error: confirmFirst }), confirm: z.literal("yes", { error: confirmFirst }) });

export const uninstallAction = panelAction({
  input,
  run: async ({ installationId }, call) => {
    const { name, orgName } = await uninstallExtension(await getDb(), call, installationId);
    return { ok: true, message: `Uninstalled ${name} from ${orgName}.` };
  },
  after: (_input, state) => {
    if (state.ok) revalidatePath("/panel");
  },
});
