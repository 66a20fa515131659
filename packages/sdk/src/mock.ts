// MockSecretStore: an in-memory SecretStore for extension authors' unit tests. It enforces the same
// contract as the server (undeclared names fail; write_mode='user' and ext.* are not writable; max_bytes)
// and records which names were touched, never the values, so tests can assert behaviour without
// asserting on secret values.
import { Declarations, type Declared } from "./declared";
import type { SecretInfo, SecretStore } from "./types";

/** One call MockSecretStore recorded: the operation and the name, never the value. */
export interface MockCall {
  op: "get" | "set" | "delete" | "isSet" | "list";
  ref: string;
}

export class MockSecretStore implements SecretStore {
  readonly #values = new Map<string, string>();
  readonly #declared: Declarations;
  /** Every call made, by name: what a test asserts on instead of the values. */
  readonly calls: MockCall[] = [];

  constructor(initial: Record<string, string> = {}, options: { declared: Declared }) {
    this.#declared = new Declarations(options.declared);
    for (const [ref, value] of Object.entries(initial)) this.#values.set(this.#declared.resolve(ref).key, value);
  }

  async get(ref: string): Promise<string | null> {
    this.calls.push({ op: "get", ref });
    return this.#values.get(this.#declared.resolve(ref).key) ?? null;
  }

  async set(ref: string, value: string): Promise<void> {
    this.calls.push({ op: "set", ref });
    const entry = this.#declared.resolve(ref);
    this.#declared.assertWritable(entry, value);
    this.#values.set(entry.key, value);
  }

  async delete(ref: string): Promise<{ wasSet: boolean }> {
    this.calls.push({ op: "delete", ref });
    const entry = this.#declared.resolve(ref);
    this.#declared.assertWritable(entry);
    return { wasSet: this.#values.delete(entry.key) };
  }

  async isSet(ref: string): Promise<boolean> {
    this.calls.push({ op: "isSet", ref });
    return this.#values.has(this.#declared.resolve(ref).key);
  }

  async list(): Promise<SecretInfo[]> {
    this.calls.push({ op: "list", ref: "*" });
    return this.#declared.entries.map((e) => info(e.scope ?? "user", e.name, this.#values.has(e.key), e.writeMode, e.maxBytes));
  }

  /** Whether the code under test wrote this name (without exposing what it wrote). */
  wasWritten(ref: string): boolean {
    return this.calls.some((c) => c.op === "set" && this.#declared.resolve(c.ref).key === this.#declared.resolve(ref).key);
  }
}

/** A SecretInfo for the local stores, shaped like the server's `GET /api/v1/secrets` entries. */
export function info(scope: string, name: string, isSet: boolean, writeMode?: string, maxBytes?: number): SecretInfo {
  const s = scope === "ext" || scope === "org" ? scope : "user";
  return {
    ref: `${s}.${name}`,
    scope: s,
    name,
    description: "",
    required: false,
    write_mode: s === "ext" ? "publisher" : writeMode === "extension" || writeMode === "both" ? writeMode : "user",
    max_bytes: maxBytes ?? 4096,
    rotation_hint_days: null,
    is_set: isSet,
    version: null,
    byte_length: null,
    last_set_at: null,
    last_read_at: null,
    last_rotated_at: null,
    rotation_count: 0,
  };
}
