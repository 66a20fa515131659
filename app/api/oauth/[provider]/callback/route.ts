// GET /api/oauth/:provider/callback — the redirect URI registered with the provider (see lib/oauth/flow.ts).
import { callbackRoute } from "../../handlers";

export const dynamic = "force-dynamic";
export const GET = callbackRoute;
