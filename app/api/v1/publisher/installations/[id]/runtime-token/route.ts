// POST mints a runtime test token for an installation, for `latchkey token mint`: the same rule and audit
// as the panel's Test token button (lib/runtime/test-token.ts: a member of the extension's publisher who
// administers the installation's organization; the token carries that member's own user). The token is
// signed for this server's LATCHKEY_URL, so it is valid exactly where the CLI is logged in. A publisher
// API token otherwise acts within its publisher only (no organizations); for this one call the
// member's organization roles are loaded, since the rule needs them, while the publisher stays the
// token's own.
import type { z } from "zod";
import type { runtimeTestToken } from "@/lib/extensions/api-schemas";
import { loadUserActor } from "@/lib/auth/actor";
import { isUuid } from "@/lib/db/ids";
import { getRuntimeDeps, mintTestToken, RuntimeError } from "@/lib/runtime";
import { apiJson, publisherApi } from "../../../handler";

export const POST = publisherApi<{ id: string }>(async (_request, call, deps, { id }) => {
  const installationId = id;
  if (!isUuid(installationId)) {
    throw new RuntimeError(
      "invalid_request",
      `"${installationId.slice(0, 80)}" is not an installation id (the UUID in the panel's /panel/extensions/<id>/… URLs).`,
    );
  }
  const member = await loadUserActor(deps.db, call.actor.userId);
  if (!member) {
    throw new RuntimeError(
      "installation_access_denied",
      "Test tokens are for the extension's publisher, in an organization they administer.",
    );
  }
  const actor = { ...member, publishers: call.actor.publishers, isPlatformAdmin: false };
  const minted = await mintTestToken(await getRuntimeDeps(), actor, installationId, call.source);
  return apiJson({
    token: minted.token,
    expires_at: minted.expiresAt.toISOString(),
    installation_id: minted.installationId,
    extension_id: minted.extensionId,
    org_id: minted.orgId,
    user_id: minted.userId,
  } satisfies z.infer<typeof runtimeTestToken>);
});
