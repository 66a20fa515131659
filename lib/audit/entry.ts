// The documented shape of a log entry: what exactly is hashed into a Merkle leaf. Leaf hash =
// SHA-256(0x00 ‖ JCS(entry)), JCS being RFC 8785 canonical JSON. Anyone holding an exported event can
// rebuild this object, canonicalize it and recompute the leaf hash.
//
//   { "v": 1, "id": <event id, number>, "occurred_at": <ISO 8601 UTC, milliseconds>,
//     "actor": { "kind", "id" }, "action", "target", "extension_id": <uuid|null>, "org_id": <uuid|null>,
//     "source": { "kind", "ip": <string|null>, "user_agent": <string|null> },
//     "outcome", "details": <object> }
import type { AuditEventRow } from "@/lib/db/schema";
import { createHash } from "node:crypto";
import type { Hash } from "./merkle";

export interface LogEntry {
  v: 1;
  id: number;
  occurred_at: string;
  actor: { kind: string; id: string };
  action: string;
  target: string;
  extension_id: string | null;
  org_id: string | null;
  source: { kind: string; ip: string | null; user_agent: string | null };
  outcome: string;
  details: Record<string, unknown>;
}

export type EntryEvent = Pick<
  AuditEventRow,
  | "id"
  | "occurredAt"
  | "actorKind"
  | "actorId"
  | "action"
  | "target"
  | "extensionId"
  | "orgId"
  | "sourceKind"
  | "sourceIp"
  | "sourceUserAgent"
  | "outcome"
  | "details"
>;

export function toLogEntry(event: EntryEvent): LogEntry {
  // Keys in RFC 8785 order, so canonicalizing finds them sorted and skips the sort.
  return {
    action: event.action,
    actor: { id: event.actorId, kind: event.actorKind },
    details: event.details,
    extension_id: event.extensionId,
    id: event.id,
    occurred_at: event.occurredAt.toISOString(),
    org_id: event.orgId,
    outcome: event.outcome,
    source: { ip: event.sourceIp, kind: event.sourceKind, user_agent: event.sourceUserAgent },
    target: event.target,
    v: 1,
  };
}

export type Canonicalize = (value: unknown) => string;

let loaded: Promise<Canonicalize> | undefined;

/**
 * The RFC 8785 canonicalizer. The `canonicalize` package (the reference, also used in the browser)
 * ships only as an ES module while the scripts run as CommonJS, so it is loaded with a dynamic import.
 * Plain JSON data (what entries hold) takes a faster path with the same output — checked against the
 * package in entry.test.ts — because verification re-canonicalizes every event of the log; anything
 * else (a lone surrogate, a non-finite number, an object with toJSON) goes to the package itself.
 */
export function canonicalizer(): Promise<Canonicalize> {
  loaded ??= import("canonicalize").then(({ default: serialize }) => {
    const reference = (value: unknown) => {
      const text = serialize(value);
      if (text === undefined) throw new TypeError("value has no JSON form");
      return text;
    };
    return (value: unknown) => fastCanonical(value) ?? reference(value);
  });
  return loaded;
}

const UNSUPPORTED = Symbol("unsupported");
// Keys JavaScript orders numerically ahead of the rest, whatever order they were inserted in.
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;
// JSON.stringify escapes a lone surrogate where RFC 8785 rejects it: leave those to the package.
const ESCAPED_SURROGATE = /\\u[dD][89abcdefABCDEF]/;

/** A copy whose object keys are inserted in RFC 8785 order (UTF-16 code units), or UNSUPPORTED. */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : UNSUPPORTED;
  if (typeof value !== "object") return UNSUPPORTED;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const copy = item === undefined ? null : sortedCopy(item);
      if (copy === UNSUPPORTED) return UNSUPPORTED;
      out[i] = copy;
    }
    return out;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return UNSUPPORTED;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (INDEX_KEY.test(key)) return UNSUPPORTED;
    const item = record[key];
    if (item === undefined) continue;
    const copy = sortedCopy(item);
    if (copy === UNSUPPORTED) return UNSUPPORTED;
    out[key] = copy;
  }
  return out;
}

/** True when JSON.stringify would write this value in RFC 8785 form as it is. */
function alreadyOrdered(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (item === undefined || !alreadyOrdered(item)) return false;
    return true;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    if ((previous !== undefined && previous > key) || INDEX_KEY.test(key)) return false;
    const item = record[key];
    if (item === undefined || !alreadyOrdered(item)) return false;
    previous = key;
  }
  return true;
}

/**
 * RFC 8785 for plain JSON values, or undefined when the value needs the reference implementation:
 * JSON.stringify already writes strings and numbers exactly as RFC 8785 does, so only the key order
 * has to be arranged (and lone surrogates, non-finite numbers and index-like keys are deferred).
 */
export function fastCanonical(value: unknown): string | undefined {
  // Entries are built with their keys already in order (toLogEntry), so usually no copy is needed.
  const copy = alreadyOrdered(value) ? value : sortedCopy(value);
  if (copy === UNSUPPORTED) return undefined;
  const text = JSON.stringify(copy);
  return text === undefined || ESCAPED_SURROGATE.test(text) ? undefined : text;
}

export function entryLeafHash(canonical: Canonicalize, event: EntryEvent): Hash {
  return leafHashOfText(canonical(toLogEntry(event)));
}

/** SHA-256(0x00 ‖ UTF-8 text), without materializing the bytes first. */
export function leafHashOfText(text: string): Hash {
  return createHash("sha256").update(LEAF_PREFIX).update(text, "utf8").digest();
}

const LEAF_PREFIX = Buffer.of(0x00);
