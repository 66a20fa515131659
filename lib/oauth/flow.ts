// The authorization code flow a person runs from the panel. Start: a one-time `state` bound to the
// signed-in person and to a browser cookie, PKCE S256, a nonce for OpenID Connect, the scopes every
// consumer needs, the exact registered redirect URI, and a `return_to` that can only be a local path.
// Callback: the state is consumed (single use) before anything else, checked against the same person and
// browser, the provider's answer validated (state, `iss`), the code exchanged, and the grant stored; any
// failure stores nothing.
import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, gt, lt, min } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { AuditSource } from "@/lib/audit/events";
import type { UserActor } from "@/lib/auth/actor";
import { oauthConnections, oauthStates } from "@/lib/db/schema";
import { oauthCallbackUrl } from "@/lib/extensions/redirect-uris";
import { sameOriginPath } from "@/lib/core/same-origin";
import { fetchAccount } from "./account";
import { authorizeUrl, exchangeCode } from "./client";
import { ProviderRequestError } from "./provider-error";
import { openVerifier, sealVerifier } from "./token-seal";
import { clientSecrets, concreteProvider, connectionKey, connectionsPath, writeStoreAs, type OAuthDeps } from "./connections";
import { storeGrant } from "./store-grant";
import { OAuthError } from "./errors";
import { missingScopes, unionScopes } from "./scopes";
import { providerAliases } from "@/lib/manifest/oauth";
import { consumerScopes, installedProvider, loadFlowInstallation, resolveFlowTarget, type FlowTarget } from "./providers";

export const STATE_TTL_MS = 10 * 60_000;
/** The browser-bound half of a flow's state: an httpOnly cookie, scoped to the OAuth routes. */
export const BINDING_COOKIE = "latchkey_oauth_binding";

const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

/**
 * Where the callback sends the browser: `value` normalised and checked by `sameOriginPath` (resolved
 * against `baseUrl`, on its origin, and still there when the stored path is resolved again), or
 * `fallback` when no `return_to` was given.
 *
 * @throws OAuthError `invalid_return_to` when `value` leads anywhere but a path on this site
 */
export function safeReturnTo(value: string | null | undefined, baseUrl: string, fallback: string): string {
  if (value === null || value === undefined || value === "") return fallback;
  const path = sameOriginPath(value, baseUrl);
  if (path === null) throw new OAuthError("invalid_return_to", "return_to must be a path on this site, such as /panel/connections.");
  return path;
}

/** The path that starts a flow again with the same parameters. */
export function authorizePath(
  provider: string,
  q: { installation?: string | null; field?: string | null; scopes?: string | null; returnTo?: string | null },
) {
  const query = new URLSearchParams();
  if (q.installation) query.set("installation", q.installation);
  if (q.field) query.set("field", q.field);
  if (q.scopes) query.set("scopes", q.scopes);
  if (q.returnTo) query.set("return_to", q.returnTo);
  return `/api/oauth/${encodeURIComponent(provider)}/authorize?${query.toString()}`;
}

export interface StartRequest {
  providerId: string;
  installationId: string;
  /** The setup field asking (obtain: oauth2), or '' for the installation's requires.oauth_provider. */
  fieldKey: string;
  /** Extra scopes asked for (the runtime's needs_reauthorization names the missing ones). */
  scopes: string[];
  returnTo: string | null;
  /** The browser's existing binding cookie, if any (reused so parallel flows in one browser all work). */
  binding: string | null;
}

async function flowContext(deps: OAuthDeps, actor: UserActor, installationId: string, providerId: string, fieldKey: string) {
  const installation = await loadFlowInstallation(
    deps.db,
    installationId,
    actor.orgs.map((o) => o.id),
  );
  const org = installation ? actor.orgs.find((o) => o.id === installation.orgId) : undefined;
  if (!installation || !org) throw new OAuthError("not_found", "No such installation in your organizations.");
  const target = await resolveFlowTarget(deps.db, installation, providerId, fieldKey);
  if (target.ownerKind === "org" && org.role !== "owner" && org.role !== "admin") {
    throw new OAuthError("forbidden", `This connection belongs to ${org.name}; only its owners and admins can connect it.`);
  }
  return { installation, org, target, ownerId: target.ownerKind === "org" ? org.id : actor.userId };
}

