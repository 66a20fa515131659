// GET /api/v1/readiness: the dispatch gate's answer for this token's installation and user.
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return (await getRuntimeApi()).readiness(request);
}
