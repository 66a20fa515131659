// GET /api/v1/audit/public-key — public: the Ed25519 key that signs audit checkpoints, raw and as a
// note verifier key, so anyone can check checkpoints and anchors without trusting this server.
import { getCheckpointSigner } from "@/lib/audit";
import { auditErrorResponse, publicKeyJson } from "@/lib/audit/api";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return Response.json(publicKeyJson(await getCheckpointSigner()));
  } catch (error) {
    return auditErrorResponse(error);
  }
}