/** Every scope the connection should carry: the provider's defaults, what this and every other consumer needs, and what is already granted. */
async function scopesToRequest(deps: OAuthDeps, target: FlowTarget, orgId: string, ownerId: string, extra: string[]) {
  const [existing] = await deps.db
    .select({ scopes: oauthConnections.scopes, status: oauthConnections.status })
    .from(oauthConnections)
    .where(
      connectionKey({ ownerKind: target.ownerKind, ownerId, providerId: target.provider.id, clientExtensionId: target.client.extensionId }),
    );
  let consumers: string[] = [];
  if (!target.fieldKey) {
    const providerExt = await installedProvider(deps.db, orgId, target.provider.id);
    if (providerExt)
      consumers = await consumerScopes(deps.db, orgId, providerAliases(providerExt.extension.manifest, providerExt.extension.slug));
  }
  const granted = existing?.status === "active" ? existing.scopes : [];
  const wanted = [...new Set([...target.provider.defaultScopes, ...target.scopes, ...consumers, ...extra])];
  return {
    scopes: unionScopes(target.provider, granted, wanted),
    missing: missingScopes(target.provider, granted, wanted),
    granted,
    existing: existing ?? null,
  };
}

export interface ConnectPlan {
  providerId: string;
  providerName: string;
  extensionName: string;
  ownerKind: "user" | "org";
  ownerLabel: string;
  granted: string[];
  /** Scopes the consent screen will newly ask for; empty when the connection already covers everything. */
  missing: string[];
  status: "active" | "expired" | "revoked" | null;
}

/** What connecting would ask for, for the panel's Connect / "Grant additional access" page. */
export async function planConnect(
  deps: OAuthDeps,
  actor: UserActor,
  request: Omit<StartRequest, "returnTo" | "binding">,
): Promise<ConnectPlan> {
  const { installation, org, target, ownerId } = await flowContext(
    deps,
    actor,
    request.installationId,
    request.providerId,
    request.fieldKey,
  );
  const { missing, granted, existing } = await scopesToRequest(deps, target, org.id, ownerId, request.scopes);
  return {
    providerId: target.provider.id,
    providerName: target.provider.displayName,
    extensionName: installation.extensionName,
    ownerKind: target.ownerKind,
    ownerLabel: target.ownerKind === "org" ? org.name : "you",
    granted,
    missing,
    status: existing?.status ?? null,
  };
}

/** Flows one person may have pending when OAuthDeps.maxPendingFlows is not set. */
export const DEFAULT_MAX_PENDING_FLOWS = 10;

/**
 * Refuses a new flow while the person already has `max` pending ones (started, neither finished nor
 * expired): each stores a state row until its callback or its expiry, and a script calling authorize in
 * a loop would otherwise store one per call. The message says when the oldest one expires.
 *
 * @param including the count of pending flows allowed at this point (`max - 1` before storing a new one)
 * @throws OAuthError `too_many_pending_flows` (429)
 */
async function assertPendingFlowsBelow(deps: OAuthDeps, userId: string, max: number, including: number, now: Date) {
  const [row] = await deps.db
    .select({ pending: count(), oldestExpiry: min(oauthStates.expiresAt) })
    .from(oauthStates)
    .where(and(eq(oauthStates.userId, userId), gt(oauthStates.expiresAt, now)));
  if (!row || row.pending <= including) return;
  const expiry = row.oldestExpiry ? new Date(row.oldestExpiry) : new Date(now.getTime() + STATE_TTL_MS);
  const minutes = Math.max(1, Math.ceil((expiry.getTime() - now.getTime()) / 60_000));
  throw new OAuthError(
    "too_many_pending_flows",
    `You have ${max} connection attempts in progress that were never finished. Finish one in the tab where you started it, ` +
      `or try again in ${minutes} minute${minutes === 1 ? "" : "s"}, when the oldest expires.`,
  );
}

