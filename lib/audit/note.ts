// Checkpoints as C2SP signed notes (https://github.com/C2SP/C2SP/blob/main/signed-note.md) carrying a
// tlog-checkpoint body: origin line, tree size, base64 root hash. Signed with Ed25519; the key name is the
// origin and the key id is the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), so any
// note verifier (e.g. golang.org/x/mod/sumdb/note) accepts our checkpoints with our published key.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

const ED25519 = 0x01;
const SIG_PREFIX = "\u2014 ";
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

export function formatCheckpoint(body: CheckpointBody): string {
  return `${body.origin}\n${body.treeSize}\n${body.rootHash.toString("base64")}\n`;
}

export function parseCheckpoint(text: string): CheckpointBody | null {
  const lines = text.split("\n");
  const [origin, size, root] = lines;
  if (!origin || !size || !root || !/^[0-9]+$/.test(size)) return null;
  const rootHash = Buffer.from(root, "base64");
  if (rootHash.length !== 32 || rootHash.toString("base64") !== root) return null;
  return { origin, treeSize: Number(size), rootHash };
}

export function keyId(name: string, publicKey: Buffer): Buffer {
  return createHash("sha256")
    .update(Buffer.from(`${name}\n`, "utf8"))
    .update(Buffer.of(ED25519))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The note verifier key string: name+hex(key id)+base64(0x01 ‖ public key). */
export function verifierKey(name: string, publicKey: Buffer): string {
  return `${name}+${keyId(name, publicKey).toString("hex")}+${Buffer.concat([Buffer.of(ED25519), publicKey]).toString("base64")}`;
}

export function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
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

export type NoteCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Checks that a signed note carries a valid signature by (name, publicKey) and returns its text. */
export function verifyNote(note: string, name: string, publicKey: Buffer): NoteCheck {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return { ok: false, reason: "not a signed note" };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  const id = keyId(name, publicKey);
  const key = publicKeyObject(publicKey);
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: "malformed signature line" };
    const [sigName, blob] = line.slice(SIG_PREFIX.length).split(" ");
    if (sigName !== name || !blob) continue;
    const raw = Buffer.from(blob, "base64");
    if (raw.length !== 4 + 64 || !raw.subarray(0, 4).equals(id)) continue;
    if (verify(null, Buffer.from(text, "utf8"), key, raw.subarray(4))) return { ok: true, text };
    return { ok: false, reason: "signature does not verify" };
  }
  return { ok: false, reason: `no signature by ${name}` };
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
