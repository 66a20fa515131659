// POST /api/v1/audit/verify { content_hash } — public: proves a leaf hash is in the log under the latest
// signed checkpoint. Answers only the leaf index, the proof hashes, the checkpoint and its anchor.
import { AuditApiError, verifyContentHash } from "@/lib/audit/api";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const body = (await request.json().catch(() => null)) as { content_hash?: unknown } | null;
  if (!body || typeof body.content_hash !== "string") {
    throw new AuditApiError("invalid_request", 'Send JSON { "content_hash": "<64 hex characters>" }.');
  }
  return Response.json(await verifyContentHash(await getDb(), body.content_hash.toLowerCase()));
});
