import { describe, expect, it } from "vitest";
import {
  EMPTY_ROOT,
  Frontier,
  MemorySubtrees,
  consistencyProof,
  frontierNodes,
  inclusionProof,
  leafHash,
  rootFromSource,
  rootOf,
  subtreesNeeded,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "./merkle";

// The certificate-transparency reference vectors for RFC 6962 (the eight-leaf example tree).
const inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map((h) =>
  Buffer.from(h, "hex"),
);
const roots = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const hex = (hashes: Hash[]) => hashes.map((h) => h.toString("hex"));
const leaves = inputs.map((input) => leafHash(input));

describe("RFC 6962 hashing", () => {
  it("gives the empty tree SHA-256 of nothing", () => {
    expect(EMPTY_ROOT.toString("hex")).toBe(roots[0]);
    expect(rootOf([]).toString("hex")).toBe(roots[0]);
    expect(new Frontier().root().toString("hex")).toBe(roots[0]);
  });

  it("reproduces the reference roots for every size of the example tree, three ways", () => {
    const frontier = new Frontier();
    for (let size = 1; size <= 8; size++) {
      frontier.append(leaves[size - 1] as Hash);
      const prefix = leaves.slice(0, size);
      expect(rootOf(prefix).toString("hex"), `size ${size}`).toBe(roots[size]);
      expect(frontier.root().toString("hex"), `size ${size}`).toBe(roots[size]);
      expect(rootFromSource(new MemorySubtrees(prefix), size).toString("hex")).toBe(roots[size]);
    }
  });

  it("produces the reference inclusion proofs", () => {
    const source = new MemorySubtrees(leaves);
    expect(hex(inclusionProof(source, 0, 8))).toEqual([
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(hex(inclusionProof(source, 5, 8))).toEqual([
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
  });

  it("produces the reference consistency proofs", () => {
    const source = new MemorySubtrees(leaves);
    expect(hex(consistencyProof(source, 1, 1))).toEqual([]);
    expect(hex(consistencyProof(source, 1, 8))).toEqual([
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(hex(consistencyProof(source, 6, 8))).toEqual([
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
    expect(hex(consistencyProof(source, 2, 5))).toEqual([
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]);
  });
});

describe("proofs for every size up to 64", () => {
  const many = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
  const source = new MemorySubtrees(many);
  const rootAt = Array.from({ length: 65 }, (_, n) => rootOf(many.slice(0, n)));
  const flip = (h: Hash) => {
    const copy = Buffer.from(h);
    copy[0] = (copy[0] ?? 0) ^ 1;
    return copy;
  };

  it("proves every leaf in every tree, and rejects the wrong leaf, index, root or a tampered path", () => {
    for (let size = 1; size <= 64; size++) {
      const root = rootAt[size] as Hash;
      for (let index = 0; index < size; index++) {
        const leaf = many[index] as Hash;
        const proof = inclusionProof(source, index, size);
        expect(verifyInclusion(index, size, leaf, proof, root), `leaf ${index} of ${size}`).toBe(true);
        expect(verifyInclusion(index, size, flip(leaf), proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(index, size, leaf, [flip(proof[0] as Hash), ...proof.slice(1)], root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(index, size, leaf, proof, flip(root))).toBe(false);
      }
    }
  });

  it("proves every smaller tree a prefix of every larger one, and rejects forged roots or paths", () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(source, m, n);
        const [oldRoot, newRoot] = [rootAt[m] as Hash, rootAt[n] as Hash];
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof), `${m} → ${n}`).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, flip(oldRoot), newRoot, proof)).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, flip(newRoot), proof)).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, newRoot, [flip(proof[0] as Hash), ...proof.slice(1)])).toBe(false);
        }
      }
    }
  });

  it("a frontier rebuilt from stored subtrees continues the same tree, reporting each completed node", () => {
    const completed = new Map<string, Hash>();
    const frontier = new Frontier();
    for (const leaf of many.slice(0, 37)) frontier.append(leaf, (node) => completed.set(`${node.level}:${node.index}`, node.hash));
    for (const [key, hash] of completed) {
      const [level, index] = key.split(":").map(Number) as [number, number];
      expect(hash.equals(source.subtree(level, index))).toBe(true);
    }
    const resumed = new Frontier(
      37,
      frontierNodes(37).map(([level, index]) => source.subtree(level, index)),
    );
    for (const leaf of many.slice(37)) resumed.append(leaf);
    expect(resumed.root().equals(rootAt[64] as Hash)).toBe(true);
  });

  it("names only the O(log n) subtrees a proof reads", () => {
    const needed = subtreesNeeded((s) => inclusionProof(s, 5, 64));
    expect(needed).toHaveLength(6);
  });
});
