// GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API (lib/openapi), built once per process.
import { env } from "@/lib/env";
import { openApiDocument } from "@/lib/openapi";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(openApiDocument(env().LATCHKEY_URL), { headers: { "cache-control": "public, max-age=300" } });
}
