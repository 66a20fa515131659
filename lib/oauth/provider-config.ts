// What Latchkey knows of an OAuth provider (ProviderConfig: endpoints or issuer, scopes, quirks of
// non-conforming providers as data) and of the client app a flow uses, and filling a per-tenant provider's
// endpoint parameters in, and reading an account id and label from the fields the catalogue names. Types
// and pure functions only: every other oauth module may import it.
import { OAuthError } from "./errors";

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});

// The provider shape is defined beside the catalogue (lib/oauth/catalogue/types.ts, the layer below oauth);
// re-exported here for the OAuth code.
import type { AccountFields, ProviderConfig } from "./catalogue/types";
export type {
  AccountFields,
  CatalogueEntry,
  EndpointParam,
  PkceSupport,
  ProviderConfig,
  ProviderQuirks,
  Revocation,
} from "./catalogue/types";

/**
 * The OAuth client app of a flow or connection: the extension whose `ext.*` partner credentials hold its
 * id and secret (refs), and for per-tenant providers the secrets (refs, `obtain.endpoint_params`) holding
 * each endpoint parameter's value.
 */
export interface FlowClient {
  extensionId: string;
  idRef: string;
  secretRef: string;
  endpointParams?: Record<string, string>;
}

/** The `obtain.endpoint_params` of a setup field: parameter name → secret ref. */
export function endpointParamRefs(obtain: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(obj(obj(obtain).endpoint_params)).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/**
 * The provider with its per-tenant endpoint `{param}`s filled in: shop `acme` makes
 * `https://{shop}.myshopify.com/admin/oauth/access_token` `https://acme.myshopify.com/admin/oauth/access_token`.
 * A provider without `endpointParams` is returned as is.
 *
 * @param values each parameter's value as read from the secret its setup field names (null: not set)
 * @throws OAuthError `endpoint_param_missing` (no value, or the setup field names no secret for it) or
 *   `endpoint_param_invalid` (the value does not match the parameter's pattern, e.g. `evil.example/x`)
 */
export function withEndpointParams(provider: ProviderConfig, values: Record<string, string | null | undefined>): ProviderConfig {
  const params = provider.endpointParams;
  if (!params || !provider.endpoints) return provider;
  const filled: Record<string, string> = {};
  for (const [name, param] of Object.entries(params)) {
    const value = values[name]?.trim();
    if (!value) {
      throw new OAuthError(
        "endpoint_param_missing",
        `${provider.displayName} needs ${param.label} (e.g. ${param.example}) before it can be connected: set the secret this extension's setup names for "${name}".`,
      );
    }
    if (!new RegExp(`^(?:${param.pattern})$`).test(value)) {
      throw new OAuthError(
        "endpoint_param_invalid",
        `"${value}" is not ${param.label} (e.g. ${param.example}); ${provider.displayName}'s endpoints cannot be built from it.`,
      );
    }
    filled[name] = value;
  }
  const fill = (url: string | undefined) => url?.replace(/\{([a-z_]+)\}/g, (whole, name: string) => filled[name] ?? whole);
  const e = provider.endpoints;
  return {
    ...provider,
    endpoints: { authorize: fill(e.authorize) ?? "", token: fill(e.token) ?? "", revoke: fill(e.revoke), userinfo: fill(e.userinfo) },
  };
}

/** A dotted path (`authed_user.id`) into a JSON answer. */
function pick(json: unknown, path: string): unknown {
  let value: unknown = json;
  for (const key of path.split(".")) value = obj(value)[key];
  return value;
}

/** The account id and label a provider's JSON (profile or token answer) carries in the catalogue's fields. */
export function accountFrom(fields: AccountFields, json: unknown): { accountId: string | null; accountLabel: string | null } {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);
  const accountId = text(pick(json, fields.id));
  const accountLabel = fields.label.map((path) => text(pick(json, path))).find((v) => v !== null) ?? accountId;
  return { accountId, accountLabel };
}
