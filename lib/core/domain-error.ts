// The one base of Latchkey's domain errors. A domain error carries a stable `code` (what APIs put in
// `{ error: { code, message, request_id } }` and what clients branch on), the HTTP `status` it is served
// with, and a `message` written for the person or program that sent the request: it says what is wrong
// and what to do, and never contains a value, a key identifier or an upstream's error text (those go to
// the log through `cause`). Subclasses only declare their codes and statuses.

const BRAND = Symbol.for("latchkey.DomainError");

type Branded = { [BRAND]?: readonly string[] };

/**
 * Base class of every typed error the domain throws on purpose.
 *
 * `instanceof` works across copies of a module: Next bundles server code into several layers (route
 * handlers, server actions, instrumentation), so a process-wide service may throw an error built by
 * another copy of its class. Each instance records the `kind` of every class in its chain under a
 * registered symbol, and `instanceof` compares kinds instead of prototypes.
 *
 * @param code stable machine-readable identifier (snake_case)
 * @param message safe human message: no secrets, no infrastructure identifiers
 * @param options.cause the underlying failure, logged and never served
 */
export abstract class DomainError<Code extends string = string> extends Error {
  /** The class's name as recorded on instances; subclasses override it with their own. */
  static readonly kind: string = "DomainError";

  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as Branded)[BRAND];
    return Array.isArray(kinds) && kinds.includes((this as unknown as { kind: string }).kind);
  }

  declare readonly [BRAND]: readonly string[];

  protected constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      kinds.push((c as unknown as { kind: string }).kind);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = new.target.kind;
  }

  /** The HTTP status this error is served with. */
  abstract get status(): number;

  /** Extra machine-readable fields served beside code and message (e.g. `details`, `connect_url`). */
  publicFields(): Record<string, unknown> {
    return {};
  }

  /** Extra response headers served with the error (e.g. `Retry-After` on a 429). */
  responseHeaders(): Record<string, string> {
    return {};
  }
}

/** The message served for a failure of ours (5xx) whose own message is not known to be safe. */
export const INTERNAL_MESSAGE = "Something went wrong on our side. Quote the request id if you contact support.";

/** The JSON error body every API answers with. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string } & Record<string, unknown>;
}
