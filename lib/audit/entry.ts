// The documented shape of a log entry: what exactly is hashed into a Merkle leaf. Leaf hash =
// SHA-256(0x00 ‖ JCS(entry)), JCS being RFC 8785 canonical JSON. Anyone holding an exported event can
// rebuild this object, canonicalize it and recompute the leaf hash.
//
//   { "v": 1, "id": <event id, number>, "occurred_at": <ISO 8601 UTC, milliseconds>,
//     "actor": { "kind", "id" }, "action", "target", "extension_id": <uuid|null>, "org_id": <uuid|null>,
//     "source": { "kind", "ip": <string|null>, "user_agent": <string|null> },
//     "outcome", "details": <object> }
import type { AuditEventRow } from "@/lib/db/schema";
import crypto from "node:crypto";
import type { Digest, Hash } from "./merkle";

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
 * package in entry.test.ts and entry.fuzz.test.ts — because verification re-canonicalizes every event
 * of the log; anything else (a lone surrogate, a non-finite number, an object with toJSON) goes to the
 * package itself.
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

// Deeper than any real details object; a cycle hits it and goes to the package, which reports it.
const MAX_DEPTH = 64;

/**
 * RFC 8785 for plain JSON values, or undefined when the value needs the reference implementation.
 * It writes what the package writes (keys sorted by UTF-16 code units with the default sort, undefined
 * members skipped, undefined array items as null, strings and numbers as JSON.stringify writes them),
 * and defers whatever the package treats specially or rejects: lone surrogates, non-finite numbers,
 * toJSON, functions, symbols, bigints, holes in arrays.
 */
export function fastCanonical(value: unknown): string | undefined {
  return jcs(value, 0);
}

function jcs(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
      return jcsString(value);
    case "number":
      // ECMAScript's Number-to-string is RFC 8785's number form (-0 prints as 0); JSON.stringify agrees.
      return Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (depth >= MAX_DEPTH) return undefined;
      return Array.isArray(value) ? jcsArray(value as unknown[], depth + 1) : jcsObject(value as Record<string, unknown>, depth + 1);
    default:
      return undefined;
  }
}

function jcsArray(items: unknown[], depth: number): string | undefined {
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    // The package writes a hole in a sparse array as nothing at all ("[,1]"): leave that quirk to it.
    if (item === undefined && !(i in items)) return undefined;
    const text = item === undefined ? "null" : jcs(item, depth);
    if (text === undefined) return undefined;
    out += i === 0 ? text : "," + text;
  }
  return out + "]";
}

function jcsObject(record: Record<string, unknown>, depth: number): string | undefined {
  if (typeof (record as { toJSON?: unknown }).toJSON === "function") return undefined;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = "{";
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    const name = jcsString(key);
    const text = jcs(item, depth);
    if (name === undefined || text === undefined) return undefined;
    out += out.length === 1 ? name + ":" + text : "," + name + ":" + text;
  }
  return out + "}";
}

// What JSON.stringify escapes (controls, quote, backslash) and surrogates (a lone one must be rejected).
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * A JSON string literal. Most strings need no escape and are only quoted; the rest go through
 * JSON.stringify, whose escapes (\b \f \n \r \t \" \\, other controls as lowercase \u00xx, nothing
 * else) are RFC 8785's — except that it escapes a lone surrogate where RFC 8785 rejects the string.
 */
function jcsString(text: string): string | undefined {
  return NEEDS_CARE.test(text) ? escapedString(text) : '"' + text + '"';
}

