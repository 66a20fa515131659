// Plaintext secret holder. Everything that turns an object into text by accident (String(), template
// literals, JSON.stringify, console.log/util.inspect, pino) prints "[redacted]"; reading the value takes an
// explicit reveal() call, which is easy to grep for in review.
import { createHmac } from "node:crypto";
import { inspect } from "node:util";

const REDACTED = "[redacted]";

export class SecretValue {
  // A #private field is invisible to Object.keys, spreading, structuredClone and util.inspect.
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  // Copies the input so the caller may wipe or reuse its own buffer without affecting this value.
  static from(value: string | Buffer): SecretValue {
    return new SecretValue(typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value));
  }

  get byteLength(): number {
    return this.#bytes.length;
  }

  reveal(): string {
    return this.#bytes.toString("utf8");
  }

  // A copy, so a caller that mutates or zero-fills it cannot corrupt this value.
  revealBytes(): Buffer {
    return Buffer.from(this.#bytes);
  }

  // A keyed digest lets audit entries tell "same value as before" apart from "changed" without storing
  // anything that could be brute-forced offline by someone who only has the audit log.
  fingerprint(key: Buffer): string {
    if (key.length === 0) throw new TypeError("SecretValue.fingerprint needs a non-empty key");
    return createHmac("sha256", key).update(this.#bytes).digest("hex").slice(0, 16);
  }

  // Best effort: the bytes may already have been copied by a caller of reveal(), but this value's own copy
  // no longer lingers in memory.
  wipe(): void {
    this.#bytes.fill(0);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
