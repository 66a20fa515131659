// The OAuth redirect URIs a publisher registers with each provider their extension's OAuth client talks
// to: one per provider whose setup `obtain` step takes the publisher's ext.* client credentials, and a
// provider extension's own provider_id. The OAuth flow's callback route (/api/oauth/[provider]/callback)
// answers at exactly this address.
import { declaredSecrets } from "@/lib/manifest";

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function oauthCallbackUrl(baseUrl: string, provider: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/oauth/${encodeURIComponent(provider)}/callback`;
}

export function redirectUrisFor(manifest: unknown, baseUrl: string): { provider: string; uri: string }[] {
  const root = obj(manifest);
  const setup = root.setup ?? obj(root.extension).setup;
  const partner = new Set(
    declaredSecrets(manifest)
      .filter((d) => d.scope === "ext")
      .map((d) => d.ref),
  );
  const providers = new Set<string>();
  for (const step of arr(setup)) {
    for (const field of arr(obj(obj(step).secrets).fields)) {
      const obtain = obj(obj(field).obtain);
      if (obtain.type !== "oauth2" || typeof obtain.provider !== "string") continue;
      if (partner.has(String(obtain.client_id)) || partner.has(String(obtain.client_secret))) providers.add(obtain.provider);
    }
  }
  const provides = obj(obj(root.provides ?? obj(root.extension).provides).oauth_provider);
  if (typeof provides.provider_id === "string") providers.add(provides.provider_id);
  return [...providers].map((provider) => ({ provider, uri: oauthCallbackUrl(baseUrl, provider) }));
}
