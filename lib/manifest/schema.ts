// The manifest's shape as zod schemas: every block the three spec documents use (partner credentials,
// user/org secrets, setup wizard steps, webhooks, OAuth provider and consumer declarations). Objects
// are strict so a misspelt field is reported (as a warning) instead of silently meaning nothing.
// Cross-references between blocks are checked separately in cross-checks.ts.
import { z } from "zod";

/** Secret and credential names (the spec's pattern for per-user secrets; partner keys share it). */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const EXT_REF_PATTERN = /^ext\.([a-z][a-z0-9_]{0,62})$/;
export const STORE_AS_PATTERN = /^(org|user)\.([a-z][a-z0-9_]{0,62})$/;
export const SECRET_REF_PATTERN = /^(ext|org|user)\.([a-z][a-z0-9_]{0,62})$/;
const EXTENSION_ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const nameMessage = "must start with a lowercase letter followed by up to 62 lowercase letters, digits or underscores";

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const name = () => z.string().regex(NAME_PATTERN, nameMessage);
const httpUrl = () =>
  z
    .string()
    .max(2048, "must be at most 2048 characters")
    .refine((v) => {
      try {
        const url = new URL(v);
        return url.protocol === "https:" || url.protocol === "http:";
      } catch {
        return false;
      }
    }, "must be an http(s) URL");

export const credentialTypes = ["oauth_client_id", "oauth_client_secret", "api_key", "signing_secret"] as const;

export const partnerCredentialSchema = z.strictObject({
  key: name(),
  label: text(120),
  type: z.enum(credentialTypes).optional(),
  required: z.boolean().optional(),
  secret: z.boolean().optional(),
  description: text(1000).optional(),
  help_url: httpUrl().optional(),
});

export const credentialsSchema = z.strictObject({
  ext: z.array(partnerCredentialSchema).max(50, "may declare at most 50 partner credentials"),
});

export const writeModes = ["user", "extension", "both"] as const;

export const secretSchema = z.strictObject({
  name: name(),
  description: text(1000),
  required: z.boolean().optional(),
  write_mode: z.enum(writeModes).optional(),
  max_bytes: z
    .number()
    .int("must be a whole number")
    .min(1, "must be between 1 and 65536")
    .max(65536, "must be between 1 and 65536")
    .optional(),
  rotation_hint_days: z.number().int("must be a whole number").min(1, "must be at least 1").max(3650, "must be at most 3650").optional(),
  scope: z.enum(["user", "org"]).optional(),
});

export const obtainTypes = ["oauth2", "oauth2_client_credentials", "api_key", "token", "input", "basic", "auto_generate"] as const;

const extRef = () => z.string().regex(EXT_REF_PATTERN, "must reference a partner credential as ext.<key>");

export const obtainSchema = z
  .strictObject({
    type: z.enum(obtainTypes),
    provider: z.string().regex(SLUG_PATTERN, "must be a provider id such as zoom").optional(),
    client_id: extRef().optional(),
    client_secret: extRef().optional(),
    scopes: z.array(text(200)).optional(),
    store_as: z.string().regex(STORE_AS_PATTERN, "must be org.<name> or user.<name> (ext.* values are set by the publisher)").optional(),
    // A per-tenant provider's endpoint parameters (Shopify's shop, Zendesk's subdomain): each names the secret holding its value.
    endpoint_params: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, "must be a parameter name such as shop"),
        z.string().regex(SECRET_REF_PATTERN, "must reference a secret as ext.<key>, org.<name> or user.<name>"),
      )
      .optional(),
    url: httpUrl().optional(),
    length: z.number().int("must be a whole number").min(16, "must be at least 16").max(256, "must be at most 256").optional(),
  })
  .superRefine((o, ctx) => {
    if (o.type === "oauth2" || o.type === "oauth2_client_credentials") {
      for (const field of ["provider", "client_id", "client_secret", "store_as"] as const) {
        if (o[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `is required for obtain type ${o.type}` });
      }
    }
  });

export const fieldSchema = z.strictObject({
  key: name(),
  label: text(120),
  type: z.string().regex(SLUG_PATTERN, "must be a field type such as oauth_token, password or text").optional(),
  description: text(1000).optional(),
  required: z.boolean().optional(),
  obtain: obtainSchema.optional(),
});

export const secretsStepSchema = z
  .strictObject({
    title: text(200).optional(),
    description: text(2000).optional(),
    fields: z.array(fieldSchema).min(1, "must list at least one field").optional(),
    collect: z.array(name()).min(1, "must name at least one secret").optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.fields === undefined) === (s.collect === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "a secrets step needs either fields or collect (one of them)" });
    }
  });

export const configureStepSchema = z.strictObject({
  title: text(200).optional(),
  description: text(2000).optional(),
  fields: z.array(
    z.strictObject({
      key: name(),
      label: text(120),
      type: z.enum(["text", "number", "boolean", "select", "url", "email"]).optional(),
      required: z.boolean().optional(),
      description: text(1000).optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      options: z.array(text(200)).optional(),
    }),
  ),
});

/**
 * Why `endpoint` is not a path on the extension's `base_url`, or null when it is one. A test step's
 * endpoint is resolved against base_url by the WHATWG URL parser, which reads `//host/x` as another host,
 * strips tabs and newlines (so `/\t/host` becomes `//host`), treats `\` as `/` and resolves `..`
 * segments out of base_url's path; each of those is refused here. Used at upload and again before a
 * check is run, for versions stored before this rule.
 */
