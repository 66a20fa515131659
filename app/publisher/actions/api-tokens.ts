"use server";
// Creates (shown once) and revokes publisher API tokens for the CLI.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getDb } from "@/lib/db";
import { createApiToken, revokeApiToken } from "@/lib/extensions/api-tokens";
import { runPublisherAction } from "./run";

const createInput = z.object({ publisherId: z.string().uuid(), name: z.string().max(200) });
const revokeInput = z.object({ publisherId: z.string().uuid(), tokenId: z.string().uuid() });

export async function createApiTokenAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = createInput.safeParse({ publisherId: formData.get("publisherId"), name: formData.get("name") ?? "" });
  if (!parsed.success) return { ok: false, error: "Name the token.", field: "name", attempt: Date.now() };
  const state = await runPublisherAction(async (call) => {
    const created = await createApiToken(await getDb(), call, parsed.data);
    return { ok: true, token: created.token, message: `Created token “${created.name}”. Copy it now: it is not shown again.` };
  });
  revalidatePath("/publisher/tokens");
  return state;
}

export async function revokeApiTokenAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = revokeInput.safeParse({ publisherId: formData.get("publisherId"), tokenId: formData.get("tokenId") });
  if (!parsed.success) return { ok: false, error: "Unknown token." };
  const state = await runPublisherAction(async (call) => {
    await revokeApiToken(await getDb(), call, parsed.data);
    return { ok: true, message: "Token revoked." };
  });
  revalidatePath("/publisher/tokens");
  return state;
}
