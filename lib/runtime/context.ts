// Resolves who a runtime caller is acting for: the installation a token is bound to, its extension's
// declarations (from the installed version's manifest) and whether the token's user still belongs to
// the installation's organization. Every lookup is scoped by the installation id and checked against
// the token's extension and org, so a token can never reach another tenant's secrets.
import type { DbOrTx } from "@/lib/db/client";
import { installationsWithVersions } from "@/lib/extensions/queries";
import { declaredSecrets, type DeclaredSecret } from "@/lib/manifest/declarations";
import { oauthRequirement, type OAuthRequirement } from "@/lib/manifest/oauth";
import { RuntimeError } from "./errors";

export interface InstallationContext {
  installationId: string;
  extensionId: string;
  orgId: string;
  versionId: string;
  declared: DeclaredSecret[];
  oauth: OAuthRequirement | null;
}

/**
 * Loads an installation together with whether `userId` is a member of its organization, in one query.
 * Returns null when the installation does not exist.
 */
export async function loadInstallation(
  db: DbOrTx,
  installationId: string,
  userId: string | null,
): Promise<{ context: InstallationContext; userIsMember: boolean } | null> {
  const [row] = await installationsWithVersions(db, { installationId }, { memberUserId: userId });
  if (!row) return null;
  const { installation, version } = row;
  return {
    context: {
      installationId: installation.id,
      extensionId: installation.extensionId,
      orgId: installation.orgId,
      versionId: installation.versionId,
      declared: declaredSecrets(version.manifest),
      oauth: oauthRequirement(version.manifest),
    },
    userIsMember: userId !== null && row.userIsMember,
  };
}

/**
 * The installation a caller claims, refused unless it exists, belongs to the claimed extension and
 * organization, and (when a user is named) that user is still a member of the organization.
 */
export async function authorizeInstallation(
  db: DbOrTx,
  claim: { installationId: string; extensionId: string; orgId: string; userId: string | null },
): Promise<InstallationContext> {
  const found = await loadInstallation(db, claim.installationId, claim.userId);
  const denied = (why: string) => new RuntimeError("installation_access_denied", why);
  if (!found) throw denied("The installation this token is bound to does not exist (it may have been uninstalled).");
  const { context, userIsMember } = found;
  if (context.extensionId !== claim.extensionId || context.orgId !== claim.orgId) {
    throw denied("The token's extension or organization does not match its installation.");
  }
  if (claim.userId && !userIsMember) throw denied("The token's user is not a member of the installation's organization.");
  return context;
}
