// GET /api/v1/audit/consistency?from=A&to=B — admins: proof that the tree of size A is a prefix of size B.
import { consistencyFor } from "@/lib/audit/proofs";
import { consistencyQuery, parseAuditQuery } from "@/lib/audit/schemas";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) => {
  const { from, to } = parseAuditQuery(consistencyQuery, new URL(request.url).searchParams);
  return Response.json(await consistencyFor(await getDb(), from, to));
});
