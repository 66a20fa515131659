// POST /api/v1/audit/verify { content_hash } — public: proves a leaf hash is in the log under the latest
// signed checkpoint. Answers only the leaf index, the proof hashes, the checkpoint and its anchor.
// Anyone may call it, so calls are limited per client address (LATCHKEY_RATE_LIMIT_AUDIT_VERIFY): each
// one reads the tree, and past the limit the answer is 429 with Retry-After.
import { AuditApiError, verifyContentHash } from "@/lib/audit/proofs";
import { verifyBody } from "@/lib/audit/schemas";
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
  const body = verifyBody.safeParse(await request.json().catch(() => null));
  if (!body.success) throw new AuditApiError("invalid_request", body.error.issues[0]?.message ?? "Invalid body.");
  return Response.json(
    await verifyContentHash(await getDb(), body.data.content_hash.toLowerCase(), { chainId: env().auditChain?.chainId }),
  );
});
