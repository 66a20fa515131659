"use server";
// Creates (shown once) and revokes publisher API tokens for the CLI.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { apiTokenName, createApiToken, revokeApiToken } from "@/lib/extensions/api-tokens";
import { publisherAction } from "@/app/publisher/actions/publisher-action";

// The name's own message (empty, too long, a NUL or control character) is shown beside the name field.
const createInput = z.object({ publisherId: z.uuid({ error: "Unknown publisher." }), name: z.string().default("").pipe(apiTokenName) });
const revokeInput = z.object({ publisherId: z.uuid({ error: "Unknown token." }), tokenId: z.uuid({ error: "Unknown token." }) });

export const createApiTokenAction = publisherAction({
  input: createInput,
  run: async (input, call) => {
    const created = await createApiToken(await getDb(), call, input);
    return { ok: true, token: created.token, message: `Created token “${created.name}”. Copy it now: it is not shown again.` };
  },
  after: () => revalidatePath("/publisher/tokens"),
});

export const revokeApiTokenAction = publisherAction({
  input: revokeInput,
  run: async (input, call) => {
    await revokeApiToken(await getDb(), call, input);
    return { ok: true, message: "Token revoked." };
  },
  after: () => revalidatePath("/publisher/tokens"),
});
