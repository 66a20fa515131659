// Shared by the publisher server actions: resolve the caller (a publisher member), describe where the
// request came from for the audit trail, and turn the domain's typed errors into form state.
import "server-only";
import { headers } from "next/headers";
import type { FormState } from "@/components/publisher/form-state";
import type { AuditSource } from "@/lib/audit/events";
import { AccessError, requirePublisherMember } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { PublisherCall } from "@/lib/extensions/access";
import { ExtensionError } from "@/lib/extensions/errors";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { getVault, VaultError } from "@/lib/vault";

export async function uiSource(): Promise<AuditSource> {
  const h = await headers();
  return {
    kind: "ui",
    ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || null,
    userAgent: h.get("user-agent")?.slice(0, 300) ?? null,
  };
}

export async function publisherDeps(): Promise<PublisherDeps> {
  const [db, vault] = await Promise.all([getDb(), getVault()]);
  return { db, vault };
}

/** Runs an action body for a signed-in publisher member; known refusals come back as form state. */
export async function runPublisherAction(body: (call: PublisherCall) => Promise<FormState>): Promise<FormState> {
  const attempt = Date.now();
  try {
    const { actor } = requirePublisherMember(await getActor());
    return { attempt, ...(await body({ actor, source: await uiSource() })) };
  } catch (error) {
    if (error instanceof AccessError) return { attempt, ok: false, error: error.message, code: error.code };
    if (error instanceof ExtensionError) {
      return {
        attempt,
        ok: false,
        error: error.message,
        code: error.code,
        field: error.details.field,
        manifestErrors: error.details.manifestErrors,
      };
    }
    if (error instanceof VaultError) return { attempt, ok: false, error: error.message, code: error.code, field: "value" };
    throw error;
  }
}
