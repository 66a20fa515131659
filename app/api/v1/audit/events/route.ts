// GET /api/v1/audit/events — admins: every event, filtered, newest first (format=json pages with proofs;
// format=csv|jsonl streams the whole filtered set).
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) =>
  auditEventsResponse(await getDb(), { kind: "all" }, new URL(request.url)),
);
