// The provider and client app a stored connection refreshes with: its client extension's current manifest
// names them (its own provider, or a catalogue provider with the consumer's own OAuth app).
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { extensionVersions, extensions, type OAuthConnectionRow } from "@/lib/db/schema";
import { catalogue } from "./catalogue";
import type { OAuthDeps } from "./connections";
import { endpointParamRefs, type FlowClient, type ProviderConfig } from "./provider-config";
import { providerFromManifest } from "@/lib/manifest/oauth";
import { installedProvider } from "./providers";

/** The provider and client app of a stored connection (its client extension's current manifest, or the catalogue). */
export async function connectionProvider(
  deps: OAuthDeps,
  row: Pick<OAuthConnectionRow, "providerId" | "clientExtensionId" | "orgId">,
): Promise<{ provider: ProviderConfig; client: FlowClient } | null> {
  const [ext] = await deps.db
    .select({ manifest: extensionVersions.manifest })
    .from(extensions)
    .innerJoin(extensionVersions, eq(extensionVersions.extensionId, extensions.id))
    .where(and(eq(extensions.id, row.clientExtensionId), isNotNull(extensionVersions.publishedAt)))
    .orderBy(sql`${extensionVersions.publishedAt} desc`)
    .limit(1);
  if (!ext) return null;
  const own = providerFromManifest(ext.manifest);
  if (own && own.provider.id === row.providerId) {
    return { provider: own.provider, client: { extensionId: row.clientExtensionId, idRef: own.idRef, secretRef: own.secretRef } };
  }
  // A consumer's own OAuth app (setup field obtain: oauth2) against a catalogue provider.
  const fields = (Array.isArray((ext.manifest as { setup?: unknown }).setup) ? (ext.manifest as { setup: unknown[] }).setup : [])
    .flatMap((step) => {
      const s = (step as { secrets?: { fields?: unknown[] } }).secrets;
      return Array.isArray(s?.fields) ? s.fields : [];
    })
    .map((f) => (f as { obtain?: Record<string, unknown> }).obtain ?? {});
  const obtain = fields.find((o) => o.type === "oauth2" && o.provider === row.providerId);
  if (!obtain) return null;
  // The endpoints come from the provider extension installed where it was connected, else the catalogue.
  const provider = (await installedProvider(deps.db, row.orgId, row.providerId))?.provider ?? catalogue.get(row.providerId);
  if (!provider) return null;
  return {
    provider,
    client: {
      extensionId: row.clientExtensionId,
      idRef: String(obtain.client_id ?? ""),
      secretRef: String(obtain.client_secret ?? ""),
      endpointParams: endpointParamRefs(obtain),
    },
  };
}
