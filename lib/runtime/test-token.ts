// The "Test token" button's logic: a signed-in developer mints a runtime token for an installation so
// they can run their extension locally against real secrets. Only someone who is both a member of the
// extension's publisher and an owner or admin of the installation's organization may: a test token can
// read the publisher's partner credentials (ext.*), so plain org members and other publishers cannot.
// The token carries the developer's own user id, is shown once, and its minting is audited.
import type { AuditSource } from "@/lib/audit/events";
import type { UserActor } from "@/lib/auth/actor";
import { installationsWithVersions } from "@/lib/extensions/queries";
import type { RuntimeDeps } from "./deps";
import { mintRuntimeToken, type MintedToken } from "./dispatch";
import { RuntimeError } from "./errors";

export async function mintTestToken(
  deps: RuntimeDeps,
  actor: UserActor,
  installationId: string,
  source: AuditSource,
): Promise<MintedToken> {
  const [found] = await installationsWithVersions(deps.db, { installationId });
  const row = found && { orgId: found.installation.orgId, publisherId: found.extension.publisherId };
  const denied = new RuntimeError(
    "installation_access_denied",
    "Test tokens are for the extension's publisher, in an organization they administer.",
  );
  if (!row) throw denied;
  const org = actor.orgs.find((o) => o.id === row.orgId);
  const publisher = actor.publishers.find((p) => p.id === row.publisherId);
  if (!publisher || !org || org.role === "member") throw denied;
  return mintRuntimeToken(deps, {
    installationId,
    userId: actor.userId,
    audit: { actor: { kind: "user", id: actor.userId }, source },
  });
}
