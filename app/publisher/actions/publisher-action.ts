// Shared by the publisher server actions: resolve the caller (a publisher member), describe where the
// request came from for the audit trail, and turn the domain's typed errors into form state.
import "server-only";
import { headers } from "next/headers";
import type { z } from "zod";
import type { AuditSource } from "@/lib/audit/events";
import { requirePublisherMember } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { PublisherCall } from "@/lib/extensions/access";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { formAction, type FormActionSpec } from "@/lib/http/action";
import { requestSource } from "@/lib/http/client-address";
import { getVault } from "@/lib/vault";

/** Where a page or server action's request came from, for the audit trail (lib/http/client-address.ts). */
export async function uiSource(): Promise<AuditSource> {
  return requestSource(await headers(), "ui");
}

export async function publisherDeps(): Promise<PublisherDeps> {
  const [db, vault] = await Promise.all([getDb(), getVault()]);
  return { db, vault };
}

/** A publisher form action (lib/http/action.ts) for a signed-in member of a publisher. */
export function publisherAction<Schema extends z.ZodType>(spec: Omit<FormActionSpec<Schema, PublisherCall>, "caller">) {
  return formAction({
    ...spec,
    caller: async () => ({ actor: requirePublisherMember(await getActor()).actor, source: await uiSource() }),
  });
}
