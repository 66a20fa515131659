// Shared by the panel's server actions: resolve the caller (an organization member), and turn the
// domain's typed errors into form state shown beside the field (lib/http/action.ts).
import "server-only";
import type { z } from "zod";
import { uiSource } from "@/app/publisher/actions/publisher-action";
import { requireUser } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import type { PanelCall, PanelDeps } from "@/lib/extensions/panel-secrets";
import { formAction, type FormActionSpec } from "@/lib/http/action";
import { getVault } from "@/lib/vault";

export async function panelDeps(): Promise<PanelDeps> {
  const [db, vault] = await Promise.all([getDb(), getVault()]);
  return { db, vault, baseUrl: env().LATCHKEY_URL };
}

/**
 * A panel form action (lib/http/action.ts): the form read into `input`, the signed-in person resolved
 * (any organization role; the domain checks the role each operation needs), every failure as form state.
 */
export function panelAction<Schema extends z.ZodType>(spec: Omit<FormActionSpec<Schema, PanelCall>, "caller">) {
  return formAction({
    ...spec,
    caller: async () => ({ actor: requireUser(await getActor()), source: await uiSource() }),
  });
}
