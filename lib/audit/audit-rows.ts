// The shapes the audit viewers read (audit queries, CSV export, the viewer component): who may see what
// (AuditScope), the filters, and one row with its proof and anchors.
import type { LogEntry } from "./entry";
import type { PublisherPseudonyms } from "./pseudonyms";

/**
 * Which events a viewer may read, and how they are shown.
 * - `all`: admins; every event as stored.
 * - `extension`: a publisher's members; the events of one extension of a publisher in `publisherIds`,
 *   projected through `pseudonyms`, which must be built for the extension's own publisher (an extension
 *   of any other publisher yields no rows).
 * - `actor`: an end user; the events they performed themselves.
 */
export type AuditScope =
  | { kind: "all" }
  | { kind: "extension"; extensionId: string; publisherIds: string[]; pseudonyms: PublisherPseudonyms }
  | { kind: "actor"; actorKind: "user"; actorId: string };

export interface AuditFilters {
  actor?: string;
  action?: string;
  extension?: string;
  org?: string;
  outcome?: "success" | "failure" | "denied";
  from?: Date;
  to?: Date;
}

export interface AuditProof {
  tree_size: number;
  root_hash: string;
  proof_path: string[];
}

export interface AuditAnchorInfo {
  sink: string;
  status: string;
  reference: string | null;
}

/**
 * One event as a viewer sees it. In a publisher's view some fields may be withheld (see the module
 * comment): `withheld` names each one changed from the stored event (`actor`, `source.ip`,
 * `source.user_agent`, `details.<key>`), and then `entry` is null.
 */
export interface AuditRow {
  id: number;
  occurred_at: string;
  /** `id` is a pseudonym (`user:…`) and `name` null for a person the viewer may not identify. */
  actor: { kind: string; id: string; name: string | null };
  action: string;
  target: string;
  extension: { id: string; name: string | null } | null;
  org: { id: string; name: string | null } | null;
  source: { kind: string; ip: string | null; user_agent: string | null };
  outcome: string;
  details: Record<string, unknown>;
  /** Exactly what was hashed into the leaf (see entry.ts); null when anything in the row is withheld. */
  entry: LogEntry | null;
  leaf_index: number | null;
  /** SHA-256(0x00 ‖ JCS(entry)) in hex, once sequenced: what `proof` proves and `POST /api/v1/audit/verify` takes. */
  leaf_hash: string | null;
  /** The fields of this row withheld from the viewer; empty when it is shown as stored. */
  withheld: string[];
  /** Inclusion proof against the latest checkpoint, when the event is in it. */
  proof: AuditProof | null;
  anchors: AuditAnchorInfo[];
}
