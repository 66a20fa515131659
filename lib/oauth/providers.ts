// Where an OAuth flow's provider, client app and owner come from. A provider is declared by a provider
// extension installed in the organization (`provides.oauth_provider`, its client being that extension's
// partner credentials), or is one of the built-in catalogue's, or any OpenID Connect issuer found by
// discovery. What asks for a connection is either a consumer's `requires.oauth_provider` (a person's own
// connection, shared by every consumer) or a setup field's `obtain: {type: oauth2}` (the consumer's own
// client credentials, owned by the user or org its `store_as` names).
import { isUuid } from "@/lib/db/ids";
import type { DbOrTx } from "@/lib/db/client";
import type { ConnectionOwnerKind } from "@/lib/db/schema";
import { installationsWithManifests, installationsWithVersions } from "@/lib/extensions/queries";
import { oauthRequirement, providerAliases, providerFromManifest } from "@/lib/manifest/oauth";
import { catalogue } from "./catalogue";
import { OAuthError } from "./errors";
import { endpointParamRefs, type FlowClient, type ProviderConfig } from "./provider-config";

/** What a flow for one installation connects: the provider, the OAuth client app, and whose connection it is. */
export interface FlowTarget {
  provider: ProviderConfig;
  /** The extension whose ext.* partner credentials are the OAuth client, and their references. */
  client: FlowClient;
  ownerKind: ConnectionOwnerKind;
  /** The setup field that asked (empty for requires.oauth_provider). */
  fieldKey: string;
  /** Where the access token is also written for the installation's extension (`org.x` / `user.x`), if asked. */
  storeAs: string | null;
  /** The scopes this installation needs from the connection. */
  scopes: string[];
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] => arr(v).filter((s): s is string => typeof s === "string");

const installedInOrg = (db: DbOrTx, orgId: string) => installationsWithManifests(db, [orgId]);

/** The provider extension installed in the organization that answers to `providerId`, if any. */
export async function installedProvider(db: DbOrTx, orgId: string, providerId: string) {
  for (const ext of await installedInOrg(db, orgId)) {
    if (!providerAliases(ext.manifest, ext.slug).includes(providerId)) continue;
    const found = providerFromManifest(ext.manifest);
    if (found) return { ...found, extension: ext };
  }
  return null;
}

/** Scopes every installed consumer in the organization needs from a provider extension's connection. */
export async function consumerScopes(db: DbOrTx, orgId: string, providerAliasesOfIt: string[]): Promise<string[]> {
  const scopes = new Set<string>();
  for (const ext of await installedInOrg(db, orgId)) {
    const requirement = oauthRequirement(ext.manifest);
    if (requirement && providerAliasesOfIt.includes(requirement.provider)) requirement.scopes.forEach((s) => scopes.add(s));
  }
  return [...scopes];
}

/**
 * Resolves what connecting `providerId` for an installation means. `fieldKey` names the setup field that
 * asks (an `obtain: {type: oauth2}` field); without it the installation's `requires.oauth_provider` (or the
 * installation being the provider extension itself) is what asks.
 */
export async function resolveFlowTarget(
  db: DbOrTx,
  installation: { id: string; orgId: string; extensionId: string; manifest: unknown },
  providerId: string,
  fieldKey: string,
): Promise<FlowTarget> {
  const installedProviderExt = await installedProvider(db, installation.orgId, providerId);

  if (fieldKey) {
    const field = arr(obj(installation.manifest).setup)
      .flatMap((step) => arr(obj(obj(step).secrets).fields))
      .map(obj)
      .find((f) => f.key === fieldKey);
    const obtain = obj(field?.obtain);
    if (!field || obtain.type !== "oauth2" || obtain.provider !== providerId) {
      throw new OAuthError("unknown_field", `This extension has no setup field "${fieldKey}" that connects ${providerId}.`);
    }
    const provider = installedProviderExt?.provider ?? catalogue.get(providerId);
    if (!provider) {
      throw new OAuthError(
        "unknown_provider",
        `"${providerId}" is neither a built-in provider nor a provider extension installed in this organization.`,
      );
    }
    const storeAs = str(obtain.store_as) ?? null;
    return {
      provider,
      client: {
        extensionId: installation.extensionId,
        idRef: str(obtain.client_id) ?? "",
        secretRef: str(obtain.client_secret) ?? "",
        endpointParams: endpointParamRefs(obtain),
      },
      ownerKind: storeAs?.startsWith("user.") ? "user" : "org",
      fieldKey,
      storeAs,
      scopes: strings(obtain.scopes),
    };
  }

  const requirement = oauthRequirement(installation.manifest);
  const isTheProvider = installedProviderExt?.extension.installationId === installation.id;
  if (
    !isTheProvider &&
    !(
      requirement &&
      installedProviderExt &&
      providerAliases(installedProviderExt.extension.manifest, installedProviderExt.extension.slug).includes(requirement.provider)
    )
  ) {
    throw new OAuthError(
      installedProviderExt ? "not_required" : "unknown_provider",
      installedProviderExt
        ? `This extension does not use ${installedProviderExt.provider.displayName}.`
        : `The OAuth provider "${providerId}" is not installed in this organization. Install its provider extension first.`,
    );
  }
  if (!installedProviderExt) throw new OAuthError("unknown_provider", `The OAuth provider "${providerId}" is not installed.`);
  return {
    provider: installedProviderExt.provider,
    client: {
      extensionId: installedProviderExt.extension.extensionId,
      idRef: installedProviderExt.idRef,
      secretRef: installedProviderExt.secretRef,
    },
    ownerKind: "user",
    fieldKey: "",
    storeAs: null,
    scopes: requirement?.scopes ?? [],
  };
}

/** Loads an installation a flow (or a token request) is for, only if it is in one of `orgIds`. */
export async function loadFlowInstallation(db: DbOrTx, installationId: string, orgIds: string[]) {
  const scope = orgIds.filter(isUuid);
  if (!isUuid(installationId) || scope.length === 0) return null;
  const [row] = await installationsWithVersions(db, { installationId, orgIds: scope });
  if (!row) return null;
  const { installation, extension, version } = row;
  return {
    id: installation.id,
    orgId: installation.orgId,
    extensionId: installation.extensionId,
    extensionName: extension.name,
    manifest: version.manifest,
  };
}
