// Scope strings as providers really write them, compared as the provider means them: the separator of a
// token answer (GitHub answers "repo,user:email"), documented aliases (Google answers the userinfo.email
// URL for `email`), scopes that include others (GitHub's `user` includes `user:email`), case (Microsoft
// answers `mail.read` for `Mail.Read`) and resources (Microsoft's `https://graph.microsoft.com/Mail.Read`
// is `Mail.Read`; an `api://<app-id>/read` scope is another resource's). All of it is catalogue data
// (ProviderQuirks); a provider without any of it compares scopes as RFC 6749 §3.3 says: exact strings.
import type { ProviderConfig } from "./provider-config";

type ScopeProvider = Pick<ProviderConfig, "scopeSeparator" | "quirks">;

/** OpenID Connect scopes: they belong to no resource and may be sent with any resource's scopes. */
const OIDC_SCOPES = new Set(["openid", "email", "profile", "offline_access"]);

/**
 * Splits a `scope` string on `separator` (and on whitespace, which no provider uses inside a scope).
 * `"repo,user:email"` with "," → `["repo", "user:email"]`.
 */
export function splitScopes(scope: string | undefined, separator = " "): string[] {
  const escaped = separator.replace(/[\\\]^-]/g, "\\$&");
  return (scope ?? "")
    .split(separator.trim() === "" ? /\s+/ : new RegExp(`[${escaped}\\s]+`))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The scopes of a token answer's `scope` member, split with the provider's answer separator. */
export function answeredScopes(provider: ScopeProvider, scope: string | undefined): string[] | null {
  if (scope === undefined) return null;
  return splitScopes(scope, provider.quirks.grantedScopeSeparator ?? provider.scopeSeparator ?? " ");
}

/**
 * The resource a scope is for, on a provider that issues one token per resource (Microsoft):
 * `https://graph.microsoft.com/Mail.Read` and bare `Mail.Read` → `https://graph.microsoft.com`,
 * `api://1111-2222/read` → `api://1111-2222`; OpenID Connect scopes → null. Always null elsewhere.
 */
export function resourceOf(provider: ScopeProvider, scope: string): string | null {
  if (!provider.quirks.onePerResource || OIDC_SCOPES.has(scope.toLowerCase())) return null;
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)\//i.exec(scope);
  return match?.[1] ?? provider.quirks.defaultResource ?? null;
}

/** The spelling a scope is stored and compared in: alias resolved, default resource's prefix dropped. */
export function canonicalScope(provider: ScopeProvider, scope: string): string {
  const { scopeAliases, defaultResource } = provider.quirks;
  const aliased = scopeAliases?.[scope] ?? scope;
  if (defaultResource && aliased.toLowerCase().startsWith(`${defaultResource.toLowerCase()}/`)) {
    return aliased.slice(defaultResource.length + 1);
  }
  return aliased;
}

const keyOf = (provider: ScopeProvider, scope: string) => {
  const canonical = canonicalScope(provider, scope);
  return provider.quirks.scopesCaseInsensitive ? canonical.toLowerCase() : canonical;
};

/** Whether two spellings name the same scope at this provider. */
export function sameScope(provider: ScopeProvider, a: string, b: string): boolean {
  return keyOf(provider, a) === keyOf(provider, b);
}

/** Every scope key `granted` covers: the scopes themselves and, transitively, what they include. */
function coveredKeys(provider: ScopeProvider, granted: readonly string[]): Set<string> {
  const implies = new Map(
    Object.entries(provider.quirks.scopeImplies ?? {}).map(([k, v]) => [keyOf(provider, k), v.map((s) => keyOf(provider, s))]),
  );
  const covered = new Set<string>();
  const pending = granted.map((s) => keyOf(provider, s));
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (covered.has(key)) continue;
    covered.add(key);
    pending.push(...(implies.get(key) ?? []));
  }
  return covered;
}

/** The scopes of `wanted` that `granted` does not cover, in `wanted`'s spelling. */
export function missingScopes(provider: ScopeProvider, granted: readonly string[], wanted: readonly string[]): string[] {
  const covered = coveredKeys(provider, granted);
  return wanted.filter((s) => !covered.has(keyOf(provider, s)));
}

