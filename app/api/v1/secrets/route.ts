// GET /api/v1/secrets: the extension's declared secrets with their status (never values).
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return (await getRuntimeApi()).listSecrets(request);
}
