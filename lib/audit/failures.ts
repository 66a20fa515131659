// Audit events for what did not happen: refused operations (a publish blocked by missing credentials, an
// oversized value, an extension reading what it did not declare) and failed authentications, so the
// viewers' Failure and Denied filters show them.
//
// A refusal is never written in the refused change's transaction: that transaction rolls back (or never
// starts), and the event would vanish with it. Refusals go through the batching recorder instead
// (read-recorder.ts), which writes them in a transaction of their own, off the request path.
//
// Failed authentications are not one event each: anyone can send a thousand bad tokens a second. They
// are counted per (token kind, client address) over a window, and each window becomes one `auth.failure`
// event carrying the count, so the log's growth is bounded by the number of addresses, not of requests.
import type { AuditEventInput, AuditSource } from "./events";
import type { ReadRecord } from "./read-recorder";

/** Where refusal events are queued: the vault's batching recorder (`Vault.reads`), or a test double. */
export interface AuditEventSink {
  record(entry: ReadRecord): void;
}

/** A refused or failed operation, as recorded: `outcome` is `denied` (not allowed) or `failure` (not possible). */
export type RefusalEvent = AuditEventInput & { outcome: "failure" | "denied" };

/**
 * Queues the event of a refused operation, outside any transaction (see the module comment). `details`
 * must follow the audit rule: identities, codes and lengths, never a value.
 */
export function recordRefusal(sink: AuditEventSink, event: RefusalEvent): void {
  sink.record({ secretId: null, event });
}

/**
 * Text a caller chose (a secret reference from a URL) made safe to store in a refusal event: control
 * characters (U+0000 would fail the whole batch in PostgreSQL) become U+FFFD, and it is cut at `max`.
 */
export function callerText(value: string, max = 200): string {
  return value.slice(0, max).replace(/[\u0000-\u001f\u007f]/g, "\ufffd");
}

/** Which credential failed to authenticate; the `target` of its `auth.failure` events. */
export type AuthFailureKind = "runtime_token" | "publisher_token" | "audit_export_token";

/** Who the events of failed authentications name as actor: nobody was authenticated. */
export const UNAUTHENTICATED_ACTOR = { kind: "system", id: "unauthenticated" } as const;

/** How long failed authentications from one address are counted into one event, by default. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;

// At most this many distinct reasons are kept per window; more are counted under "other".
const MAX_REASONS = 5;

interface Tally {
  kind: AuthFailureKind;
  source: AuditSource;
  firstAt: Date;
  lastAt: Date;
  count: number;
  reasons: Map<string, number>;
}

export interface AuthFailureLogOptions {
  /** Length of one counting window per (kind, address), in milliseconds. Default 60 s. */
  windowMs?: number;
  /** Open windows kept at once; when full, every open window is written early. Default 10,000. */
  maxOpen?: number;
  /** The clock (tests move it instead of waiting). */
  now?: () => Date;
  /** Whether closed windows are written by a timer (off in tests, which call `flush`). Default true. */
  timer?: boolean;
}

/**
 * Counts failed authentications per (kind, client address) and writes one `auth.failure` event per
 * window: actor `system:unauthenticated`, target the kind, outcome `failure`, source the first failing
 * request's (kind, address, user agent), details `{ count, first_at, last_at, window_seconds, reasons }`
 * where `reasons` counts the refusal messages (at most five, the rest as `other`). Requests from an
 * unknown address share one tally. Events have no extension or organization, so only admins see them.
 */
export class AuthFailureLog {
  readonly #sink: AuditEventSink;
  readonly #windowMs: number;
  readonly #maxOpen: number;
  readonly #now: () => Date;
  readonly #timer: boolean;
  readonly #open = new Map<string, Tally>();
  #scheduled: NodeJS.Timeout | undefined;

  constructor(sink: AuditEventSink, options: AuthFailureLogOptions = {}) {
    this.#sink = sink;
    this.#windowMs = options.windowMs ?? AUTH_FAILURE_WINDOW_MS;
    this.#maxOpen = options.maxOpen ?? 10_000;
    this.#now = options.now ?? (() => new Date());
    this.#timer = options.timer ?? true;
  }

  /** Windows still being counted (not yet written). */
  get open(): number {
    return this.#open.size;
  }

  /**
   * Counts one failed authentication.
   *
   * @param reason the refusal's message or code as served to the caller (never the credential itself)
   */
  note(kind: AuthFailureKind, source: AuditSource, reason: string): void {
    const now = this.#now();
    const key = `${kind}|${source.ip ?? ""}`;
    let tally = this.#open.get(key);
    if (tally && now.getTime() - tally.firstAt.getTime() >= this.#windowMs) {
      this.#write(tally);
      this.#open.delete(key);
      tally = undefined;
    }
    if (!tally) {
      if (this.#open.size >= this.#maxOpen) this.flush({ all: true });
      tally = { kind, source, firstAt: now, lastAt: now, count: 0, reasons: new Map() };
      this.#open.set(key, tally);
      this.#schedule();
    }
    tally.count += 1;
    tally.lastAt = now;
    const label = callerText(reason);
    const known = tally.reasons.has(label) || tally.reasons.size < MAX_REASONS ? label : "other";
    tally.reasons.set(known, (tally.reasons.get(known) ?? 0) + 1);
  }

  /** Writes every window that has ended (or, with `all`, every open one) as its event. */
  flush(options: { all?: boolean } = {}): void {
    const now = this.#now().getTime();
    for (const [key, tally] of this.#open) {
      if (options.all || now - tally.firstAt.getTime() >= this.#windowMs) {
        this.#write(tally);
        this.#open.delete(key);
      }
    }
    if (this.#open.size === 0 && this.#scheduled) {
      clearTimeout(this.#scheduled);
      this.#scheduled = undefined;
    }
  }

  // One timer, set for the end of the oldest open window, so each window is written when it ends.
  #schedule(): void {
    if (!this.#timer || this.#scheduled || this.#open.size === 0) return;
    const oldest = Math.min(...[...this.#open.values()].map((t) => t.firstAt.getTime()));
    const wait = Math.max(0, oldest + this.#windowMs - this.#now().getTime());
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      this.flush();
      this.#schedule();
    }, wait).unref();
  }

  #write(tally: Tally): void {
    recordRefusal(this.#sink, {
      actor: UNAUTHENTICATED_ACTOR,
      source: tally.source,
      action: "auth.failure",
      target: tally.kind,
      outcome: "failure",
      occurredAt: tally.firstAt,
      details: {
        count: tally.count,
        first_at: tally.firstAt.toISOString(),
        last_at: tally.lastAt.toISOString(),
        window_seconds: Math.round(this.#windowMs / 1000),
        reasons: Object.fromEntries(tally.reasons),
      },
    });
  }
}