/** `a` followed by the scopes of `b` that are not the same scope as one already in the list (spelling of the first kept). */
export function unionScopes(provider: ScopeProvider, a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const scope of [...a, ...b]) {
    const key = keyOf(provider, scope);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(canonicalScope(provider, scope));
  }
  return out;
}

/**
 * The grant a code exchange's answer stands for. Each answered scope is stored in the spelling it was
 * asked in (`https://graph.microsoft.com/mail.read` answered for `Mail.Read` → `Mail.Read`). No `scope` in
 * the answer means what was asked was granted (RFC 6749 §5.1). On a one-token-per-resource provider the
 * answer lists only the resource its token is for, while consent covered every resource asked for: the
 * other resources' scopes, and the OpenID Connect ones it never lists, are part of the grant too.
 */
export function grantFromAnswer(provider: ScopeProvider, answered: readonly string[] | null, requested: readonly string[]): string[] {
  if (answered === null) return unionScopes(provider, requested, []);
  const spelled = answered.map((scope) => requested.find((r) => sameScope(provider, r, scope)) ?? scope);
  if (!provider.quirks.onePerResource) return unionScopes(provider, spelled, []);
  const answeredResources = new Set(answered.map((s) => resourceOf(provider, s)).filter((r) => r !== null));
  const notListed = requested.filter((s) => {
    const resource = resourceOf(provider, s);
    return resource === null || !answeredResources.has(resource);
  });
  return unionScopes(provider, spelled, notListed);
}

/**
 * The grant after a refresh answered `answered`: merged, never replaced. A refresh answer describes the
 * token it carries (on Microsoft, one resource's scopes, without the OpenID Connect ones), not the grant,
 * which a refresh cannot widen (RFC 6749 §6).
 */
export function grantAfterRefresh(provider: ScopeProvider, grant: readonly string[], answered: readonly string[] | null): string[] {
  if (answered === null) return [...grant];
  return unionScopes(
    provider,
    grant,
    answered.map((scope) => grant.find((g) => sameScope(provider, g, scope)) ?? scope),
  );
}

/**
 * The one resource a token request's scopes are for (null: only OpenID Connect scopes, or a provider
 * with one token for everything).
 *
 * @throws Error naming both resources when the scopes span two (Microsoft refuses such a request, AADSTS28000)
 */
export function requestedResource(provider: ScopeProvider, scopes: readonly string[]): string | null {
  const resources = [...new Set(scopes.map((s) => resourceOf(provider, s)).filter((r) => r !== null))];
  if (resources.length > 1) {
    throw new MixedResourcesError(resources);
  }
  return resources[0] ?? null;
}

/** A token request that names scopes of more than one resource on a one-token-per-resource provider. */
export class MixedResourcesError extends Error {
  constructor(readonly resources: string[]) {
    super(`A token is for one resource; these scopes are for ${resources.join(" and ")}. Ask for each resource's scopes separately.`);
    this.name = "MixedResourcesError";
  }
}

/**
 * What a refresh for `resource` asks for: the grant's scopes of that resource, plus the OpenID Connect
 * ones (offline_access keeps refresh tokens coming). Graph's scopes keep their bare spelling.
 */
export function scopesForResource(provider: ScopeProvider, grant: readonly string[], resource: string | null): string[] {
  return grant.filter((s) => {
    const r = resourceOf(provider, s);
    return r === null || r === resource;
  });
}

/**
 * The resource a code exchange's token is for, on a one-token-per-resource provider: the resource of the
 * scopes answered, else (no `scope` in the answer) the first resource asked for, as Microsoft issues the
 * code's token for the first resource in the request. Null elsewhere.
 */
export function tokenResourceOf(provider: ScopeProvider, answered: readonly string[] | null, requested: readonly string[]): string | null {
  if (!provider.quirks.onePerResource) return null;
  const first = (scopes: readonly string[]) => scopes.map((s) => resourceOf(provider, s)).find((r) => r !== null) ?? null;
  return first(answered ?? []) ?? first(requested);
}
