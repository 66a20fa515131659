// The publisher API's (app/api/v1/publisher, bearer `lk_pub_…` tokens) request bodies and answers as zod
// schemas: the route files validate with them and the OpenAPI document (lib/openapi) is generated from
// them. `.meta({ id })` names a schema as a document component; it changes nothing about validation.
import { z } from "zod";

/** PUT …/credentials/{key}: set (or, with `rotate`, rotate) a partner credential. Never echoed back. */
export const credentialBody = z
  .object({ value: z.string().max(70_000), rotate: z.boolean().optional() })
  .meta({ id: "PartnerCredentialBody" });

/** POST /publisher/manifests as JSON; the same endpoint also takes the YAML itself as the body. */
export const manifestJsonBody = z.object({ yaml: z.string() }).meta({ id: "ManifestJsonBody" });

/** PUT …/source: which draft the archive belongs to (the newest version when omitted). */
export const sourceQuery = z.object({ version: z.string().optional() });

const extensionSummary = z
  .object({ id: z.uuid(), slug: z.string(), name: z.string(), status: z.string() })
  .meta({ id: "ExtensionSummary" });

const manifestError = z
  .object({ path: z.string(), line: z.number().int(), column: z.number().int(), message: z.string() })
  .meta({ id: "ManifestError" });

/** GET /publisher/me: who the token acts as. */
export const publisherMe = z
  .object({
    user: z.object({ name: z.string().nullable(), email: z.string() }),
    publisher: z.object({ slug: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: "PublisherMe" });

/** GET /publisher/extensions. */
export const extensionList = z
  .object({ extensions: z.array(extensionSummary.extend({ latest_version: z.string().nullable() })) })
  .meta({ id: "ExtensionList" });

/** GET …/credentials: status of each declared partner credential (never values). */
export const credentialList = z
  .object({
    extension: extensionSummary,
    credentials: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        type: z.string().nullable(),
        required: z.boolean(),
        secret: z.boolean(),
        status: z.enum(["configured", "missing"]),
        last_set_at: z.iso.datetime().nullable(),
        last_set_by: z.string().nullable().meta({ description: "email of who set it" }),
      }),
    ),
  })
  .meta({ id: "PartnerCredentialList" });

/** PUT …/credentials/{key}. */
export const credentialSet = z
  .object({ key: z.string(), label: z.string(), status: z.literal("configured"), version: z.number().int(), rotated: z.boolean() })
  .meta({ id: "PartnerCredentialSet" });

/** DELETE …/credentials/{key}. */
export const credentialDeleted = z
  .object({ key: z.string(), label: z.string(), status: z.literal("missing"), was_set: z.boolean() })
  .meta({ id: "PartnerCredentialDeleted" });

/** POST …/publish. */
export const publishAnswer = z
  .object({ extension: extensionSummary, version: z.object({ version: z.string(), published_at: z.iso.datetime().nullable() }) })
  .meta({ id: "PublishResult" });

/** POST /publisher/manifests (201 when it created the extension, else 200). */
export const manifestUploaded = z
  .object({
    extension: extensionSummary,
    version: z.object({ version: z.string(), published: z.boolean() }),
    created: z.boolean(),
    warnings: z.array(manifestError),
  })
  .meta({ id: "ManifestUploaded" });

const finding = z
  .object({
    rule: z.string(),
    severity: z.string(),
    path: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    snippet: z.string(),
    message: z.string(),
    fingerprint: z.string(),
  })
  .meta({ id: "ScanFinding", description: "packages/scan Finding" });

/** PUT …/source: the stored archive and its scan. */
export const sourceUploaded = z
  .object({
    version: z.object({ version: z.string(), id: z.uuid() }),
    archive: z.object({ sha256: z.string(), bytes: z.number().int(), format: z.string(), files: z.number().int() }),
    scan: z.object({
      files: z.object({ scanned: z.number().int(), bytes: z.number().int(), skipped: z.number().int() }),
      manifest_checked: z.boolean(),
      summary: z.object({
        blocking: z.number().int(),
        warnings: z.number().int(),
        exceptions: z.number().int(),
        baselined: z.number().int(),
      }),
      findings: z.array(finding),
    }),
  })
  .meta({ id: "SourceUploaded" });

/** POST /publisher/installations/{id}/runtime-token: a runtime test token for `latchkey token mint`. */
export const runtimeTestToken = z
  .object({
    token: z.string(),
    expires_at: z.iso.datetime(),
    installation_id: z.uuid(),
    extension_id: z.uuid(),
    org_id: z.uuid(),
    user_id: z.uuid().nullable(),
  })
  .meta({ id: "RuntimeTestToken" });
