import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CryptoError } from "@/lib/crypto/errors";
import { encodeAad, open, seal, type ValueAad } from "@/lib/crypto/seal";

const dek = randomBytes(32);
const aad: ValueAad = { secretId: "sec_1", scope: "org", owner: "org_acme", name: "GITHUB_TOKEN", version: 3, dekId: "dek_7" };
const plaintext = Buffer.from("ghp_exampletokenvalue");

function flipBit(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe("seal/open", () => {
  it("round-trips values, including empty ones", () => {
    expect(open(dek, seal(dek, plaintext, aad), aad)).toEqual(plaintext);
    expect(open(dek, seal(dek, Buffer.alloc(0), aad), aad)).toEqual(Buffer.alloc(0));
  });

  it("writes version byte, 96-bit IV, ciphertext and 16-byte tag, with a fresh IV every time", () => {
    const a = seal(dek, plaintext, aad);
    const b = seal(dek, plaintext, aad);
    expect(a[0]).toBe(0x01);
    expect(a.length).toBe(1 + 12 + plaintext.length + 16);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
  });

  const moved: Array<[keyof ValueAad, ValueAad[keyof ValueAad]]> = [
    ["secretId", "sec_2"],
    ["scope", "user"],
    ["owner", "org_other"],
    ["name", "GITHUB_TOKEN_2"],
    ["version", 4],
    ["dekId", "dek_8"],
  ];
  it.each(moved)("refuses a ciphertext moved to a row with a different %s", (field, value) => {
    const sealed = seal(dek, plaintext, aad);
    expect(() => open(dek, sealed, { ...aad, [field]: value })).toThrow(CryptoError);
  });

  it("refuses a flipped bit in the IV, the ciphertext or the tag", () => {
    const sealed = seal(dek, plaintext, aad);
    for (const index of [1, 13, 13 + plaintext.length - 1, sealed.length - 16, sealed.length - 1]) {
      expect(() => open(dek, flipBit(sealed, index), aad)).toThrow(CryptoError);
    }
  });

  it("refuses truncated input of any length", () => {
    const sealed = seal(dek, plaintext, aad);
    for (const length of [0, 1, 13, 28, sealed.length - 1]) {
      expect(() => open(dek, sealed.subarray(0, length), aad)).toThrow(CryptoError);
    }
  });

  it("refuses an unknown format version and a wrong key", () => {
    const sealed = seal(dek, plaintext, aad);
    const otherVersion = Buffer.from(sealed);
    otherVersion[0] = 0x02;
    expect(() => open(dek, otherVersion, aad)).toThrow(/format version/);
    expect(() => open(randomBytes(32), sealed, aad)).toThrow(CryptoError);
  });

  it("carries the decrypt_failed code callers branch on", () => {
    const sealed = seal(dek, plaintext, aad);
    expect(() => open(dek, sealed, { ...aad, version: 9 })).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
  });
});

describe("encodeAad", () => {
  it("does not depend on the order the fields were written in", () => {
    const reordered: ValueAad = { dekId: "dek_7", version: 3, name: "GITHUB_TOKEN", owner: "org_acme", scope: "org", secretId: "sec_1" };
    expect(encodeAad(reordered)).toEqual(encodeAad(aad));
  });

  it("keeps field boundaries unambiguous when values contain separators or quotes", () => {
    const a = encodeAad({ ...aad, owner: 'org","x', name: "y" });
    const b = encodeAad({ ...aad, owner: "org", name: 'x","y' });
    expect(a.equals(b)).toBe(false);
    const sealed = seal(dek, plaintext, { ...aad, owner: 'org","x', name: "y" });
    expect(() => open(dek, sealed, { ...aad, owner: "org", name: 'x","y' })).toThrow(CryptoError);
  });
});
