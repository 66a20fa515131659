// Webhook signature verification for extension handlers: a generic HMAC-SHA256 verifier and presets
// for Stripe (`t=…,v1=…`), GitHub (`sha256=…`), Slack (`v0=…` over `v0:<ts>:<body>`) and Latchkey's own
// deliveries. Built on WebCrypto only, so the same code runs on Node 18+, Bun, Deno and edge runtimes;
// WebCrypto is asynchronous, so every verifier returns a Promise. Signatures are checked with
// `crypto.subtle.verify`, which compares in constant time; timestamped schemes refuse signatures outside
// a tolerance window (default 5 minutes, either direction) so a captured request cannot be replayed
// later. Always pass the raw request body, byte for byte, never a re-serialized JSON object.

/** The signed bytes: a string (encoded as UTF-8) or the raw body bytes. */
export type Payload = string | Uint8Array;

export type VerifyFailure = "missing_signature" | "malformed_signature" | "timestamp_outside_tolerance" | "signature_mismatch";
/** `ok: true` (with the signed unix timestamp for timestamped schemes) or the first reason it failed. */
export type VerifyResult = { ok: true; timestamp?: number } | { ok: false; reason: VerifyFailure };

export interface TimestampOptions {
  /** Allowed clock difference in seconds; default 300. */
  toleranceSeconds?: number;
  /** Current time in unix seconds (for tests); defaults to the clock. */
  now?: number;
}

const DEFAULT_TOLERANCE = 300;
/** HMAC-SHA256 digests are 32 bytes: a candidate of any other length cannot match. */
const DIGEST_BYTES = 32;
const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });
const encoder = new TextEncoder();

/** A fresh ArrayBuffer-backed copy: WebCrypto's typings (and some runtimes) refuse views of shared memory. */
function bytesOf(...parts: Payload[]): Uint8Array<ArrayBuffer> {
  const chunks = parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part));
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

let subtlePromise: Promise<SubtleCrypto> | undefined;

/** WebCrypto's SubtleCrypto: the global one, or on Node 18 (no global `crypto`) node:crypto's webcrypto. */
function subtle(): Promise<SubtleCrypto> {
  subtlePromise ??= (async () => {
    const global = (globalThis as { crypto?: Crypto }).crypto;
    if (global?.subtle) return global.subtle;
    // Computed specifier: bundlers for edge runtimes (which all have global WebCrypto) leave it alone.
    const specifier = "node:crypto";
    const mod = (await import(/* webpackIgnore: true */ specifier)) as { webcrypto?: Crypto };
    if (!mod.webcrypto?.subtle) throw new Error("WebCrypto is not available in this runtime.");
    return mod.webcrypto.subtle;
  })();
  return subtlePromise;
}

