// The digest (latin1 string) forms of the tree hashing must agree byte for byte with the Buffer forms:
// every byte value 0..255 has to survive the round trip, which a UTF-8 slip would break above 0x7f.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Frontier, fromDigest, leafHash, nodeDigest, nodeHash, rootOf, toDigest } from "./merkle";

describe("Merkle digests", () => {
  it("round-trip every byte value", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(toDigest(all)).toHaveLength(256);
    expect(fromDigest(toDigest(all)).equals(all)).toBe(true);
  });

  it("hash nodes exactly as nodeHash does, including hashes of the wrong length", () => {
    for (let i = 0; i < 200; i++) {
      const [left, right] = [randomBytes(32), randomBytes(32)];
      expect(fromDigest(nodeDigest(toDigest(left), toDigest(right))).equals(nodeHash(left, right))).toBe(true);
    }
    const [short, long] = [randomBytes(31), randomBytes(33)];
    expect(fromDigest(nodeDigest(toDigest(short), toDigest(long))).equals(nodeHash(short, long))).toBe(true);
  });

  it("build the same tree from digests as from Buffers", () => {
    const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const frontier = new Frontier();
    for (const [i, leaf] of leaves.entries()) {
      frontier.appendDigest(toDigest(leaf));
      if (i % 97 === 0) expect(frontier.rootDigest()).toBe(toDigest(rootOf(leaves.slice(0, i + 1))));
    }
    expect(frontier.root().equals(rootOf(leaves))).toBe(true);
  });
});
