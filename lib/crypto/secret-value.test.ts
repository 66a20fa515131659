import { randomBytes } from "node:crypto";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { format, inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto/secret-value";
import { createLogger } from "@/lib/logger";

function canary(): string {
  return `canary-${randomBytes(12).toString("hex")}`;
}

function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

describe("SecretValue", () => {
  it("prints [redacted] through every implicit string conversion", () => {
    const secret = canary();
    const value = SecretValue.from(secret);
    const renderings = [
      String(value),
      `${value}`,
      "" + value,
      value.toString(),
      JSON.stringify({ value }),
      JSON.stringify([value]),
      inspect(value),
      inspect({ nested: { deeper: { value } } }, { depth: 10, showHidden: true }),
      format("%s %o %O %j %d", value, value, value, { value }, value),
    ];
    for (const text of renderings) expect(text).not.toContain(secret);
    expect(String(value)).toBe("[redacted]");
    expect(JSON.stringify({ value })).toBe('{"value":"[redacted]"}');
    expect(inspect(value)).toBe("[redacted]");
  });

  it("does not leak through console.log", () => {
    const secret = canary();
    const { stream, text } = captureStream();
    const console = new Console({ stdout: stream, stderr: stream });
    console.log(SecretValue.from(secret));
    console.log("value:", SecretValue.from(secret), { value: SecretValue.from(secret) });
    console.error("%s", SecretValue.from(secret));
    expect(text()).not.toContain(secret);
    expect(text()).toContain("[redacted]");
  });

  it("does not leak through pino at field names the redaction list does not cover", () => {
    const secret = canary();
    const { stream, text } = captureStream();
    const log = createLogger(stream, { level: "info" });
    log.info({ payload: SecretValue.from(secret), list: [SecretValue.from(secret)] }, "stored");
    log.info("formatted %s", SecretValue.from(secret));
    log.info(SecretValue.from(secret), "as merge object");
    expect(text()).toContain('"payload":"[redacted]"');
    expect(text()).not.toContain(secret);
  });

  it("keeps the plaintext out of keys, spreads and structured clones", () => {
    const secret = canary();
    const value = SecretValue.from(secret);
    expect(Object.keys(value)).toEqual([]);
    expect(JSON.stringify({ ...value })).not.toContain(secret);
    expect(JSON.stringify(Object.getOwnPropertyNames(value))).not.toContain(secret);
    expect(inspect(structuredClone(value), { showHidden: true })).not.toContain(secret);
  });

  it("reveals the value only through the explicit accessors", () => {
    const value = SecretValue.from("pässword");
    expect(value.reveal()).toBe("pässword");
    expect(value.byteLength).toBe(9);
    expect(value.revealBytes()).toEqual(Buffer.from("pässword"));
  });

  it("is isolated from the buffers it was built from and handed out", () => {
    const source = Buffer.from("original");
    const value = SecretValue.from(source);
    source.fill(0);
    value.revealBytes().fill(0);
    expect(value.reveal()).toBe("original");
  });

  it("fingerprints by keyed HMAC: stable per key, different across keys and values", () => {
    const secret = canary();
    const key = randomBytes(32);
    const fingerprint = SecretValue.from(secret).fingerprint(key);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(SecretValue.from(secret).fingerprint(key)).toBe(fingerprint);
    expect(SecretValue.from(secret).fingerprint(randomBytes(32))).not.toBe(fingerprint);
    expect(SecretValue.from(`${secret}x`).fingerprint(key)).not.toBe(fingerprint);
  });

  it("wipe() zero-fills its own copy", () => {
    const value = SecretValue.from("abc");
    value.wipe();
    expect(value.revealBytes()).toEqual(Buffer.alloc(3));
  });
});
