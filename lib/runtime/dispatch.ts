// Minting runtime tokens for real callers. mintRuntimeToken checks the installation exists and the user
// belongs to its organization before signing; prepareDispatch adds the readiness gate, so the platform
// never calls an extension whose required secrets or connections are missing.
import { appendAuditEvents, type AuditActor, type AuditSource } from "@/lib/audit/events";
import { authorizeInstallation, loadInstallation } from "./context";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { checkReadiness, type Readiness } from "./readiness";
import { signRuntimeClaims, type RuntimeScope } from "./tokens";

export interface MintRequest {
  installationId: string;
  userId?: string | null;
  scopes?: readonly RuntimeScope[];
  ttlSeconds?: number;
  /**
   * Who asked, for tokens minted outside a dispatch (the CLI, a "Test token" button): the mint is then
   * recorded as a `runtime_token.mint` audit event. Per-dispatch mints are not audited one by one;
   * what the extension does with the token is.
   */
  audit?: { actor: AuditActor; source: AuditSource };
}

export interface MintedToken {
  token: string;
  jti: string;
  expiresAt: Date;
  installationId: string;
  extensionId: string;
  orgId: string;
  userId: string | null;
}

export async function mintRuntimeToken(deps: RuntimeDeps, request: MintRequest): Promise<MintedToken> {
  const found = await loadInstallation(deps.db, request.installationId, request.userId ?? null);
  if (!found) throw new RuntimeError("not_found", `Installation ${request.installationId} does not exist.`);
  const userId = request.userId ?? null;
  if (userId && !found.userIsMember) {
    throw new RuntimeError("installation_access_denied", "That user is not a member of the installation's organization.");
  }
  const { context } = found;
  const signed = await signRuntimeClaims(deps.keys, deps.baseUrl, {
    installationId: context.installationId,
    extensionId: context.extensionId,
    orgId: context.orgId,
    userId,
    scopes: request.scopes,
    ttlSeconds: request.ttlSeconds ?? deps.tokenTtlSeconds,
  });
  if (request.audit) {
    await appendAuditEvents(deps.db, [
      {
        actor: request.audit.actor,
        source: request.audit.source,
        action: "runtime_token.mint",
        target: `installation:${context.installationId}`,
        extensionId: context.extensionId,
        orgId: context.orgId,
        details: { jti: signed.jti, user: userId, expires_at: signed.expiresAt.toISOString(), scopes: request.scopes ?? "all" },
      },
    ]);
  }
  return { ...signed, installationId: context.installationId, extensionId: context.extensionId, orgId: context.orgId, userId };
}

/** The dispatch gate's answer for one caller, without minting anything. */
export async function readinessFor(deps: RuntimeDeps, installationId: string, userId: string | null): Promise<Readiness> {
  const found = await loadInstallation(deps.db, installationId, userId);
  if (!found) throw new RuntimeError("not_found", `Installation ${installationId} does not exist.`);
  const context = await authorizeInstallation(deps.db, {
    installationId,
    extensionId: found.context.extensionId,
    orgId: found.context.orgId,
    userId,
  });
  return checkReadiness(deps, context, userId);
}

/**
 * Called by the platform before it dispatches to an extension: refuses with installation_not_ready
 * (carrying the missing items and where to fix them) unless the installation is ready, then mints the
 * token the extension will call back with.
 */
export async function prepareDispatch(deps: RuntimeDeps, request: MintRequest): Promise<MintedToken> {
  const readiness = await readinessFor(deps, request.installationId, request.userId ?? null);
  if (!readiness.ready) {
    throw new RuntimeError("installation_not_ready", "This extension needs setting up before it can run.", { missing: readiness.missing });
  }
  return mintRuntimeToken(deps, request);
}
