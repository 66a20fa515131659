"use server";
// Marks the signed-in person's notifications read (all of them, or one); never anyone else's.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { markRead } from "@/lib/extensions/notifications";
import { panelAction } from "@/app/panel/actions/panel-action";

const input = z.object({ id: z.union([z.literal("all"), z.uuid()], { error: "Choose a notification to mark read." }) });

export const markReadAction = panelAction({
  input,
  run: async ({ id }, { actor }) => {
    const changed = await markRead(await getDb(), actor, id);
    if (id !== "all") return { ok: true, message: changed ? "Marked read." : "Already read." };
    return {
      ok: true,
      message: changed === 0 ? "Nothing was unread." : `Marked ${changed} ${changed === 1 ? "notification" : "notifications"} read.`,
    };
  },
  // The bell in the panel layout counts unread ones.
  after: () => revalidatePath("/panel", "layout"),
});
