"use server";
// Marks the signed-in person's notifications read (all of them, or one); never anyone else's.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { getDb } from "@/lib/db";
import { markRead } from "@/lib/extensions/notifications";
import { runPanelAction } from "./run";

const input = z.object({ id: z.union([z.literal("all"), z.string().uuid()]) });

export async function markReadAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ id: formData.get("id") });
  if (!parsed.success) return { ok: false, error: "Choose a notification to mark read.", attempt: Date.now() };
  const { id } = parsed.data;
  const state = await runPanelAction(async ({ actor }) => {
    const changed = await markRead(await getDb(), actor, id);
    if (id !== "all") return { ok: true, message: changed ? "Marked read." : "Already read." };
    return {
      ok: true,
      message: changed === 0 ? "Nothing was unread." : `Marked ${changed} ${changed === 1 ? "notification" : "notifications"} read.`,
    };
  });
  // The bell in the panel layout counts unread ones.
  revalidatePath("/panel", "layout");
  return state;
}
