// Name matching for the local stores (dev mode and MockSecretStore): a reference is `scope.name` or a
// bare `name`, and may only touch what the extension declared, exactly as on the server.
import { SecretNotDeclaredError, SecretWriteForbiddenError, SecretValueTooLargeError } from "./errors";

export type WriteMode = "user" | "extension" | "both";

export interface DeclaredEntry {
  /** Write mode to enforce on set/delete; omit to allow writes. */
  writeMode?: WriteMode;
  maxBytes?: number;
}

/** Names (`spotify_api_key`), refs (`user.spotify_api_key`), or a map of them to their declaration. */
export type Declared = Iterable<string> | Record<string, DeclaredEntry>;

interface Entry extends DeclaredEntry {
  scope: string | null;
  name: string;
  key: string;
}

const REF = /^(?:(ext|org|user)\.)?([a-z][a-z0-9_]{0,62})$/;

function split(ref: string): { scope: string | null; name: string } | null {
  const match = REF.exec(ref);
  return match?.[2] ? { scope: match[1] ?? null, name: match[2] } : null;
}

/** An extension's declared names, resolved and enforced like the server does for the local stores. */
export class Declarations {
  readonly #entries: Entry[] = [];

  constructor(declared: Declared) {
    const pairs: [string, DeclaredEntry][] =
      Symbol.iterator in Object(declared) ? [...(declared as Iterable<string>)].map((ref) => [ref, {}]) : Object.entries(declared);
    for (const [ref, entry] of pairs) {
      const parts = split(ref);
      if (!parts) throw new TypeError(`"${ref}" is not a secret name or scope.name reference`);
      this.#entries.push({ ...entry, ...parts, key: parts.scope ? `${parts.scope}.${parts.name}` : parts.name });
    }
  }

  /** The declaration a reference names; throws SecretNotDeclaredError like the server. */
  resolve(ref: string): Entry {
    const parts = split(ref);
    const found = parts
      ? this.#entries.find((e) => e.name === parts.name && (e.scope === null || parts.scope === null || e.scope === parts.scope))
      : undefined;
    if (!found) throw new SecretNotDeclaredError("secret_not_declared", `"${ref}" is not declared in this extension's manifest.`, 403);
    return found;
  }

  assertWritable(entry: Entry, value?: string): void {
    if (entry.scope === "ext") {
      throw new SecretWriteForbiddenError(
        "secret_write_forbidden",
        `ext.${entry.name} is a partner credential; only the publisher can write it.`,
        403,
      );
    }
    if (entry.writeMode === "user") {
      throw new SecretWriteForbiddenError("secret_write_forbidden", `${entry.key} has write_mode='user'; only the panel can write`, 403);
    }
    if (value !== undefined && entry.maxBytes !== undefined) {
      const size = new TextEncoder().encode(value).byteLength;
      if (size > entry.maxBytes) {
        throw new SecretValueTooLargeError(
          "secret_value_too_large",
          `${entry.key} is limited to ${entry.maxBytes} bytes; the value has ${size}.`,
          413,
          {
            max_bytes: entry.maxBytes,
          },
        );
      }
    }
  }

  get entries(): readonly Entry[] {
    return this.#entries;
  }
}
