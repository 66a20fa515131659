// GET /api/v1/audit/proof?leaf_index=N[&tree_size=M] — admins: the inclusion proof of one leaf
// (tree_size defaults to the latest checkpoint).
import { proofFor } from "@/lib/audit/proofs";
import { parseAuditQuery, proofQuery } from "@/lib/audit/schemas";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardedRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export const GET = guardedRoute(requirePlatformAdmin, async (request) => {
  const query = parseAuditQuery(proofQuery, new URL(request.url).searchParams);
  return Response.json(await proofFor(await getDb(), query.leaf_index, query.tree_size));
});
