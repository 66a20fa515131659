"use server";
// Publishes an extension's newest version, unless a required partner credential is missing.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { publishExtension } from "@/lib/extensions/publish";
import { publisherAction, publisherDeps } from "@/app/publisher/actions/publisher-action";

const input = z.object({ extensionId: z.uuid({ error: "Unknown extension." }) });

export const publishExtensionAction = publisherAction({
  input,
  run: async ({ extensionId }, call) => {
    const { version } = await publishExtension(await publisherDeps(), call, extensionId);
    // The publish form disappears once the version is live, so the confirmation lives on the page.
    return { ok: true, redirectTo: `/publisher/extensions/${extensionId}?published=${encodeURIComponent(version.version)}` };
  },
  after: ({ extensionId }, state) => {
    revalidatePath(`/publisher/extensions/${extensionId}`, "layout");
    revalidatePath("/publisher");
    if (state.ok && state.redirectTo) redirect(state.redirectTo);
  },
});
