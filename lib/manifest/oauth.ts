// What a manifest says about OAuth: a consumer's `requires.oauth_provider` (which provider, which scopes,
// what to do when no connection exists) and a provider extension's `provides.oauth_provider` (its
// endpoints and the ext.* refs of its client credentials), read leniently from a stored manifest. The
// extensions (installs, publishing, provider ids), the runtime and the OAuth flows all read them here.
import type { ProviderConfig } from "@/lib/oauth/catalogue/types";
import { declaredSecrets } from "./declarations";

export type OnMissing = "prompt_connect" | "ignore" | "error";

export interface OAuthRequirement {
  provider: string;
  scopes: string[];
  onMissing: OnMissing;
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] => arr(v).filter((s): s is string => typeof s === "string");

/** `requires.oauth_provider`, at the top level or under `extension:`. */
export function oauthRequirement(manifest: unknown): OAuthRequirement | null {
  const root = obj(manifest);
  const requires = obj(root.requires ?? obj(root.extension).requires);
  const block = obj(requires.oauth_provider);
  const provider = typeof block.provider === "string" ? block.provider : null;
  if (!provider) return null;
  const scopes = Array.isArray(block.scopes) ? block.scopes.filter((s): s is string => typeof s === "string") : [];
  const onMissing: OnMissing = block.on_missing === "ignore" || block.on_missing === "error" ? block.on_missing : "prompt_connect";
  return { provider, scopes, onMissing };
}

/** A provider extension's `provides.oauth_provider`, as a provider config and the refs of its client credentials. */
export function providerFromManifest(manifest: unknown): { provider: ProviderConfig; idRef: string; secretRef: string } | null {
  const root = obj(manifest);
  const block = obj(obj(root.provides ?? obj(root.extension).provides).oauth_provider);
  const id = str(block.provider_id);
  if (!id) return null;
  const endpoints = obj(block.endpoints);
  const partner = declaredSecrets(manifest).filter((d) => d.scope === "ext");
  const byType = (type: string) => partner.find((d) => d.type === type)?.ref;
  const idRef = str(block.client_id) ?? byType("oauth_client_id") ?? "";
  const secretRef = str(block.client_secret) ?? byType("oauth_client_secret") ?? "";
  const authorize = str(endpoints.authorize);
  const token = str(endpoints.token);
  return {
    provider: {
      id,
      displayName: str(block.display_name) ?? id,
      ...(str(block.icon) ? { icon: str(block.icon) } : {}),
      source: authorize && token ? "extension" : "discovery",
      ...(str(block.issuer) ? { issuer: str(block.issuer) } : {}),
      ...(authorize && token ? { endpoints: { authorize, token, revoke: str(endpoints.revoke), userinfo: str(endpoints.userinfo) } } : {}),
      defaultScopes: strings(block.default_scopes),
      availableScopes: arr(block.available_scopes).map((s) => ({ id: str(obj(s).id) ?? "", description: str(obj(s).description) ?? "" })),
      quirks: {},
    },
    idRef,
    secretRef,
  };
}

/** The ids a provider extension answers to: its provider_id and its extension id's last segment (the spec's consumer asks for `my-oauth`). */
export function providerAliases(manifest: unknown, extensionSlug: string): string[] {
  const found = providerFromManifest(manifest);
  if (!found) return [];
  const segment = extensionSlug.split(".").pop();
  return segment && segment !== found.provider.id ? [found.provider.id, segment] : [found.provider.id];
}