function escapedString(text: string): string | undefined {
  return hasLoneSurrogate(text) ? undefined : JSON.stringify(text);
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

/**
 * JCS(toLogEntry(event)) written straight from the event: the entry's keys are fixed, so they are
 * literal text in RFC 8785 order and only the values are encoded. Undefined when a value is not of the
 * documented type or a string needs an escape (then the caller canonicalizes toLogEntry(event) in full).
 * Same output, checked in entry.fuzz.test.ts; it exists because verification does this for every event.
 */
export function canonicalEntry(event: EntryEvent): string | undefined {
  const { action, actorId, actorKind, extensionId, id, orgId, outcome, sourceIp, sourceKind, sourceUserAgent, target } = event;
  if (
    typeof action !== "string" ||
    typeof actorId !== "string" ||
    typeof actorKind !== "string" ||
    typeof outcome !== "string" ||
    typeof sourceKind !== "string" ||
    typeof target !== "string" ||
    !nullableString(extensionId) ||
    !nullableString(orgId) ||
    !nullableString(sourceIp) ||
    !nullableString(sourceUserAgent) ||
    typeof id !== "number" ||
    !Number.isFinite(id) ||
    // One test over all the strings at once: in practice none needs an escape, so quoting them is enough.
    NEEDS_CARE.test(
      action +
        actorId +
        actorKind +
        outcome +
        sourceKind +
        target +
        (extensionId ?? "") +
        (orgId ?? "") +
        (sourceIp ?? "") +
        (sourceUserAgent ?? ""),
    )
  )
    return undefined;
  const details = jcs(event.details, 0);
  if (details === undefined) return undefined;
  const occurredAt = isoString(event.occurredAt);
  return entryText(
    action,
    actorId,
    actorKind,
    details,
    extensionId,
    id,
    occurredAt,
    orgId,
    outcome,
    sourceIp,
    sourceKind,
    sourceUserAgent,
    target,
  );
}

/**
 * The entry's RFC 8785 text from its values: strings that need no escape (the caller has checked, as
 * canonicalEntry does), `details` already canonical, `occurredAt` as isoString writes it. The one place
 * the entry's keys are written: canonicalEntry and the packed verification (verify-packed.ts) both call it.
 */
export function entryText(
  action: string,
  actorId: string,
  actorKind: string,
  details: string,
  extensionId: string | null,
  id: number,
  occurredAt: string,
  orgId: string | null,
  outcome: string,
  sourceIp: string | null,
  sourceKind: string,
  sourceUserAgent: string | null,
  target: string,
): string {
  return (
    `{"action":"${action}","actor":{"id":"${actorId}","kind":"${actorKind}"},"details":${details},"extension_id":${quoted(extensionId)},` +
    `"id":${id},"occurred_at":"${occurredAt}","org_id":${quoted(orgId)},"outcome":"${outcome}",` +
    `"source":{"ip":${quoted(sourceIp)},"kind":"${sourceKind}","user_agent":${quoted(sourceUserAgent)}},"target":"${target}","v":1}`
  );
}

const nullableString = (value: unknown) => value === null || typeof value === "string";
const quoted = (value: string | null) => (value === null ? "null" : '"' + value + '"');

// Date.prototype.toISOString costs more than the rest of an entry's text. Logs run in time order, so
// the date part is formatted once per UTC day and only the time of day per event.
const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
let cachedDay = Number.NaN;
let cachedDatePart = "";

/** date.toISOString(), which writes only digits, signs and the letters T and Z: nothing to escape. */
export function isoString(date: Date): string {
  return isoStringOfTime(date.getTime());
}

/** isoString of a time in epoch milliseconds. */
export function isoStringOfTime(ms: number): string {
  const day = Math.floor(ms / MS_PER_DAY);
  if (day !== cachedDay) {
    const full = new Date(ms).toISOString(); // throws on an invalid date, as toLogEntry does
    cachedDatePart = full.slice(0, full.indexOf("T") + 1);
    cachedDay = day;
  }
  let rest = ms - day * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  rest -= seconds * 1000;
  return `${cachedDatePart}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest]}Z`;
}

export function entryLeafHash(canonical: Canonicalize, event: EntryEvent): Hash {
  return leafHashOfText(canonicalEntry(event) ?? canonical(toLogEntry(event)));
}

/**
 * SHA-256(0x00 ‖ UTF-8 text). A one-shot hash of a string costs far less than a streaming hash with two
 * updates; the text never holds a lone surrogate (the canonicalizer rejects those), so its UTF-8 form
 * is exact.
 */
export function leafHashOfText(text: string): Hash {
  return crypto.hash("sha256", "\u0000" + text, "buffer");
}

/**
 * The leaf hash of an event as a Digest (see merkle.ts): what verification computes a million times,
 * so it avoids allocating a Buffer per event.
 */
export function entryLeafDigest(canonical: Canonicalize, event: EntryEvent): Digest {
  return leafDigestOfText(canonicalEntry(event) ?? canonical(toLogEntry(event)));
}

/** SHA-256(0x00 ‖ UTF-8 text) as a Digest: leafHashOfText without the Buffer. */
export function leafDigestOfText(text: string): Digest {
  return crypto.hash("sha256", "\u0000" + text, "binary");
}
