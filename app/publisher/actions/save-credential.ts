"use server";
// Saves or rotates a partner credential. The submitted value goes to the vault and is never returned.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { rotatePartnerCredential, setPartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherAction, publisherDeps } from "@/app/publisher/actions/publisher-action";

const input = z.object({
  extensionId: z.uuid({ error: "Unknown extension." }),
  key: z.string({ error: "Unknown credential." }).regex(/^[a-z][a-z0-9_]{0,62}$/, "Unknown credential."),
  mode: z.enum(["set", "rotate"]).default("set"),
  // Values may hold any character: they are sealed, never stored as text.
  value: z.string().default("").pipe(z.string().max(70_000, "The value is too long.")),
});

export const saveCredentialAction = publisherAction({
  input,
  run: async ({ extensionId, key, mode, value }, call) => {
    const deps = await publisherDeps();
    const { declaration } =
      mode === "rotate"
        ? await rotatePartnerCredential(deps, call, extensionId, key, value)
        : await setPartnerCredential(deps, call, extensionId, key, value);
    return {
      ok: true,
      message: mode === "rotate" ? `Rotated ${declaration.label}. The old value is replaced.` : `Saved ${declaration.label}.`,
    };
  },
  after: ({ extensionId }) => revalidatePath(`/publisher/extensions/${extensionId}`, "layout"),
});
