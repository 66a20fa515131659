// The shared verification of ./tlog must give the same answers whichever primitives drive it: node:crypto
// synchronously (the server) or WebCrypto asynchronously (the browser).
import { describe, expect, it } from "vitest";
import { webCrypto } from "./browser-verify";
import { MemorySubtrees, consistencyProof, inclusionProof, leafHash, rootOf } from "./merkle";
import {
  consistencySteps,
  inclusionRootSteps,
  inclusionSteps,
  runAsync,
  runSync,
  toHex,
  verifyNoteSteps,
  type Bytes,
  type Steps,
} from "./tlog";
import { nodeCrypto } from "./tlog-node";

// The certificate-transparency RFC 6962 example tree's leaves, and a few leaves past it.
const inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const leaves = [...inputs, "70", "71", "72"].map((h) => leafHash(Buffer.from(h, "hex")));
const source = new MemorySubtrees(leaves);
const flip = (h: Bytes) => Uint8Array.from(h, (b, i) => (i === 0 ? b ^ 1 : b));

async function both<R>(steps: () => Steps<R>): Promise<R> {
  const server = runSync(steps(), nodeCrypto);
  const browser = await runAsync(steps(), webCrypto);
  const plain = (answer: R) => (answer instanceof Uint8Array ? toHex(answer) : answer);
  expect(plain(browser)).toEqual(plain(server));
  return server;
}

describe("tlog verification under both drivers", () => {
  it("leads every inclusion proof to the same root and rejects the same tampering", async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = rootOf(leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const leaf = leaves[index] as Bytes;
        const proof = inclusionProof(source, index, size);
        const computed = await both(() => inclusionRootSteps(index, size, leaf, proof));
        expect(computed && toHex(computed), `leaf ${index} of ${size}`).toBe(root.toString("hex"));
        expect(await both(() => inclusionSteps(index, size, leaf, proof, root))).toBe(true);
        expect(await both(() => inclusionSteps(index, size, flip(leaf), proof, root))).toBe(false);
        expect(await both(() => inclusionSteps(index, size, leaf, proof, flip(root)))).toBe(false);
        if (proof.length > 0) expect(await both(() => inclusionSteps(index, size, leaf, proof.slice(1), root))).toBe(false);
      }
    }
  });

  it("accepts every consistency proof and rejects the same tampering", async () => {
    for (let n = 1; n <= leaves.length; n++) {
      const newRoot = rootOf(leaves.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const oldRoot = rootOf(leaves.slice(0, m));
        const proof = consistencyProof(source, m, n);
        expect(await both(() => consistencySteps(m, n, oldRoot, newRoot, proof)), `${m} → ${n}`).toBe(true);
        expect(await both(() => consistencySteps(m, n, flip(oldRoot), newRoot, proof))).toBe(false);
        if (proof.length > 0)
          expect(await both(() => consistencySteps(m, n, oldRoot, newRoot, [flip(proof[0] as Bytes), ...proof.slice(1)]))).toBe(false);
      }
    }
  });

  it("opens the Go reference signed note and refuses an edited one", async () => {
    const publicKey = Buffer.from("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "base64").subarray(1);
    const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const note = `${text}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
    expect(await both(() => verifyNoteSteps(note, "PeterNeumann", publicKey))).toEqual({ ok: true, text });
    expect(await both(() => verifyNoteSteps(note.replace("answer", "Answer"), "PeterNeumann", publicKey))).toEqual({
      ok: false,
      reason: "signature does not verify",
    });
  });
});
