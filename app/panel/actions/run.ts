// Shared by the panel's server actions: resolve the caller (an organization member), and turn the
// domain's typed errors into form state shown beside the field.
import "server-only";
import type { FormState } from "@/components/publisher/form-state";
import { uiSource } from "@/app/publisher/actions/run";
import { AccessError, requireUser } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { ExtensionError } from "@/lib/extensions/errors";
import type { PanelCall, PanelDeps } from "@/lib/extensions/panel-secrets";
import { OAuthError } from "@/lib/oauth";
import { getVault, VaultError } from "@/lib/vault";

export async function panelDeps(): Promise<PanelDeps> {
  const [db, vault] = await Promise.all([getDb(), getVault()]);
  return { db, vault, baseUrl: env().LATCHKEY_URL };
}

export async function runPanelAction(body: (call: PanelCall) => Promise<FormState>): Promise<FormState> {
  const attempt = Date.now();
  try {
    const actor = requireUser(await getActor());
    return { attempt, ...(await body({ actor, source: await uiSource() })) };
  } catch (error) {
    if (error instanceof AccessError) return { attempt, ok: false, error: error.message, code: error.code };
    if (error instanceof ExtensionError) return { attempt, ok: false, error: error.message, code: error.code };
    if (error instanceof VaultError) return { attempt, ok: false, error: error.message, code: error.code, field: "value" };
    if (error instanceof OAuthError) return { attempt, ok: false, error: error.message, code: error.code };
    throw error;
  }
}
