// GET /api/v1/audit/checkpoint — public: the latest checkpoint as a C2SP signed note with a
// tlog-checkpoint body (https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md), byte for byte as
// signed, so transparency-log tools (witnesses, golang.org/x/mod/sumdb/note, litetlog) read it with the
// key from /api/v1/audit/public-key.
import { AuditApiError } from "@/lib/audit/proofs";
import { latestCheckpoint } from "@/lib/audit/tree-store";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const checkpoint = await latestCheckpoint(await getDb());
  if (!checkpoint) throw new AuditApiError("no_checkpoint", "No checkpoint has been signed yet.");
  return new Response(checkpoint.note, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
});
