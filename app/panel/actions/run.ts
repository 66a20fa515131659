// Shared by the panel's server actions: resolve the caller (an organization member), and turn the
// domain's typed errors into form state shown beside the field.
import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { FormState } from "@/components/publisher/form-state";
import { uiSource } from "@/app/publisher/actions/run";
import { requireUser } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import type { PanelCall, PanelDeps } from "@/lib/extensions/panel-secrets";
import { formError } from "@/lib/http/action";
import { requestIdOf, withRequestContext } from "@/lib/http/request-context";
import { getVault } from "@/lib/vault";

export async function panelDeps(): Promise<PanelDeps> {
  const [db, vault] = await Promise.all([getDb(), getVault()]);
  return { db, vault, baseUrl: env().LATCHKEY_URL };
}

/** Runs an action body for a signed-in person; every failure comes back as form state (lib/http/action). */
export async function runPanelAction(body: (call: PanelCall) => Promise<FormState>): Promise<FormState> {
  const attempt = Date.now();
  const requestId = requestIdOf(await headers());
  return withRequestContext({ requestId }, async () => {
    try {
      const actor = requireUser(await getActor());
      return { attempt, ...(await body({ actor, source: await uiSource() })) };
    } catch (error) {
      unstable_rethrow(error);
      return { attempt, ...formError(error, requestId) };
    }
  });
}
