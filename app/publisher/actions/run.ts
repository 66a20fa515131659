// Shared by the publisher server actions: resolve the caller (a publisher member), describe where the
// request came from for the audit trail, and turn the domain's typed errors into form state.
import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { FormState } from "@/components/publisher/form-state";
import type { AuditSource } from "@/lib/audit/events";
import { requirePublisherMember } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { PublisherCall } from "@/lib/extensions/access";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { formError } from "@/lib/http/action";
import { requestIdOf, withRequestContext } from "@/lib/http/request-context";
import { getVault } from "@/lib/vault";

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
  const requestId = requestIdOf(await headers());
  return withRequestContext({ requestId }, async () => {
    try {
      const { actor } = requirePublisherMember(await getActor());
      return { attempt, ...(await body({ actor, source: await uiSource() })) };
    } catch (error) {
      unstable_rethrow(error);
      return { attempt, ...formError(error, requestId) };
    }
  });
}
