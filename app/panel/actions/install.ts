"use server";
// Installs a published extension into one of the caller's organizations (owners and admins only), then
// opens its setup wizard (or, when it has no setup, its Secrets page); a refusal comes back as form state
// shown beside the Install button.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { installExtension } from "@/lib/extensions/installations";
import { panelAction } from "@/app/panel/actions/panel-action";

const chooseOne = "Choose an extension to install.";
const input = z.object({ orgId: z.uuid({ error: chooseOne }), extensionId: z.uuid({ error: chooseOne }) });

export const installAction = panelAction({
  input,
  run: async ({ orgId, extensionId }, call) => {
    const { extension, version, installation, hasSetup } = await installExtension(await getDb(), call, orgId, extensionId);
    const next = `/panel/extensions/${installation.id}/${hasSetup ? "setup" : "settings/secrets"}?installed=1`;
    return { ok: true, message: `Installed ${extension.name} v${version}.`, redirectTo: next };
  },
  after: (_input, state) => {
    revalidatePath("/panel");
    // redirect() works by throwing, which formAction lets reach Next untouched.
    if (state.ok && state.redirectTo) redirect(state.redirectTo);
  },
});
