// GET /api/health — liveness: the process is up and serving. Touches nothing else (no database, no
// keyring), so a database outage takes instances out of rotation (/api/ready) without getting them
// restarted by an orchestrator that watches this one.
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async () => Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } }));
