// GET /api/v1/audit/export[?after=<leaf index, or -1>][&limit=N] — the SIEM export: sequenced events in leaf
// order as NDJSON, each line { leaf_index, leaf_hash, entry } (lib/audit/export.ts). For a collector:
// `Authorization: Bearer <LATCHKEY_AUDIT_EXPORT_TOKEN>`; admins may also call it signed in. The next
// cursor is the last line's leaf_index (also in `x-latchkey-next-after`).
import { createHash, timingSafeEqual } from "node:crypto";
import { AuditApiError, intParam } from "@/lib/audit/proofs";
import { EXPORT_DEFAULT_LIMIT, EXPORT_MAX_LIMIT, exportLeaves } from "@/lib/audit/export";
import { AccessError, requirePlatformAdmin } from "@/lib/auth/guards";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { requestSource } from "@/lib/http/client-address";
import { getRequestGuards } from "@/lib/http/limits";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** A collector's bearer token (compared in constant time), else a signed-in admin; failed tokens count against the address. */
async function authorize(request: Request): Promise<void> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!bearer) {
    requirePlatformAdmin(await getActor());
    return;
  }
  const guards = await getRequestGuards();
  const source = requestSource(request.headers, "api", { trustedHops: guards.trustedProxyHops });
  const expected = env().LATCHKEY_AUDIT_EXPORT_TOKEN;
  if (!expected || !timingSafeEqual(digest(bearer), digest(expected))) {
    const message = expected
      ? "This export token is not valid: send the value of LATCHKEY_AUDIT_EXPORT_TOKEN as Authorization: Bearer <token>."
      : "The audit export takes no token on this server: set LATCHKEY_AUDIT_EXPORT_TOKEN, or call it signed in as an admin.";
    await guards.tokenFailures.failed("audit_export_token", source, message);
    throw new AccessError("unauthenticated", message);
  }
}

export const GET = route(async (request) => {
  await authorize(request);
  const params = new URL(request.url).searchParams;
  // -1 (or no `after`) starts before the first leaf, so a collector's first cursor needs no special case.
  const after = params.get("after") === "-1" ? -1 : (intParam(params, "after") ?? -1);
  const limit = intParam(params, "limit") ?? EXPORT_DEFAULT_LIMIT;
  if (limit < 1 || limit > EXPORT_MAX_LIMIT) throw new AuditApiError("invalid_request", `limit must be between 1 and ${EXPORT_MAX_LIMIT}.`);
  const page = await exportLeaves(await getDb(), after, limit);
  return new Response(page.lines.map((line) => `${JSON.stringify(line)}\n`).join(""), {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-latchkey-next-after": String(page.next),
      "x-latchkey-tree-size": String(page.treeSize),
    },
  });
});
