// What verification reads of each leaf: the stored leaf hash, and the leaf hash recomputed from its event.
import { entryLeafDigest, type Canonicalize, type EntryEvent } from "./entry";
import type { Digest } from "./merkle";

/** What a verification needs of a leaf's event: its id, the time it says it happened, its leaf hash recomputed. */
export interface LeafEvent {
  id: number;
  /** occurred_at in epoch milliseconds. */
  occurredAtMs: number;
  /** SHA-256(0x00 ‖ JCS(entry)) of the event as it is stored now (see entry.ts). */
  digest: Digest;
}

export interface LeafRow {
  leafIndex: number;
  eventId: number;
  /** The stored leaf hash. */
  leafHash: Digest;
  /** Null when the event row is gone (and, once ArchiveReader.fill ran, no archive holds it). */
  event: LeafEvent | null;
  /** Set by ArchiveReader.fill for a leaf with no event whose archive's range covers it: that archive's file. */
  archive?: string;
}

/** The digest of an event that has no log entry (its time is not a time): no leaf hash equals it. */
export const UNHASHABLE: Digest = "";

/** The LeafEvent of an event read in full. */
export function leafEventOf(canonical: Canonicalize, event: EntryEvent): LeafEvent {
  const occurredAtMs = event.occurredAt.getTime();
  const digest = Number.isFinite(occurredAtMs) ? entryLeafDigest(canonical, event) : UNHASHABLE;
  return { id: event.id, occurredAtMs, digest };
}
