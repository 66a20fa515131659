import { describe, expect, it } from "vitest";
import { leafHash, MemorySubtrees, inclusionProof, rootOf } from "@/lib/audit/merkle";
import { leafHashOf, verifyRow } from "./browser-verify";

// The browser verifier must agree with the server's tree: same leaf hashes, same proofs, same roots.
describe("browser proof verification", () => {
  const entries = Array.from({ length: 13 }, (_, i) => ({ v: 1, id: i + 1, action: "secret.set", details: { n: i, z: "é" } }));

  it("hashes entries exactly as the server does and accepts every valid proof", async () => {
    const { default: canonicalize } = await import("canonicalize");
    const leaves = entries.map((e) => leafHash(Buffer.from(canonicalize(e) ?? "", "utf8")));
    expect(await leafHashOf(entries[4])).toBe(leaves[4]?.toString("hex"));
    const source = new MemorySubtrees(leaves);
    const root = rootOf(leaves).toString("hex");
    for (let i = 0; i < entries.length; i++) {
      const proof = { tree_size: 13, root_hash: root, proof_path: inclusionProof(source, i, 13).map((h) => h.toString("hex")) };
      expect(await verifyRow(entries[i], i, proof)).toBe(true);
      // An altered entry, or the right entry at the wrong index, does not verify.
      expect(await verifyRow({ ...entries[i], action: "secret.delete" }, i, proof)).toBe(false);
      expect(await verifyRow(entries[i], (i + 1) % 13, proof)).toBe(false);
    }
  });
});
