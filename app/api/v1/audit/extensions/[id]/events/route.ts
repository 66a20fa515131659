// GET /api/v1/audit/extensions/:id/events — a publisher's members: the events of one of its extensions.
// The scope also restricts the query to extensions of the caller's publishers, and shows other
// organizations' people under this publisher's pseudonyms (lib/audit/queries.ts says what is withheld).
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { publisherPseudonyms } from "@/lib/audit/pseudonyms";
import { AuditApiError } from "@/lib/audit/proofs";
import { extensionForAudit } from "@/lib/audit/queries";
import type { UserActor } from "@/lib/auth/actor";
import { requireUser } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getVault } from "@/lib/vault";

export const dynamic = "force-dynamic";

export const GET = guardedRoute<UserActor, { id: string }>(requireUser, async (request, actor, context) => {
  const { id } = await context.params;
  const db = await getDb();
  const extension = await extensionForAudit(db, id);
  const publisherIds = actor.publishers.map((p) => p.id);
  // Not found and not yours answer the same, so the route does not reveal which extensions exist.
  if (!extension || !publisherIds.includes(extension.publisherId)) {
    throw new AuditApiError("not_found", "No such extension in your publishers.");
  }
  const pseudonyms = await publisherPseudonyms(await getVault(), extension.publisherId);
  return auditEventsResponse(db, { kind: "extension", extensionId: extension.id, publisherIds, pseudonyms }, new URL(request.url));
});
