// GET /.well-known/jwks.json: the public keys that verify runtime tokens (current and not-yet-expired retired ones).
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return (await getRuntimeApi()).jwks(request);
}
