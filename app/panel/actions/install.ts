"use server";
// Installs a published extension into one of the caller's organizations (owners and admins only), then
// opens its setup wizard; a refusal comes back as form state shown beside the Install button.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getDb } from "@/lib/db";
import { installExtension } from "@/lib/extensions/installations";
import { runPanelAction } from "./run";

const input = z.object({ orgId: z.string().uuid(), extensionId: z.string().uuid() });

export async function installAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ orgId: formData.get("orgId"), extensionId: formData.get("extensionId") });
  if (!parsed.success) return { ok: false, error: "Choose an extension to install.", attempt: Date.now() };
  const { orgId, extensionId } = parsed.data;
  let installationId: string | null = null;
  const state = await runPanelAction(async (call) => {
    const { extension, version, installation } = await installExtension(await getDb(), call, orgId, extensionId);
    installationId = installation.id;
    return { ok: true, message: `Installed ${extension.name} v${version}.` };
  });
  revalidatePath("/panel");
  // Outside runPanelAction: redirect() works by throwing, which must reach Next untouched.
  if (state.ok && installationId) redirect(`/panel/extensions/${installationId}/setup?installed=1`);
  return state;
}
