// GET /api/v1/audit/checkpoints[?before=SIZE&limit=N] — admins: signed checkpoints, newest first, with anchors.
import { listCheckpoints } from "@/lib/audit/proofs";
import { checkpointsQuery, parseAuditQuery } from "@/lib/audit/schemas";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) => {
  const query = parseAuditQuery(checkpointsQuery, new URL(request.url).searchParams);
  return Response.json(await listCheckpoints(await getDb(), query));
});
