// The audit API in the OpenAPI document (app/api/v1/audit): public proofs and checkpoints, the admins',
// publishers' and personal event viewers, and the SIEM export. Schemas from lib/audit/schemas.ts.
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  auditEventsPage,
  auditEventsQuery,
  checkpointList,
  checkpointsQuery,
  consistencyProof,
  consistencyQuery,
  exportQuery,
  inclusionProof,
  proofQuery,
  publicKeyAnswer,
  verifyAnswer,
  verifyBody,
} from "@/lib/audit/schemas";
import { errorResponses, json, jsonBody, security, type ErrorCode } from "./shared";

const tags = ["audit"];
const ADMIN: ErrorCode[] = ["unauthenticated", "forbidden"];
const text = (description: string, type: string) => ({ description, content: { [type]: { schema: z.string() } } });

const eventsResponses = (errors: ErrorCode[]) => ({
  200: {
    description: "format=json: a page of events with proofs; format=csv|jsonl: the whole filtered set, streamed as an attachment",
    content: {
      "application/json": { schema: auditEventsPage },
      "text/csv": { schema: z.string() },
      "application/x-ndjson": { schema: z.string() },
    },
  },
  ...errorResponses(["invalid_request", ...errors]),
});

/** Registers the audit API's operations. */
export function registerAudit(registry: OpenAPIRegistry): void {
  registerPublic(registry);
  const admin = { tags, security: security.session };
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/events",
    operationId: "listAuditEvents",
    summary: "Admins: every event, filtered, newest first",
    description:
      "Events archived past their retention (LATCHKEY_AUDIT_RETENTION) are no longer listed; their leaves stay in the log and `npm run audit:verify` checks them from the archive files.",
    request: { query: auditEventsQuery },
    responses: eventsResponses(ADMIN),
  });
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/extensions/{id}/events",
    operationId: "listExtensionAuditEvents",
    summary: "A publisher's members: the events of one of its extensions (others' people pseudonymised)",
    request: { params: z.object({ id: z.string().meta({ description: "The extension's id" }) }), query: auditEventsQuery },
    responses: eventsResponses(["unauthenticated", "not_found"]),
  });
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/me/events",
    operationId: "listMyAuditEvents",
    summary: "Any signed-in person: the events they performed themselves",
    request: { query: auditEventsQuery },
    responses: eventsResponses(["unauthenticated"]),
  });
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/checkpoints",
    operationId: "listAuditCheckpoints",
    summary: "Admins: signed checkpoints, newest first, with their anchors",
    request: { query: checkpointsQuery },
    responses: { 200: json("Checkpoints", checkpointList), ...errorResponses(["invalid_request", ...ADMIN]) },
  });
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/proof",
    operationId: "getAuditInclusionProof",
    summary: "Admins: the inclusion proof of one leaf (tree_size defaults to the latest checkpoint)",
    request: { query: proofQuery },
    responses: {
      200: json("Inclusion proof", inclusionProof),
      ...errorResponses(["invalid_request", "tree_size_out_of_range", "no_checkpoint", ...ADMIN]),
    },
  });
  registry.registerPath({
    ...admin,
    method: "get",
    path: "/audit/consistency",
    operationId: "getAuditConsistencyProof",
    summary: "Admins: proof that the tree of size `from` is a prefix of the tree of size `to`",
    request: { query: consistencyQuery },
    responses: {
      200: json("Consistency proof", consistencyProof),
      ...errorResponses(["invalid_request", "tree_size_out_of_range", ...ADMIN]),
    },
  });
  registerExport(registry);
}

function registerPublic(registry: OpenAPIRegistry): void {
  registry.registerPath({
    tags,
    security: security.none,
    method: "get",
    path: "/audit/checkpoint",
    operationId: "getLatestAuditCheckpoint",
    summary: "The latest checkpoint as a C2SP signed note (tlog-checkpoint body), byte for byte as signed",
    responses: { 200: text("The signed note", "text/plain"), ...errorResponses(["no_checkpoint"]) },
  });
  registry.registerPath({
    tags,
    security: security.none,
    method: "get",
    path: "/audit/public-key",
    operationId: "getAuditPublicKey",
    summary: "The Ed25519 key that signs checkpoints, raw and as a note verifier key",
    responses: { 200: json("The key", publicKeyAnswer) },
  });
  registry.registerPath({
    tags,
    security: security.none,
    method: "post",
    path: "/audit/verify",
    operationId: "verifyAuditContentHash",
    summary: "Proves a leaf hash is in the log under the latest signed checkpoint (limited per client address)",
    request: { body: jsonBody(verifyBody) },
    responses: {
      200: json("The proof and its anchors", verifyAnswer),
      ...errorResponses(["invalid_request", "not_found", "rate_limited"]),
    },
  });
}

function registerExport(registry: OpenAPIRegistry): void {
  const header = (description: string) => ({ description, schema: { type: "integer" as const } });
  registry.registerPath({
    tags,
    security: security.auditExport,
    method: "get",
    path: "/audit/export",
    operationId: "exportAuditLog",
    summary: "The SIEM export: sequenced events in leaf order as NDJSON lines { leaf_index, leaf_hash, entry }",
    description:
      "Events archived past their retention (LATCHKEY_AUDIT_RETENTION) are skipped: a collector must read each event before it expires, or take it from the archive files, whose lines have the same leaf_index, leaf_hash and entry.",
    request: { query: exportQuery },
    responses: {
      200: {
        description: "One JSON object per line; the next cursor is the last line's leaf_index",
        headers: {
          "x-latchkey-next-after": header("The `after` of the next page"),
          "x-latchkey-tree-size": header("The number of sequenced leaves"),
        },
        content: { "application/x-ndjson": { schema: z.string() } },
      },
      ...errorResponses(["invalid_request", ...ADMIN, "rate_limited"]),
    },
  });
}
