// Webhook signature verification for extension handlers: a generic HMAC-SHA256 verifier and presets
// for Stripe (`t=…,v1=…`), GitHub (`sha256=…`), Slack (`v0=…` over `v0:<ts>:<body>`) and Latchkey's own
// deliveries. Comparisons are timing-safe; timestamped schemes refuse signatures outside a tolerance
// window (default 5 minutes, either direction) so a captured request cannot be replayed later. Always
// pass the raw request body, byte for byte, never a re-serialized JSON object.
import { createHmac, timingSafeEqual } from "node:crypto";

export type Payload = string | Uint8Array;

export type VerifyFailure = "missing_signature" | "malformed_signature" | "timestamp_outside_tolerance" | "signature_mismatch";
export type VerifyResult = { ok: true; timestamp?: number } | { ok: false; reason: VerifyFailure };

export interface TimestampOptions {
  /** Allowed clock difference in seconds; default 300. */
  toleranceSeconds?: number;
  /** Current time in seconds (for tests); defaults to the clock. */
  now?: number;
}

const DEFAULT_TOLERANCE = 300;
const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });
const toBytes = (payload: Payload) => (typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload));

export function hmacSha256(secret: string | Uint8Array, ...parts: Payload[]): Buffer {
  const mac = createHmac("sha256", typeof secret === "string" ? Buffer.from(secret, "utf8") : secret);
  for (const part of parts) mac.update(toBytes(part));
  return mac.digest();
}

/** Constant-time comparison of a digest against a hex or base64 encoded candidate. */
function matches(expected: Buffer, candidate: string, encoding: "hex" | "base64"): boolean {
  const valid = encoding === "hex" ? /^[0-9a-fA-F]+$/.test(candidate) : /^[A-Za-z0-9+/]+={0,2}$/.test(candidate);
  if (!valid) return false;
  const given = Buffer.from(candidate, encoding);
  // Lengths are public (every valid signature has the digest's length), so this early exit leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function withinTolerance(timestamp: number, options: TimestampOptions): boolean {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return Math.abs(now - timestamp) <= (options.toleranceSeconds ?? DEFAULT_TOLERANCE);
}

/**
 * Generic HMAC-SHA256: `signature` is the digest of `payload` under `secret`, hex (default) or base64,
 * optionally behind a prefix such as "sha256=".
 */
export function verifyHmacSha256(options: {
  payload: Payload;
  secret: string | Uint8Array;
  signature: string | null | undefined;
  encoding?: "hex" | "base64";
  prefix?: string;
}): VerifyResult {
  const { signature, prefix = "" } = options;
  if (!signature) return fail("missing_signature");
  if (!signature.startsWith(prefix)) return fail("malformed_signature");
  const expected = hmacSha256(options.secret, options.payload);
  return matches(expected, signature.slice(prefix.length), options.encoding ?? "hex") ? { ok: true } : fail("signature_mismatch");
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

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC of "<t>.<body>">` under the endpoint's whsec_ secret. */
export function verifyStripeSignature(
  payload: Payload,
  header: string | null | undefined,
  secret: string,
  options: TimestampOptions = {},
): VerifyResult {
  if (!header) return fail("missing_signature");
  const parts = parseParts(header);
  const t = parts.get("t")?.[0];
  const candidates = parts.get("v1") ?? [];
  if (!t || !/^\d+$/.test(t) || candidates.length === 0) return fail("malformed_signature");
  const timestamp = Number(t);
  const expected = hmacSha256(secret, `${t}.`, payload);
  if (!candidates.some((c) => matches(expected, c, "hex"))) return fail("signature_mismatch");
  // Checked after the signature so an attacker learns nothing from the order of failures about the secret,
  // and before accepting so a valid but old request is still refused.
  if (!withinTolerance(timestamp, options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC of body>` (GitHub sends no timestamp). */
export function verifyGitHubSignature(payload: Payload, header: string | null | undefined, secret: string): VerifyResult {
  return verifyHmacSha256({ payload, secret, signature: header, prefix: "sha256=" });
}

/** Slack: `X-Slack-Signature: v0=<hex HMAC of "v0:<ts>:<body>">` with `X-Slack-Request-Timestamp: <ts>`. */
export function verifySlackSignature(
  payload: Payload,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  signingSecret: string,
  options: TimestampOptions = {},
): VerifyResult {
  const { timestamp, signature } = headers;
  if (!signature || !timestamp) return fail("missing_signature");
  if (!/^\d+$/.test(timestamp) || !signature.startsWith("v0=")) return fail("malformed_signature");
  const expected = hmacSha256(signingSecret, `v0:${timestamp}:`, payload);
  if (!matches(expected, signature.slice(3), "hex")) return fail("signature_mismatch");
  if (!withinTolerance(Number(timestamp), options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp: Number(timestamp) };
}

/** Latchkey's delivery headers: a delivery id, its unix timestamp and `v1=<hex>` signatures (space separated). */
export const LATCHKEY_DELIVERY_HEADERS = {
  id: "latchkey-delivery-id",
  timestamp: "latchkey-timestamp",
  signature: "latchkey-signature",
} as const;

/** Signs a delivery Latchkey makes to an extension: HMAC over `<id>.<timestamp>.<body>`. */
export function signLatchkeyDelivery(options: { id: string; timestamp: number; payload: Payload; secret: string }): Record<string, string> {
  const digest = hmacSha256(options.secret, `${options.id}.${options.timestamp}.`, options.payload).toString("hex");
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
export function verifyLatchkeyDelivery(
  payload: Payload,
  headers: Headers | Record<string, string | undefined>,
  secret: string,
  options: TimestampOptions = {},
): VerifyResult {
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
  const expected = hmacSha256(secret, `${id}.${timestamp}.`, payload);
  if (!candidates.some((c) => matches(expected, c, "hex"))) return fail("signature_mismatch");
  if (!withinTolerance(Number(timestamp), options)) return fail("timestamp_outside_tolerance");
  return { ok: true, timestamp: Number(timestamp) };
}
