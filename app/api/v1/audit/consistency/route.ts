// GET /api/v1/audit/consistency?from=A&to=B — admins: proof that the tree of size A is a prefix of size B.
import { consistencyFor, intParam } from "@/lib/audit/proofs";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) => {
  const params = new URL(request.url).searchParams;
  return Response.json(await consistencyFor(await getDb(), intParam(params, "from", true), intParam(params, "to", true)));
});
