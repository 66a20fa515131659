// What the public /verify page does with what someone pastes, in the browser (WebCrypto only, no server
// imports): read an exported event — a line of the JSONL or SIEM export, a row of the events API, a bare
// log entry — or a bare leaf hash; recompute the leaf hash from the entry itself (a row whose visible
// fields disagree with its entry, or whose leaf_hash disagrees with it, was edited); ask the log for the
// inclusion proof of that hash; and check here that the proof leads to a checkpoint root, that the
// checkpoint is signed by the log's key, and which chain transaction anchored a checkpoint covering it.
// The server is trusted for nothing but the proof material it hands over.
import canonicalize from "canonicalize";
import { leafHashOf, rootFromProof, verifyCheckpoint, type LogPublicKey, type SignedCheckpoint } from "./browser-verify";

/** What was pasted, once read: the leaf hash to look up, and the entry it came from when there was one. */
export type PastedEvent =
  | { kind: "entry"; leafHash: string; entry: Record<string, unknown>; claimedLeafIndex: number | null }
  | { kind: "hash"; leafHash: string; claimedLeafIndex: number | null; withheld: boolean }
  | { kind: "invalid"; message: string };

const HEX64 = /^[0-9a-fA-F]{64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);

/**
 * A row of the events API / JSONL export shows the event's fields beside the entry that was hashed:
 * each shown field must say what the entry says, else the row was edited after export. Names the first
 * field that differs, or null.
 */
function rowEdits(row: Record<string, unknown>, entry: Record<string, unknown>): string | null {
  const actor = isObject(row.actor) ? row.actor : {};
  const entryActor = isObject(entry.actor) ? entry.actor : {};
  const source = isObject(row.source) ? row.source : {};
  const entrySource = isObject(entry.source) ? entry.source : {};
  const idOf = (v: unknown) => (isObject(v) ? v.id : null);
  const checks: [string, unknown, unknown][] = [
    ["id", row.id, entry.id],
    ["occurred_at", row.occurred_at, entry.occurred_at],
    ["actor.kind", actor.kind, entryActor.kind],
    ["actor.id", actor.id, entryActor.id],
    ["action", row.action, entry.action],
    ["target", row.target, entry.target],
    ["extension", idOf(row.extension), entry.extension_id],
    ["org", idOf(row.org), entry.org_id],
    ["source.kind", source.kind, entrySource.kind],
    ["source.ip", source.ip, entrySource.ip],
    ["source.user_agent", source.user_agent, entrySource.user_agent],
    ["outcome", row.outcome, entry.outcome],
    ["details", row.details, entry.details],
  ];
  for (const [field, shown, signed] of checks) {
    if (shown !== undefined && !same(shown, signed))
      return `its ${field} says ${JSON.stringify(shown)} but the signed entry says ${JSON.stringify(signed)}`;
  }
  return null;
}

const claimedIndex = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null);

/** Reads the pasted text: a leaf hash, or JSON of an exported event or entry. */
export async function readPasted(text: string): Promise<PastedEvent> {
  const trimmed = text.trim();
  if (trimmed === "") return { kind: "invalid", message: "Paste an exported event or its leaf hash." };
  if (HEX64.test(trimmed)) return { kind: "hash", leafHash: trimmed.toLowerCase(), claimedLeafIndex: null, withheld: false };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    return {
      kind: "invalid",
      message: `This is neither a 64-character leaf hash nor JSON (${(error as Error).message}). Paste one line of an export, or a leaf hash.`,
    };
  }
  if (!isObject(value)) return { kind: "invalid", message: "Paste one exported event (a JSON object), not a list or a bare value." };
  const claimed = claimedIndex(value.leaf_index);
  const statedHash = typeof value.leaf_hash === "string" && HEX64.test(value.leaf_hash) ? value.leaf_hash.toLowerCase() : null;
  if ("entry" in value) {
    if (value.entry === null) {
      if (!statedHash)
        return { kind: "invalid", message: "This event has no entry and no leaf_hash: it was not sequenced yet when exported." };
      return { kind: "hash", leafHash: statedHash, claimedLeafIndex: claimed, withheld: true };
    }
    if (!isObject(value.entry)) return { kind: "invalid", message: "The event's entry is not a JSON object." };
    const entry = value.entry;
    const edited = rowEdits(value, entry);
    if (edited) return { kind: "invalid", message: `This event was edited after export: ${edited}.` };
    const leafHash = await leafHashOf(entry);
    if (statedHash && statedHash !== leafHash) {
      return {
        kind: "invalid",
        message: `This event was edited after export: its entry hashes to ${leafHash}, not to the leaf_hash it carries (${statedHash}).`,
      };
    }
    return { kind: "entry", leafHash, entry, claimedLeafIndex: claimed };
  }
  if (value.v === 1 && "occurred_at" in value && "action" in value) {
    return { kind: "entry", leafHash: await leafHashOf(value), entry: value, claimedLeafIndex: null };
  }
  return {
    kind: "invalid",
    message: "This JSON is not an exported event: paste a line of the JSONL or SIEM export (it has an entry), a log entry, or a leaf hash.",
  };
}