async function hmacKey(secret: string | Uint8Array, usage: "sign" | "verify"): Promise<CryptoKey> {
  return (await subtle()).importKey("raw", bytesOf(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** HMAC-SHA256 of the concatenated parts under `secret` (UTF-8 when a string): the 32-byte digest. */
export async function hmacSha256(secret: string | Uint8Array, ...parts: Payload[]): Promise<Uint8Array> {
  const key = await hmacKey(secret, "sign");
  return new Uint8Array(await (await subtle()).sign("HMAC", key, bytesOf(...parts)));
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a hex or base64 signature; null when it is not well formed. */
function decode(candidate: string, encoding: "hex" | "base64"): Uint8Array<ArrayBuffer> | null {
  if (encoding === "hex") {
    if (!HEX.test(candidate)) return null;
    const out = new Uint8Array(candidate.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(candidate.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  if (!BASE64.test(candidate) || candidate.length % 4 !== 0) return null;
  const binary = atob(candidate);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Whether any candidate is the HMAC of `message` under `secret` (constant-time per candidate). */
async function anyMatches(
  secret: string | Uint8Array,
  message: Uint8Array<ArrayBuffer>,
  candidates: string[],
  encoding: "hex" | "base64",
): Promise<boolean> {
  const key = await hmacKey(secret, "verify");
  const crypto = await subtle();
  for (const candidate of candidates) {
    const given = decode(candidate, encoding);
    // Lengths are public (every valid signature has the digest's length), so this early exit leaks nothing.
    if (!given || given.byteLength !== DIGEST_BYTES) continue;
    if (await crypto.verify("HMAC", key, given, message)) return true;
  }
  return false;
}

function withinTolerance(timestamp: number, options: TimestampOptions): boolean {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return Math.abs(now - timestamp) <= (options.toleranceSeconds ?? DEFAULT_TOLERANCE);
}

/**
 * Generic HMAC-SHA256: `signature` is the digest of `payload` under `secret`, hex (default) or base64,
 * optionally behind a prefix such as "sha256=".
 */
export async function verifyHmacSha256(options: {
  payload: Payload;
  secret: string | Uint8Array;
  signature: string | null | undefined;
  encoding?: "hex" | "base64";
  prefix?: string;
}): Promise<VerifyResult> {
  const { signature, prefix = "" } = options;
  if (!signature) return fail("missing_signature");
  if (!signature.startsWith(prefix)) return fail("malformed_signature");
  const ok = await anyMatches(options.secret, bytesOf(options.payload), [signature.slice(prefix.length)], options.encoding ?? "hex");
  return ok ? { ok: true } : fail("signature_mismatch");
}

/** Parses `k=v,k=v` headers (Stripe, Latchkey); repeated keys (several v1 during secret rotation) are kept. */
function parseParts(header: string): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const index = item.indexOf("=");
    if (index <= 0) continue;
    const key = item.slice(0, index).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(index + 1).trim()]);
  }
  return parts;
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC of "<t>.<body>">` under the endpoint's whsec_ secret
 * (https://docs.stripe.com/webhooks#verify-manually). Any one of several v1 signatures may match.
 */
export async function verifyStripeSignature(
  payload: Payload,
  header: string | null | undefined,
  secret: string,
  options: TimestampOptions = {},
): Promise<VerifyResult> {
  if (!header) return fail("missing_signature");
  const parts = parseParts(header);
  const t = parts.get("t")?.[0];
  const candidates = parts.get("v1") ?? [];
  if (!t || !/^\d+$/.test(t) || candidates.length === 0) return fail("malformed_signature");
  const timestamp = Number(t);
  if (!(await anyMatches(secret, bytesOf(`${t}.`, payload), candidates, "hex"))) return fail("signature_mismatch");
  // Checked after the signature so an attacker learns nothing from the order of failures about the secret,
  // and before accepting so a valid but old request is still refused.
  if (!withinTolerance(timestamp, options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC of body>` (GitHub sends no timestamp). */
export function verifyGitHubSignature(payload: Payload, header: string | null | undefined, secret: string): Promise<VerifyResult> {
  return verifyHmacSha256({ payload, secret, signature: header, prefix: "sha256=" });
}

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC of "v0:<ts>:<body>">` with `X-Slack-Request-Timestamp: <ts>`
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
export async function verifySlackSignature(
  payload: Payload,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  signingSecret: string,
  options: TimestampOptions = {},
): Promise<VerifyResult> {
  const { timestamp, signature } = headers;
  if (!signature || !timestamp) return fail("missing_signature");
  if (!/^\d+$/.test(timestamp) || !signature.startsWith("v0=")) return fail("malformed_signature");
  if (!(await anyMatches(signingSecret, bytesOf(`v0:${timestamp}:`, payload), [signature.slice(3)], "hex"))) {
    return fail("signature_mismatch");
  }
  if (!withinTolerance(Number(timestamp), options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp: Number(timestamp) };
}

/** Latchkey's delivery headers: a delivery id, its unix timestamp and `v1=<hex>` signatures (space separated). */
export const LATCHKEY_DELIVERY_HEADERS = {
  id: "latchkey-delivery-id",
  timestamp: "latchkey-timestamp",
  signature: "latchkey-signature",
} as const;

/** Signs a delivery Latchkey makes to an extension: HMAC over `<id>.<timestamp>.<body>`; returns its headers. */
export async function signLatchkeyDelivery(options: {
  id: string;
  timestamp: number;
  payload: Payload;
  secret: string;
}): Promise<Record<string, string>> {
  const digest = toHex(await hmacSha256(options.secret, `${options.id}.${options.timestamp}.`, options.payload));
  return {
    [LATCHKEY_DELIVERY_HEADERS.id]: options.id,
    [LATCHKEY_DELIVERY_HEADERS.timestamp]: String(options.timestamp),
    [LATCHKEY_DELIVERY_HEADERS.signature]: `v1=${digest}`,
  };
}

/**
 * Verifies a Latchkey delivery. `headers` may be a Headers object or a plain record. Several `v1=`
 * signatures may be present while the signing secret rotates; any one matching is enough.
 */
export async function verifyLatchkeyDelivery(
  payload: Payload,
  headers: Headers | Record<string, string | undefined>,
  secret: string,
  options: TimestampOptions = {},
): Promise<VerifyResult> {
  const read = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] ?? null));
  const id = read(LATCHKEY_DELIVERY_HEADERS.id);
  const timestamp = read(LATCHKEY_DELIVERY_HEADERS.timestamp);
  const signature = read(LATCHKEY_DELIVERY_HEADERS.signature);
  if (!id || !timestamp || !signature) return fail("missing_signature");
  if (!/^\d+$/.test(timestamp)) return fail("malformed_signature");
  const candidates = signature
    .split(/\s+/)
    .filter((s) => s.startsWith("v1="))
    .map((s) => s.slice(3));
  if (candidates.length === 0) return fail("malformed_signature");
  if (!(await anyMatches(secret, bytesOf(`${id}.${timestamp}.`, payload), candidates, "hex"))) return fail("signature_mismatch");
  if (!withinTolerance(Number(timestamp), options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp: Number(timestamp) };
}
