// The /api/v1/audit routes' query parameters and bodies, and the shapes they answer, as zod schemas: the
// routes validate with them and the OpenAPI document (lib/openapi) is generated from them. `.meta({ id })`
// names a schema as a document component; it changes nothing about validation.
import { z } from "zod";
import { text } from "@/lib/core/text";
import { AuditApiError } from "./proofs";
import { EXPORT_DEFAULT_LIMIT, EXPORT_MAX_LIMIT } from "./export";

const blank = (v: unknown) => (v === "" || v === null ? undefined : v);

/** A non-negative integer query parameter (at most 15 digits); the messages name the parameter. */
function nonNegativeInt(name: string) {
  const invalid = `${name} must be a non-negative integer.`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required.` : invalid) })
    .regex(/^[0-9]{1,15}$/, invalid)
    .transform(Number);
}
const required = (name: string) => z.preprocess(blank, nonNegativeInt(name));
const optional = (name: string) => z.preprocess(blank, nonNegativeInt(name).optional());

/**
 * Validates query parameters against one of the schemas below (the first value of a repeated name, as
 * `URLSearchParams.get` reads it).
 *
 * @throws AuditApiError `invalid_request` with the first problem's message
 */
export function parseAuditQuery<S extends z.ZodType>(schema: S, params: URLSearchParams): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.get(key)])));
  if (!parsed.success) throw new AuditApiError("invalid_request", parsed.error.issues[0]?.message ?? "Invalid query.");
  return parsed.data;
}

// Text filters go into WHERE clauses: text() refuses what PostgreSQL cannot take (a NUL was a 500).
const filter = (label: string) => z.preprocess(blank, text({ label, max: 200 }).optional());

/** GET …/events (admin, publisher and personal viewers): filters, paging and format. */
export const auditEventsQuery = z.object({
  actor: filter("actor"),
  action: filter("action"),
  extension: filter("extension"),
  org: filter("org"),
  outcome: z.preprocess(blank, z.enum(["success", "failure", "denied"]).optional()),
  from: z.preprocess(blank, z.coerce.date().optional()),
  to: z.preprocess(blank, z.coerce.date().optional()),
  cursor: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(200).optional()),
  format: z.preprocess(blank, z.enum(["json", "csv", "jsonl"]).default("json")),
});

/** GET /audit/checkpoints. */
export const checkpointsQuery = z.object({ before: optional("before"), limit: optional("limit") });

/** GET /audit/proof: tree_size defaults to the latest checkpoint's. */
export const proofQuery = z.object({ leaf_index: required("leaf_index"), tree_size: optional("tree_size") });

/** GET /audit/consistency. */
export const consistencyQuery = z.object({ from: required("from"), to: required("to") });

/** GET /audit/export: `after` is a leaf index, or -1 (the default) to start before the first leaf. */
export const exportQuery = z.object({
  after: z.preprocess(
    blank,
    z
      .string()
      .regex(/^(-1|[0-9]{1,15})$/, "after must be a non-negative integer.")
      .transform(Number)
      .default(-1),
  ),
  limit: z.preprocess(
    blank,
    nonNegativeInt("limit")
      .refine((n) => n >= 1 && n <= EXPORT_MAX_LIMIT, `limit must be between 1 and ${EXPORT_MAX_LIMIT}.`)
      .default(EXPORT_DEFAULT_LIMIT),
  ),
});

const VERIFY_USAGE = 'Send JSON { "content_hash": "<64 hex characters>" }.';

/** POST /audit/verify; the messages are what the route answers. */
export const verifyBody = z
  .object(
    {
      content_hash: z
        .string({ error: VERIFY_USAGE })
        .regex(/^[0-9a-fA-F]{64}$/, "content_hash must be 64 hex characters (a SHA-256 leaf hash).")
        .meta({ description: "SHA-256 leaf hash, 64 hex characters" }),
    },
    { error: VERIFY_USAGE },
  )
  .meta({ id: "AuditVerifyBody" });

const hash = z.string().meta({ description: "hex" });
const checkpoint = z
  .object({
    tree_size: z.number().int(),
    root_hash: hash,
    origin: z.string(),
    key_id: z.string(),
    note: z.string().meta({ description: "The C2SP signed note, byte for byte as signed" }),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "AuditCheckpoint" });
const anchorInfo = z.object({ sink: z.string(), status: z.string(), reference: z.string().nullable() });

/** GET /audit/public-key. */
export const publicKeyAnswer = z
  .object({
    origin: z.string(),
    algorithm: z.literal("Ed25519"),
    public_key: z.string().meta({ description: "base64" }),
    key_id: z.string(),
    verifier_key: z.string(),
    note_format: z.string(),
    leaf_hash: z.string(),
  })
  .meta({ id: "AuditPublicKey" });

/** GET /audit/checkpoints. */
export const checkpointList = z
  .object({
    tree_size: z.number().int(),
    checkpoints: z.array(
      checkpoint.extend({
        anchors: z.array(
          anchorInfo.extend({ block_number: z.number().int().nullable(), last_error: z.string().nullable(), updated_at: z.iso.datetime() }),
        ),
      }),
    ),
  })
  .meta({ id: "AuditCheckpointList" });

/** GET /audit/proof. */
export const inclusionProof = z
  .object({
    leaf_index: z.number().int(),
    tree_size: z.number().int(),
    root_hash: hash,
    proof_path: z.array(hash),
    checkpoint: checkpoint.nullable(),
  })
  .meta({ id: "AuditInclusionProof" });

/** GET /audit/consistency. */
export const consistencyProof = z
  .object({ from: z.number().int(), to: z.number().int(), from_root: hash, to_root: hash, proof_path: z.array(hash) })
  .meta({ id: "AuditConsistencyProof" });

/** POST /audit/verify: `pending` until a checkpoint covers the leaf. */
export const verifyAnswer = z
  .object({
    verified: z.boolean(),
    status: z.enum(["pending", "included", "proof_failed"]),
    leaf_index: z.number().int(),
    tree_size: z.number().int().optional(),
    proof_path: z.array(hash),
    checkpoint: checkpoint.nullable(),
    anchor: anchorInfo.nullable(),
    anchors: z.array(anchorInfo.extend({ block_number: z.number().int().nullable() })),
    chain: z
      .object({
        chain_id: z.number().int().nullable(),
        tree_size: z.number().int(),
        status: z.string(),
        transaction: z.string().nullable(),
        block_number: z.number().int().nullable(),
        checkpoint,
        proof_path: z.array(hash),
      })
      .nullable(),
  })
  .meta({ id: "AuditVerifyResult" });

/** GET …/events?format=json: one page of events, newest first (lib/audit/queries.ts AuditRow). */
export const auditEventsPage = z
  .object({
    rows: z.array(
      z.object({
        id: z.number().int(),
        occurred_at: z.iso.datetime(),
        actor: z.object({ kind: z.string(), id: z.string(), name: z.string().nullable() }),
        action: z.string(),
        target: z.string(),
        extension: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
        org: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
        source: z.object({ kind: z.string(), ip: z.string().nullable(), user_agent: z.string().nullable() }),
        outcome: z.string(),
        details: z.record(z.string(), z.unknown()),
        entry: z.record(z.string(), z.unknown()).nullable().meta({ description: "Exactly what was hashed into the leaf" }),
        leaf_index: z.number().int().nullable(),
        leaf_hash: hash.nullable(),
        withheld: z.array(z.string()),
        proof: z.object({ tree_size: z.number().int(), root_hash: hash, proof_path: z.array(hash) }).nullable(),
        anchors: z.array(anchorInfo),
      }),
    ),
    nextCursor: z.number().int().nullable(),
    checkpoint: checkpoint.nullable(),
  })
  .meta({ id: "AuditEventsPage" });
