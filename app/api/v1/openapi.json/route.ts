// GET /api/v1/openapi.json: the runtime API's OpenAPI 3.1 document.
import { env } from "@/lib/env";
import { openApiDocument } from "@/lib/runtime/openapi";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(openApiDocument(env().LATCHKEY_URL), { headers: { "cache-control": "public, max-age=300" } });
}
