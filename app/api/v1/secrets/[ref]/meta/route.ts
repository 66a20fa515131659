// GET /api/v1/secrets/{ref}/meta: one declared secret's status and declaration (never its value).
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ ref: string }> }) {
  return (await getRuntimeApi()).getSecretMeta(request, (await params).ref);
}
