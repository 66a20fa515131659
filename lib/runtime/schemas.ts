// The runtime API's request and response bodies as zod schemas: api.ts validates requests with them and
// the OpenAPI document (lib/openapi) is generated from them, so the two cannot drift. `.meta({ id })`
// names a schema as a component of the document; it changes nothing about validation.
import { z } from "zod";

/** The `{ref}` path segment: `ext.name`, `org.name`, `user.name`, or a bare name declared in one scope. */
export const secretRefParams = z.object({
  ref: z.string().meta({
    description: "`ext.name`, `org.name` or `user.name`; a bare `name` is accepted when it is declared in exactly one scope.",
    pattern: "^((ext|org|user)\\.)?[a-z][a-z0-9_]{0,62}$",
  }),
});

/**
 * PUT /secrets/{ref}: the value to store. An empty string passes this schema and is refused by the
 * vault (`secret_value_empty`); a value over the declaration's `max_bytes` is `secret_value_too_large`.
 */
export const putSecretBody = z.object({ value: z.string().meta({ description: "The secret's value (UTF-8)." }) }).meta({
  id: "PutSecretBody",
});

/** POST /oauth/token: which provider, and optionally a subset of the declared scopes. */
export const oauthTokenBody = z
  .object({
    provider: z.string().min(1).max(200).meta({ description: "requires.oauth_provider.provider" }),
    scopes: z
      .array(z.string().min(1).max(200))
      .max(100)
      .nullish()
      .meta({ description: "A subset of the declared scopes; all declared scopes when omitted." }),
  })
  .meta({ id: "OAuthTokenBody" });

const timestamp = z.iso.datetime().nullable();

/** One declared secret's declaration and status (never its value); the SDK's `SecretInfo`. */
export const secretMeta = z
  .object({
    ref: z.string(),
    scope: z.enum(["ext", "org", "user"]),
    name: z.string(),
    description: z.string(),
    required: z.boolean(),
    write_mode: z.enum(["publisher", "user", "extension", "both"]).meta({ description: "`publisher` for partner credentials (ext.*)" }),
    max_bytes: z.number().int(),
    rotation_hint_days: z.number().int().nullable(),
    is_set: z.boolean().nullable().meta({ description: "null for user.* when the token has no user" }),
    version: z.number().int().nullable(),
    byte_length: z.number().int().nullable(),
    last_set_at: timestamp,
    last_read_at: timestamp,
    last_rotated_at: timestamp,
    rotation_count: z.number().int(),
  })
  .meta({ id: "SecretMeta" });

/** One secret's metadata as served (`describe` in api.ts builds it). */
export type SecretMeta = z.infer<typeof secretMeta>;

/** GET /secrets. */
export const secretList = z.object({ secrets: z.array(secretMeta) }).meta({ id: "SecretList" });

/** GET /secrets/{ref}: the one place a value leaves the server. */
export const secretValue = z.object({ ref: z.string(), value: z.string() }).meta({ id: "SecretValue" });

/** PUT /secrets/{ref}. */
export const secretWritten = z
  .object({ ref: z.string(), is_set: z.literal(true), version: z.number().int() })
  .meta({ id: "SecretWritten" });

/** DELETE /secrets/{ref}. */
export const secretDeleted = z.object({ ref: z.string(), was_set: z.boolean() }).meta({ id: "SecretDeleted" });

/** GET /readiness: the dispatch gate (lib/runtime/readiness.ts). */
export const readinessBody = z
  .object({
    ready: z.boolean(),
    missing: z.array(
      z.object({
        ref: z.string().meta({ description: "scope.name, or oauth:<provider>" }),
        reason: z.enum(["secret_not_set", "partner_credential_missing", "user_context_required", "connection_missing"]),
        settings_url: z.url(),
        scopes: z.array(z.string()).optional(),
      }),
    ),
  })
  .meta({ id: "Readiness" });

/** POST /oauth/token: a current access token (never the refresh token). */
export const oauthTokenAnswer = z.object({ access_token: z.string(), expires_at: timestamp, scope: z.string() }).meta({ id: "OAuthToken" });

/** GET /.well-known/jwks.json (RFC 7517). */
export const jwksBody = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })) }).meta({ id: "Jwks" });
