// GET /api/oauth/:provider/authorize — starts connecting an OAuth provider (see lib/oauth/flow.ts).
import { authorizeRoute } from "../../handlers";

export const dynamic = "force-dynamic";
export const GET = authorizeRoute;
