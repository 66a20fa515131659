// GET /api/v1/audit/public-key — public: the Ed25519 key that signs audit checkpoints, raw and as a
// note verifier key, so anyone can check checkpoints and anchors without trusting this server.
import { getCheckpointSigner } from "@/lib/audit";
import { publicKeyJson } from "@/lib/audit/proofs";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async () => Response.json(publicKeyJson(await getCheckpointSigner())));
