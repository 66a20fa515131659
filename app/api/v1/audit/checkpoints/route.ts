// GET /api/v1/audit/checkpoints[?before=SIZE&limit=N] — admins: signed checkpoints, newest first, with anchors.
import { intParam, listCheckpoints } from "@/lib/audit/proofs";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) => {
  const params = new URL(request.url).searchParams;
  return Response.json(await listCheckpoints(await getDb(), { before: intParam(params, "before"), limit: intParam(params, "limit") }));
});
