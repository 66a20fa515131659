// POST /api/v1/audit/verify { content_hash } — public: proves a leaf hash is in the log under the latest
// signed checkpoint. Answers only the leaf index, the proof hashes, the checkpoint and its anchor.
// Anyone may call it, so calls are limited per client address (LATCHKEY_RATE_LIMIT_AUDIT_VERIFY): each
// one reads the tree, and past the limit the answer is 429 with Retry-After.
import { AuditApiError, verifyContentHash } from "@/lib/audit/proofs";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-address";
import { getRequestGuards } from "@/lib/http/limits";
import { rateLimitKey } from "@/lib/http/rate-limit";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const guards = await getRequestGuards();
  await guards.auditVerify.enforce(
    rateLimitKey(clientAddress(request.headers, { trustedHops: guards.trustedProxyHops })),
    (wait) => `Too many verification requests from your address. Try again in ${wait}.`,
  );
  const body = (await request.json().catch(() => null)) as { content_hash?: unknown } | null;
  if (!body || typeof body.content_hash !== "string") {
    throw new AuditApiError("invalid_request", 'Send JSON { "content_hash": "<64 hex characters>" }.');
  }
  return Response.json(await verifyContentHash(await getDb(), body.content_hash.toLowerCase(), { chainId: env().auditChain?.chainId }));
});
