"use server";
// Shows a `secret: false` credential's value (a client id) on request; the read is audited.
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { revealPartnerCredential } from "@/lib/extensions/partner-credentials";
import { publisherDeps, runPublisherAction } from "./run";

const input = z.object({ extensionId: z.string().uuid(), key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/) });

export async function revealCredentialAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ extensionId: formData.get("extensionId"), key: formData.get("key") });
  if (!parsed.success) return { ok: false, error: "Unknown credential." };
  const { extensionId, key } = parsed.data;
  return runPublisherAction(async (call) => ({
    ok: true,
    value: await revealPartnerCredential(await publisherDeps(), call, extensionId, key),
  }));
}
