// The value envelope: one AES-256-GCM ciphertext per stored secret value, bound by its AAD to the row it
// belongs to, so a ciphertext copied onto another row (or another version of the same secret) fails to
// open instead of decrypting to someone else's secret. Layout: version byte ‖ 96-bit IV ‖ ciphertext ‖ tag.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CryptoError } from "@/lib/crypto/errors";

export const SEAL_FORMAT_VERSION = 0x01;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;

export type ValueScope = "ext" | "org" | "user";
const SCOPES: readonly ValueScope[] = ["ext", "org", "user"];

export interface ValueAad {
  secretId: string;
  scope: ValueScope;
  owner: string;
  name: string;
  version: number;
  dekId: string;
}

// JSON of a fixed-order array is unambiguous (strings are quoted and escaped, so no field can spill into
// the next), and the leading label keeps a value AAD from ever equalling a DEK-wrapping AAD.
export function encodeAad(aad: ValueAad): Buffer {
  for (const field of ["secretId", "owner", "name", "dekId"] as const) {
    if (typeof aad[field] !== "string") throw new TypeError(`ValueAad.${field} must be a string`);
  }
  if (!SCOPES.includes(aad.scope)) throw new TypeError("ValueAad.scope must be ext, org or user");
  if (!Number.isSafeInteger(aad.version) || aad.version < 0) {
    throw new TypeError("ValueAad.version must be a non-negative integer");
  }
  const fields = ["latchkey.value", aad.secretId, aad.scope, aad.owner, aad.name, aad.version, aad.dekId];
  return Buffer.concat([Buffer.of(SEAL_FORMAT_VERSION), Buffer.from(JSON.stringify(fields), "utf8")]);
}

export function seal(dek: Buffer, plaintext: Buffer, aad: ValueAad): Buffer {
  return gcmSeal(dek, plaintext, encodeAad(aad));
}

// Throws CryptoError on any mismatch; there is deliberately no path that returns the stored bytes.
export function open(dek: Buffer, sealed: Buffer, aad: ValueAad): Buffer {
  return gcmOpen(dek, sealed, encodeAad(aad));
}

// The same envelope with caller-built AAD, shared with the local keyring's DEK wrapping.
export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(SEAL_FORMAT_VERSION), iv, body, cipher.getAuthTag()]);
}

export function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  assertKey(key);
  if (sealed.length < HEADER_BYTES + TAG_BYTES) throw new CryptoError("ciphertext is truncated");
  if (sealed[0] !== SEAL_FORMAT_VERSION) throw new CryptoError("unknown ciphertext format version");
  const iv = sealed.subarray(1, HEADER_BYTES);
  const body = sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new CryptoError("ciphertext does not authenticate (tampered, wrong key or wrong row)", { cause });
  }
}

function assertKey(key: Buffer): void {
  // A short key is a programming error, not a bad ciphertext, so it must not look like decrypt_failed.
  if (key.length !== KEY_BYTES) throw new TypeError(`AES-256-GCM key must be ${KEY_BYTES} bytes`);
}
