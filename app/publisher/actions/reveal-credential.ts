"use server";
// Shows a `secret: false` credential's value (a client id) on request; the read is audited.
import { z } from "zod";
import { revealPartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherAction, publisherDeps } from "@/app/publisher/actions/publisher-action";

const input = z.object({
  extensionId: z.uuid({ error: "Unknown credential." }),
  key: z.string({ error: "Unknown credential." }).regex(/^[a-z][a-z0-9_]{0,62}$/, "Unknown credential."),
});

export const revealCredentialAction = publisherAction({
  input,
  run: async ({ extensionId, key }, call) => ({
    ok: true,
    value: await revealPartnerCredential(await publisherDeps(), call, extensionId, key),
  }),
});
