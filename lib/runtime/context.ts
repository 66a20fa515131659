// Resolves who a runtime caller is acting for: the installation a token is bound to, its extension's
// declarations (from the installed version's manifest) and whether the token's user still belongs to
// the installation's organization. Every lookup is scoped by the installation id and checked against
// the token's extension and org, so a token can never reach another tenant's secrets.
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, installations, orgMembers } from "@/lib/db/schema";
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
  const memberJoin = userId ? and(eq(orgMembers.orgId, installations.orgId), eq(orgMembers.userId, userId)) : sql`false`;
  const [row] = await db
    .select({
      installationId: installations.id,
      extensionId: installations.extensionId,
      orgId: installations.orgId,
      versionId: installations.versionId,
      manifest: extensionVersions.manifest,
      memberUserId: orgMembers.userId,
    })
    .from(installations)
    .innerJoin(extensionVersions, eq(extensionVersions.id, installations.versionId))
    .leftJoin(orgMembers, memberJoin)
    .where(eq(installations.id, installationId))
    .limit(1);
  if (!row) return null;
  return {
    context: {
      installationId: row.installationId,
      extensionId: row.extensionId,
      orgId: row.orgId,
      versionId: row.versionId,
      declared: declaredSecrets(row.manifest),
      oauth: oauthRequirement(row.manifest),
    },
    userIsMember: userId !== null && row.memberUserId === userId,
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
