// POST /api/v1/oauth/token: a current access token for the provider the extension requires.
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return (await getRuntimeApi()).oauthToken(request);
}
