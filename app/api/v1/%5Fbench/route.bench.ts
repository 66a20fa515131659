// GET /api/v1/_bench: a bare route handler, the baseline `npm run bench:runtime` compares the secrets
// endpoint against (same build, same server). It is a route only in the benchmark's own build: the
// `.bench.ts` page extension is added by next.config.ts when LATCHKEY_BENCH_ROUTES=1 (bench/runtime.ts sets
// it), so any other build (`npm run build`, the standalone image) does not contain it. Demo mode only even then.
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

export async function GET() {
  if (!env().demo) return Response.json({ error: { code: "not_found", message: "Not found." } }, { status: 404 });
  return new Response(JSON.stringify({ ref: "user.bench", value: "bench-baseline-value" }), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
