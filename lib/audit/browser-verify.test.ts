import { describe, expect, it } from "vitest";
import { leafHash, MemorySubtrees, inclusionProof, rootOf } from "@/lib/audit/merkle";
import { generateKeyPairSync } from "node:crypto";
import { leafHashOf, verifyCheckpoint, verifyRow } from "./browser-verify";
import { formatCheckpoint, rawPublicKey, signNote } from "./note";

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

describe("browser checkpoint verification", () => {
  const origin = "latchkey.example/audit";
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = rawPublicKey(publicKey);
  const root = Buffer.alloc(32, 7);
  const note = signNote(formatCheckpoint({ origin, treeSize: 42, rootHash: root }), origin, privateKey, raw);
  const key = { origin, public_key: raw.toString("base64") };
  const checkpoint = { tree_size: 42, root_hash: root.toString("hex"), note };

  it("accepts a checkpoint signed by the log's key that says what the API claims", async () => {
    expect(await verifyCheckpoint(checkpoint, key)).toBe(true);
  });

  it("rejects another key, a forged signature, and a note whose body disagrees with the claim", async () => {
    const other = rawPublicKey(generateKeyPairSync("ed25519").publicKey);
    expect(await verifyCheckpoint(checkpoint, { origin, public_key: other.toString("base64") })).toBe(false);
    const forged = note.replace(/ (\S+)\n$/, (_m, blob: string) => {
      const bytes = Buffer.from(blob, "base64");
      bytes[10] = (bytes[10] ?? 0) ^ 1;
      return ` ${bytes.toString("base64")}\n`;
    });
    expect(await verifyCheckpoint({ ...checkpoint, note: forged }, key)).toBe(false);
    expect(await verifyCheckpoint({ ...checkpoint, tree_size: 43 }, key)).toBe(false);
    expect(await verifyCheckpoint({ ...checkpoint, root_hash: "00".repeat(32) }, key)).toBe(false);
    expect(await verifyCheckpoint(checkpoint, { ...key, origin: "elsewhere.example/audit" })).toBe(false);
  });
});
