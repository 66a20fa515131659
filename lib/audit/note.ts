// Checkpoints as C2SP signed notes (https://github.com/C2SP/C2SP/blob/main/signed-note.md) carrying a
// tlog-checkpoint body: origin line, tree size, base64 root hash. Signed with Ed25519; the key name is the
// origin and the key id is the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), so any
// note verifier (e.g. golang.org/x/mod/sumdb/note) accepts our checkpoints with our published key.
// Signing and key handling are the server's; parsing and verification live once in ./tlog, shared with
// the browser, and run here synchronously on node:crypto.
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import {
  ED25519,
  keyIdSteps,
  parseCheckpoint as parseBody,
  runSync,
  SIG_PREFIX,
  verifyNoteSteps,
  type CheckpointBody as Body,
  type NoteCheck,
} from "./tlog";
import { asBuffer, nodeCrypto, SPKI_PREFIX } from "./tlog-node";

export type { NoteCheck };

export type CheckpointBody = Body<Buffer>;

export function formatCheckpoint(body: CheckpointBody): string {
  return `${body.origin}\n${body.treeSize}\n${body.rootHash.toString("base64")}\n`;
}

/** Reads a checkpoint body (see ./tlog parseCheckpoint), its root hash as a Buffer. */
export function parseCheckpoint(text: string): CheckpointBody | null {
  const body = parseBody(text);
  return body && { ...body, rootHash: asBuffer(body.rootHash) };
}

/** A note key's id: the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function keyId(name: string, publicKey: Buffer): Buffer {
  return asBuffer(runSync(keyIdSteps(name, publicKey), nodeCrypto));
}

/** The note verifier key string: name+hex(key id)+base64(0x01 ‖ public key). */
export function verifierKey(name: string, publicKey: Buffer): string {
  return `${name}+${keyId(name, publicKey).toString("hex")}+${Buffer.concat([Buffer.of(ED25519), publicKey]).toString("base64")}`;
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length);
}

export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: Buffer): string {
  if (!text.endsWith("\n")) throw new Error("note text must end with a newline");
  if (/\s|\+/.test(name)) throw new Error("key name must not contain spaces or +");
  const signature = sign(null, Buffer.from(text, "utf8"), privateKey);
  const blob = Buffer.concat([keyId(name, publicKey), signature]).toString("base64");
  return `${text}\n${SIG_PREFIX}${name} ${blob}\n`;
}

/** Checks that a signed note carries a valid signature by (name, publicKey) and returns its text. */
export function verifyNote(note: string, name: string, publicKey: Buffer): NoteCheck {
  return runSync(verifyNoteSteps(note, name, publicKey), nodeCrypto);
}

// DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows it.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

export function seedOf(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_PREFIX.length);
}

/** Parses a note verifier key string (name+hex key id+base64(0x01 ‖ key)); null if malformed or inconsistent. */
export function parseVerifierKey(text: string): { name: string; publicKey: Buffer } | null {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!match) return null;
  const [, name = "", id = "", b64 = ""] = match;
  const raw = Buffer.from(b64, "base64");
  if (raw.length !== 33 || raw[0] !== ED25519) return null;
  const publicKey = raw.subarray(1);
  return keyId(name, publicKey).toString("hex") === id ? { name, publicKey } : null;
}
