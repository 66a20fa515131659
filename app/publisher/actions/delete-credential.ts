"use server";
// Deletes a partner credential's value (after the form's confirmation step).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { deletePartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherAction, publisherDeps } from "@/app/publisher/actions/publisher-action";

const confirmFirst = "Confirm the deletion first.";
const input = z.object({
  extensionId: z.uuid({ error: confirmFirst }),
  key: z.string({ error: confirmFirst }).regex(/^[a-z][a-z0-9_]{0,62}$/, confirmFirst),
  confirm: z.literal("yes", { error: confirmFirst }),
});

export const deleteCredentialAction = publisherAction({
  input,
  run: async ({ extensionId, key }, call) => {
    const { declaration, wasSet } = await deletePartnerCredential(await publisherDeps(), call, extensionId, key);
    return { ok: true, message: wasSet ? `Deleted ${declaration.label}.` : `${declaration.label} had no value.` };
  },
  after: ({ extensionId }) => revalidatePath(`/publisher/extensions/${extensionId}`, "layout"),
});