/** Starts a flow: returns the provider's authorization URL and the binding cookie value to set. */
export async function startAuthorization(deps: OAuthDeps, actor: UserActor, request: StartRequest, source: AuditSource) {
  const fallback = request.fieldKey ? `/panel/extensions/${request.installationId}/setup` : connectionsPath;
  const returnTo = safeReturnTo(request.returnTo, deps.baseUrl, fallback);
  const maxPending = deps.maxPendingFlows ?? DEFAULT_MAX_PENDING_FLOWS;
  await assertPendingFlowsBelow(deps, actor.userId, maxPending, maxPending - 1, new Date());
  const { org, target, ownerId } = await flowContext(deps, actor, request.installationId, request.providerId, request.fieldKey);
  const { scopes } = await scopesToRequest(deps, target, org.id, ownerId, request.scopes);
  const secrets = await clientSecrets(deps, target.client, target.provider.displayName, source);
  const provider = await concreteProvider(deps, target.provider, target.client, flowOwner(target, org.id, actor), source);

  const state = oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  // A nonce binds an ID token to this flow; a provider whose ID token carries none (LinkedIn) gets none.
  const oidc = scopes.includes("openid") && !provider.quirks.noNonce;
  const nonce = oidc ? oauth.generateRandomNonce() : null;
  const binding = request.binding && /^[A-Za-z0-9_-]{43}$/.test(request.binding) ? request.binding : randomBytes(32).toString("base64url");
  const redirectUri = oauthCallbackUrl(deps.baseUrl, target.provider.id);
  const url = await authorizeUrl(provider, secrets.clientId, {
    redirectUri,
    scopes,
    state,
    codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    nonce,
  }).catch((error: unknown) => {
    throw new OAuthError("provider_unavailable", error instanceof Error ? error.message : String(error), { cause: error });
  });
  const now = new Date();
  const stateHash = sha256(state);
  const dek = await deps.vault.dataKeys.forWrite();
  await deps.db.delete(oauthStates).where(lt(oauthStates.expiresAt, now));
  await deps.db.insert(oauthStates).values({
    stateHash,
    userId: actor.userId,
    bindingHash: sha256(binding),
    providerId: target.provider.id,
    installationId: request.installationId,
    fieldKey: target.fieldKey,
    scopes,
    codeVerifier: sealVerifier(dek, stateHash, actor.userId, codeVerifier),
    dekId: dek.id,
    nonce,
    returnTo,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  // Starts racing past the first check all see each other's rows here; those over the cap take theirs back.
  try {
    await assertPendingFlowsBelow(deps, actor.userId, maxPending, maxPending, now);
  } catch (error) {
    await deps.db.delete(oauthStates).where(and(eq(oauthStates.stateHash, stateHash), eq(oauthStates.userId, actor.userId)));
    throw error;
  }
  return { url, binding, returnTo };
}

/** Whose secrets fill a per-tenant provider's endpoint parameters: the organization's, and the person's for a personal connection. */
function flowOwner(target: FlowTarget, orgId: string, actor: UserActor) {
  return { orgId, userId: target.ownerKind === "user" ? actor.userId : null };
}

export interface CallbackRequest {
  providerId: string;
  /** The full callback URL as the browser requested it (code, state, iss or error). */
  callbackUrl: URL;
  binding: string | null;
}

/** Completes a flow. Throws OAuthError (with a message for the error page) on any failure. */
export async function completeAuthorization(deps: OAuthDeps, actor: UserActor, request: CallbackRequest, source: AuditSource) {
  const params = request.callbackUrl.searchParams;
  const state = params.get("state");
  if (!state) {
    const error = params.get("error");
    throw new OAuthError(
      "state_missing",
      error
        ? `The provider answered "${error}" without the state Latchkey sent, so the answer was ignored.`
        : "The provider's answer carried no state, so Latchkey cannot tell which connection it belongs to. Nothing was stored.",
    );
  }
  // Consume first: whatever happens next, this state cannot be used again.
  const [row] = await deps.db
    .delete(oauthStates)
    .where(eq(oauthStates.stateHash, sha256(state)))
    .returning();
  if (!row || row.providerId !== request.providerId) {
    throw new OAuthError("state_invalid", "This sign-in answer is unknown or was already used. Start the connection again.");
  }
  if (row.expiresAt.getTime() < Date.now())
    throw new OAuthError("state_expired", "The connection took longer than 10 minutes to complete. Start it again.");
  if (row.userId !== actor.userId || !request.binding || sha256(request.binding) !== row.bindingHash) {
    throw new OAuthError(
      "state_session_mismatch",
      "This sign-in answer was started in another session, so it was refused. Start the connection again from here.",
    );
  }
  const retryPath = authorizePath(row.providerId, { installation: row.installationId, field: row.fieldKey, returnTo: row.returnTo });
  try {
    const error = params.get("error");
    if (error) {
      const description = params.get("error_description");
      throw new OAuthError(
        error === "access_denied" ? "access_denied" : "provider_error",
        error === "access_denied"
          ? "You did not grant access, so nothing was connected."
          : `The provider refused the request: ${error}${description ? ` (${description})` : ""}.`,
      );
    }
    return await exchangeAndStore(deps, actor, request, source, row, state);
  } catch (error) {
    if (error instanceof OAuthError && !error.retryPath) error.retryPath = retryPath;
    throw error;
  }
}

async function exchangeAndStore(
  deps: OAuthDeps,
  actor: UserActor,
  request: CallbackRequest,
  source: AuditSource,
  row: typeof oauthStates.$inferSelect,
  state: string,
) {
  const { installation, org, target, ownerId } = await flowContext(deps, actor, row.installationId, row.providerId, row.fieldKey);
  const secrets = await clientSecrets(deps, target.client, target.provider.displayName, source);
  const provider = await concreteProvider(deps, target.provider, target.client, flowOwner(target, org.id, actor), source);
  const redirectUri = oauthCallbackUrl(deps.baseUrl, target.provider.id);
  let tokens;
  try {
    tokens = await exchangeCode(provider, secrets, request.callbackUrl, {
      state,
      redirectUri,
      codeVerifier: await openVerifier(deps.vault.dataKeys, row),
      nonce: row.nonce,
    });
  } catch (cause) {
    if (cause instanceof ProviderRequestError) {
      // Only a provider that is down is "unavailable"; an answer that cannot be used fails the exchange.
      throw new OAuthError(cause.unavailable ? "provider_unavailable" : "token_exchange_failed", cause.message, { cause });
    }
    if (cause instanceof oauth.AuthorizationResponseError) {
      throw new OAuthError("provider_error", `${target.provider.displayName} refused the request: ${cause.error}.`, { cause });
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new OAuthError("provider_error", `${target.provider.displayName}'s answer failed validation: ${message}`, { cause });
  }
  const account = await fetchAccount(provider, secrets.clientId, tokens);
  const connection = await storeGrant(deps, {
    ownerKind: target.ownerKind,
    ownerId,
    orgId: org.id,
    provider: target.provider,
    clientExtensionId: target.client.extensionId,
    tokens,
    requestedScopes: row.scopes,
    account,
    installationId: installation.id,
    storeAs: target.storeAs,
    actor: { kind: "user", id: actor.userId },
    source,
  });
  if (target.storeAs) {
    await writeStoreAs(
      deps,
      { installationId: installation.id, storeAs: target.storeAs },
      { orgId: org.id, userId: actor.userId },
      tokens.accessToken,
      { actor: { kind: "user", id: actor.userId }, source },
    );
  }
  return { returnTo: row.returnTo, connection, providerName: target.provider.displayName };
}
