// The server's driver for lib/audit/tlog.ts: SHA-256 and Ed25519 from node:crypto, synchronous, so the
// shared proof and note verification runs inside the server's synchronous callers.
import { createPublicKey, hash, verify, type KeyObject } from "node:crypto";
import type { Bytes, SyncCrypto } from "./tlog";

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
export const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A node KeyObject for a raw 32-byte Ed25519 public key; throws when the bytes are not one. */
export function publicKeyObject(raw: Bytes): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** node:crypto answering tlog.ts's requests; digests come back as Buffers. */
export const nodeCrypto: SyncCrypto = {
  sha256(parts) {
    // One-shot over the joined parts: cheaper than a streaming hash for the short inputs proofs hash.
    return hash("sha256", Buffer.concat(parts), "buffer");
  },
  verifyEd25519(publicKey, message, signature) {
    return verify(null, message, publicKeyObject(publicKey), signature);
  },
};

/** The same bytes as a Buffer, sharing memory (no copy when they already are one). */
export const asBuffer = (bytes: Bytes): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
