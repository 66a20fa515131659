// The two dictionaries audit events point into (audit_contexts, audit_subjects; migration 0011), read by a
// verification once, as its pages name ids it has not read yet, instead of joined into every page (at
// tens of thousands of contexts, hashing the whole dictionary for each page of 10,000 events cost more
// than the page itself).
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { rowsOf } from "./tree-store";

/** A context's values (audit_contexts); `plain` when none needs an escape in the entry. */
export interface ContextValues {
  actorKind: string;
  actorId: string;
  orgId: string | null;
  sourceKind: string;
  sourceIp: string | null;
  sourceUserAgent: string | null;
  plain: boolean;
  /** When plain: the context's three parts of the entry text (entryTextOf). */
  text?: { actor: string; org: string; source: string };
}

/** A subject's values (audit_subjects); `plain` when none needs an escape in the entry. */
export interface SubjectValues {
  action: string;
  target: string;
  extensionId: string | null;
  plain: boolean;
  /** When plain: the subject's three parts of the entry text (entryTextOf). */
  text?: { head: string; mid: string; tail: string };
}

/**
 * What entryText cannot write as it is: controls, quote, backslash (entry.ts's NEEDS_CARE also stops at
 * surrogates, for a lone one; text read from PostgreSQL is valid UTF-8, so it holds none).
 */
export const NEEDS_ESCAPE = /[\u0000-\u001f"\\]/;
const plain = (...values: (string | null)[]) => values.every((v) => v === null || !NEEDS_ESCAPE.test(v));

/**
 * The dictionaries as one verification reads them. One instance per run, so a row changed between two
 * runs is read again. An id with no row stays absent: its events are not in audit_events (an inner join).
 */
export class EntryDictionaries {
  readonly contexts = new Map<number, ContextValues>();
  readonly subjects = new Map<number, SubjectValues>();

  constructor(private readonly db: Db) {}

  /** Reads the rows of these ids not read yet. */
  async load(contextIds: Iterable<number>, subjectIds: Iterable<number>): Promise<void> {
    const newContexts = [...new Set(contextIds)].filter((id) => !this.contexts.has(id));
    const newSubjects = [...new Set(subjectIds)].filter((id) => !this.subjects.has(id));
    if (newContexts.length > 0) {
      type Row = [number, string, string, string | null, string, string | null, string | null];
      for (const [id, actorKind, actorId, orgId, sourceKind, sourceIp, sourceUserAgent] of await this.#rows<Row>(
        sql.raw(`json_build_array(id, actor_kind, actor_id, org_id, source_kind, source_ip, source_user_agent)`),
        sql.raw("audit_contexts"),
        newContexts,
      )) {
        const values = { actorKind, actorId, orgId, sourceKind, sourceIp, sourceUserAgent };
        const isPlain = plain(actorKind, actorId, orgId, sourceKind, sourceIp, sourceUserAgent);
        this.contexts.set(id, { ...values, plain: isPlain, text: isPlain ? contextText(values) : undefined });
      }
    }
    if (newSubjects.length > 0) {
      type Row = [number, string, string, string | null];
      for (const [id, action, target, extensionId] of await this.#rows<Row>(
        sql.raw(`json_build_array(id, action, target, extension_id)`),
        sql.raw("audit_subjects"),
        newSubjects,
      )) {
        const isPlain = plain(action, target, extensionId);
        const values = { action, target, extensionId };
        this.subjects.set(id, { ...values, plain: isPlain, text: isPlain ? subjectText(values) : undefined });
      }
    }
  }

  async #rows<T>(row: ReturnType<typeof sql.raw>, table: ReturnType<typeof sql.raw>, ids: number[]): Promise<T[]> {
    const result = await this.db.execute(sql`select coalesce(json_agg(${row}), '[]')::text as rows from ${table}
      where id in (select value::int4 from json_array_elements_text(${JSON.stringify(ids)}::json))`);
    return JSON.parse(rowsOf<{ rows: string }>(result)[0]?.rows ?? "[]") as T[];
  }
}

const quoted = (value: string | null) => (value === null ? "null" : '"' + value + '"');

/** A plain context's parts of the entry text, in the order entry.ts's entryText writes the keys. */
export function contextText(c: Omit<ContextValues, "plain" | "text">) {
  return {
    actor: `${c.actorId}","kind":"${c.actorKind}"},"details":`,
    org: `${quoted(c.orgId)},"outcome":"`,
    source: `","source":{"ip":${quoted(c.sourceIp)},"kind":"${c.sourceKind}","user_agent":${quoted(c.sourceUserAgent)}`,
  };
}

/** A plain subject's parts of the entry text, in the order entry.ts's entryText writes the keys. */
export function subjectText(s: Omit<SubjectValues, "plain" | "text">) {
  return {
    head: `{"action":"${s.action}","actor":{"id":"`,
    mid: `,"extension_id":${quoted(s.extensionId)},"id":`,
    tail: `},"target":"${s.target}","v":1}`,
  };
}

/**
 * entryText(...) of an event from its plain context and subject parts and its own values (details as
 * canonical text, the time as isoString writes it, an outcome that needs no escape): the same text, with
 * a third of the concatenations, since verification writes one for every event of the log.
 * verify-dictionaries.test.ts checks it against entryText.
 */
export function entryTextOf(
  subject: NonNullable<SubjectValues["text"]>,
  context: NonNullable<ContextValues["text"]>,
  details: string,
  id: number,
  occurredAt: string,
  outcome: string,
): string {
  return `${subject.head}${context.actor}${details}${subject.mid}${id},"occurred_at":"${occurredAt}","org_id":${context.org}${outcome}${context.source}${subject.tail}`;
}
