// GET /api/v1/_bench: a bare route handler, the baseline `npm run bench:runtime` compares the secrets
// endpoint against (same build, same server). Demo mode only; a 404 everywhere else.
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

export async function GET() {
  if (!env().demo) return Response.json({ error: { code: "not_found", message: "Not found." } }, { status: 404 });
  return new Response(JSON.stringify({ ref: "user.bench", value: "bench-baseline-value" }), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
