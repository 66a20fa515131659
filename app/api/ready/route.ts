// GET /api/ready — readiness for a load balancer: 200 `{ status: "ready", checks }` when the database
// answers, every migration is applied and the keyring can unwrap a data key; 503 `{ status: "not_ready",
// checks }` naming what is not (and from SIGTERM on, "shutting down"). Cheap enough to ask every second
// (lib/ops/readiness.ts).
import { route } from "@/lib/http/route";
import { getReadiness } from "@/lib/ops";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const report = await getReadiness().check();
  return Response.json(
    { status: report.ready ? "ready" : "not_ready", checks: report.checks },
    { status: report.ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
});
