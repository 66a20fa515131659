import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatCheckpoint, parseCheckpoint, privateKeyFromSeed, rawPublicKey, signNote, verifierKey, verifyNote } from "./note";

// The reference key and note of golang.org/x/mod/sumdb/note (note_test.go): Ed25519 is deterministic,
// so signing the same text with the same seed must give the published note byte for byte.
const goSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const goVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goNote = `${goText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe("signed notes", () => {
  const seed = Buffer.from(goSigner.split("+").slice(4).join("+"), "base64").subarray(1);
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = rawPublicKey(createPublicKey(privateKey));

  it("signs exactly like the Go reference implementation and derives the same verifier key", () => {
    expect(verifierKey("PeterNeumann", publicKey)).toBe(goVerifier);
    expect(signNote(goText, "PeterNeumann", privateKey, publicKey)).toBe(goNote);
    expect(verifyNote(goNote, "PeterNeumann", publicKey)).toEqual({ ok: true, text: goText });
  });

  it("rejects an edited text, a forged signature and another key", () => {
    expect(verifyNote(goNote.replace("cryptography", "cryptographY"), "PeterNeumann", publicKey).ok).toBe(false);
    const forged = goNote.replace("x08go/ZJ", "x08go/ZK");
    expect(verifyNote(forged, "PeterNeumann", publicKey).ok).toBe(false);
    const other = rawPublicKey(generateKeyPairSync("ed25519").publicKey);
    expect(verifyNote(goNote, "PeterNeumann", other).ok).toBe(false);
  });

  it("round-trips a tlog checkpoint body", () => {
    const body = { origin: "localhost:3000/audit", treeSize: 42, rootHash: Buffer.alloc(32, 7) };
    const text = formatCheckpoint(body);
    expect(text).toBe(`localhost:3000/audit\n42\n${Buffer.alloc(32, 7).toString("base64")}\n`);
    expect(parseCheckpoint(text)).toEqual(body);
    expect(parseCheckpoint("origin\nnot-a-number\nAAAA\n")).toBeNull();
  });
});

describe("verifier keys", () => {
  it("parses the reference key and refuses one whose id does not match", async () => {
    const { parseVerifierKey } = await import("./note");
    expect(parseVerifierKey(goVerifier)?.name).toBe("PeterNeumann");
    expect(parseVerifierKey(goVerifier.replace("c74f20a3", "c74f20a4"))).toBeNull();
    expect(parseVerifierKey("nonsense")).toBeNull();
  });
});