export function endpointPathProblem(endpoint: string): string | null {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(endpoint)) return "must not contain control characters (tab, newline, NUL …)";
  if (endpoint.includes("\\")) return "must not contain a backslash";
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(endpoint)) return "must be a path such as /health, not a URL with a scheme";
  if (!endpoint.startsWith("/")) return "must be a path on the extension such as /health";
  if (endpoint.startsWith("//")) return "must be a path such as /health; a leading // names another host";
  if (endpoint.split("/").includes("..")) return "must not contain .. segments";
  if (endpoint.length > 2048) return "must be at most 2048 characters";
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(endpoint)) return "must be a path of letters, digits, / _ . and - such as /health";
  return null;
}

export const testStepSchema = z.strictObject({
  title: text(200).optional(),
  description: text(2000).optional(),
  endpoint: z.string().superRefine((endpoint, ctx) => {
    const problem = endpointPathProblem(endpoint);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  success_message: text(500).optional(),
});

export const infoStepSchema = z.strictObject({
  title: text(200).optional(),
  markdown: text(20_000),
});

export const stepKinds = ["secrets", "configure", "test", "info"] as const;

export const setupStepSchema = z
  .strictObject({
    secrets: secretsStepSchema.optional(),
    configure: configureStepSchema.optional(),
    test: testStepSchema.optional(),
    info: infoStepSchema.optional(),
  })
  .superRefine((step, ctx) => {
    const kinds = stepKinds.filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message:
          kinds.length === 0
            ? "a setup step must be one of secrets, configure, test or info"
            : `a setup step must be exactly one of secrets, configure, test or info (found ${kinds.join(" and ")})`,
      });
    }
  });

export const webhookSchema = z.strictObject({
  path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, "must be a path starting with /"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
  secret_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name")
    .optional(),
});

export const oauthProviderSchema = z
  .strictObject({
    provider_id: z.string().regex(SLUG_PATTERN, "must be an id such as my-provider"),
    display_name: text(120),
    icon: text(100).optional(),
    /** An OpenID Connect issuer: its endpoints are discovered from /.well-known/openid-configuration. */
    issuer: httpUrl().optional(),
    endpoints: z
      .strictObject({
        authorize: httpUrl(),
        token: httpUrl(),
        revoke: httpUrl().optional(),
        userinfo: httpUrl().optional(),
      })
      .optional(),
    /** The partner credentials holding the OAuth client (default: the ones typed oauth_client_id / oauth_client_secret). */
    client_id: extRef().optional(),
    client_secret: extRef().optional(),
    grant_types: z.array(z.enum(["authorization_code", "refresh_token", "client_credentials"])).min(1, "must list at least one grant type"),
    default_scopes: z.array(text(200)).optional(),
    available_scopes: z
      .array(
        z.strictObject({
          id: text(200),
          description: text(500),
          default: z.boolean().optional(),
          consumer: text(200).optional(),
        }),
      )
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.endpoints && !p.issuer) {
      ctx.addIssue({
        code: "custom",
        path: ["endpoints"],
        message: "is required unless issuer names an OpenID Connect issuer to discover",
      });
    }
  });

export const oauthConsumerSchema = z.strictObject({
  provider: z.string().regex(SLUG_PATTERN, "must be a provider extension id such as my-oauth"),
  scopes: z.array(text(200)).min(1, "must list at least one scope"),
  on_missing: z.enum(["prompt_connect", "ignore", "error"]).optional(),
});

/** Blocks the partner-credentials document shows at the top level and the others under `extension:`. */
export const movableBlocks = {
  credentials: credentialsSchema.optional(),
  secrets: z.array(secretSchema).max(100, "may declare at most 100 secrets").optional(),
  setup: z.array(setupStepSchema).max(50, "may have at most 50 steps").optional(),
  webhooks: z.array(webhookSchema).max(50, "may declare at most 50 webhooks").optional(),
};
export type MovableBlock = keyof typeof movableBlocks;
export const movableBlockNames = Object.keys(movableBlocks) as MovableBlock[];

export const extensionSchema = z.strictObject({
  id: z
    .string()
    .max(128, "must be at most 128 characters")
    .regex(EXTENSION_ID_PATTERN, "must be a reverse-DNS id such as dev.mycompany.zoom-integration (lowercase)"),
  name: text(100),
  version: z.string().regex(VERSION_PATTERN, 'must be a version such as 1.0.0 (quote it: version: "1.0")').optional(),
  description: text(2000).optional(),
  capabilities: z.array(z.string().regex(SLUG_PATTERN, "must be a capability such as calendar-sync")).optional(),
  /** Where Latchkey reaches the extension, e.g. for a setup wizard's `test` step (its endpoint is a path on it). */
  base_url: httpUrl().optional(),
  provides: z.strictObject({ oauth_provider: oauthProviderSchema }).optional(),
  requires: z.strictObject({ oauth_provider: oauthConsumerSchema }).optional(),
  ...movableBlocks,
});

export const rawManifestSchema = z.strictObject({
  model_version: z.literal("1.0", { error: 'must be "1.0" (quoted, so YAML reads it as text)' }),
  extension: extensionSchema,
  ...movableBlocks,
});

export type RawManifest = z.infer<typeof rawManifestSchema>;
export type PartnerCredential = z.infer<typeof partnerCredentialSchema>;
export type ManifestSecret = z.infer<typeof secretSchema>;
export type SetupStep = z.infer<typeof setupStepSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
export type OAuthProviderDeclaration = z.infer<typeof oauthProviderSchema>;
export type OAuthConsumerDeclaration = z.infer<typeof oauthConsumerSchema>;

/** A validated manifest with every movable block hoisted to the top level, wherever it was written. */
export interface Manifest {
  model_version: "1.0";
  extension: Omit<z.infer<typeof extensionSchema>, MovableBlock> & { version: string; description: string };
  credentials?: z.infer<typeof credentialsSchema>;
  secrets?: ManifestSecret[];
  setup?: SetupStep[];
  webhooks?: Webhook[];
}