/** The answer of POST /api/v1/audit/verify (lib/audit/proofs.ts verifyContentHash). */
export interface InclusionAnswer {
  status: string;
  leaf_index: number;
  tree_size?: number;
  proof_path: string[];
  checkpoint: (SignedCheckpoint & { origin: string; key_id: string; created_at: string }) | null;
  anchors?: { sink: string; status: string; reference: string | null; block_number: number | null }[];
  chain: {
    chain_id: number | null;
    tree_size: number;
    status: string;
    transaction: string | null;
    block_number: number | null;
    checkpoint: SignedCheckpoint;
    proof_path: string[];
  } | null;
}

export type PastedVerdict =
  | {
      verdict: "verified" | "included";
      leafIndex: number;
      treeSize: number;
      origin: string;
      keyId: string;
      signedAt: string;
      anchors: { sink: string; status: string; reference: string | null }[];
      /** The chain anchor of a checkpoint covering the event, checked here too; null when none yet. */
      chain: { chainId: number | null; treeSize: number; status: string; transaction: string | null; blockNumber: number | null } | null;
    }
  | { verdict: "pending"; leafIndex: number }
  | { verdict: "rejected"; message: string };

/**
 * Checks the log's answer for a pasted event here: the proof must lead from the hash computed here to
 * the checkpoint's root, and the checkpoint must be signed by the log's key (and the same for the chain
 * anchor's checkpoint). `answer` null means the log has no leaf with this hash.
 */
export async function judge(
  pasted: Exclude<PastedEvent, { kind: "invalid" }>,
  answer: InclusionAnswer | null,
  key: LogPublicKey & { key_id?: string },
): Promise<PastedVerdict> {
  if (!answer) {
    return {
      verdict: "rejected",
      message: `Not in this log: no entry hashes to ${pasted.leafHash}. ${pasted.kind === "entry" ? "The event was changed after it was exported, or it comes from another log." : "Check the hash."}`,
    };
  }
  if (answer.status === "pending" || !answer.checkpoint || answer.tree_size === undefined)
    return { verdict: "pending", leafIndex: answer.leaf_index };
  if (pasted.claimedLeafIndex !== null && pasted.claimedLeafIndex !== answer.leaf_index) {
    return {
      verdict: "rejected",
      message: `The event says it is at leaf ${pasted.claimedLeafIndex}, but the log has it at leaf ${answer.leaf_index}: it was edited.`,
    };
  }
  const root = await rootFromProof(answer.leaf_index, answer.tree_size, pasted.leafHash, answer.proof_path);
  if (root === null || root !== answer.checkpoint.root_hash.toLowerCase()) {
    return {
      verdict: "rejected",
      message: "The inclusion proof the log sent does not lead to its checkpoint's root: do not trust this log's answer.",
    };
  }
  if (!(await verifyCheckpoint(answer.checkpoint, key))) {
    return {
      verdict: "rejected",
      message: `The checkpoint of size ${answer.tree_size} is not signed by the log's key ${key.origin}: do not trust this log's answer.`,
    };
  }
  let chain: Extract<PastedVerdict, { verdict: "verified" | "included" }>["chain"] = null;
  if (answer.chain) {
    const c = answer.chain;
    const chainRoot = await rootFromProof(answer.leaf_index, c.tree_size, pasted.leafHash, c.proof_path);
    if (chainRoot !== c.checkpoint.root_hash.toLowerCase() || !(await verifyCheckpoint(c.checkpoint, key))) {
      return {
        verdict: "rejected",
        message: `The chain-anchored checkpoint of size ${c.tree_size} does not prove this event: do not trust this log's answer.`,
      };
    }
    chain = { chainId: c.chain_id, treeSize: c.tree_size, status: c.status, transaction: c.transaction, blockNumber: c.block_number };
  }
  return {
    verdict: pasted.kind === "entry" ? "verified" : "included",
    leafIndex: answer.leaf_index,
    treeSize: answer.tree_size,
    origin: key.origin,
    keyId: key.key_id ?? answer.checkpoint.key_id,
    signedAt: answer.checkpoint.created_at,
    anchors: (answer.anchors ?? []).map((a) => ({ sink: a.sink, status: a.status, reference: a.reference })),
    chain,
  };
}
