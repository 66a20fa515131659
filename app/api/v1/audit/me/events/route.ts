// GET /api/v1/audit/me/events — any signed-in person: the events they performed themselves.
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { requireUser } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requireUser, async (request, actor) =>
  auditEventsResponse(await getDb(), { kind: "actor", actorKind: "user", actorId: actor.userId }, new URL(request.url), {
    actor: undefined,
  }),
);
