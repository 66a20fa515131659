import { createHmac } from "node:crypto";
import { sign as githubSign } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import { describe, expect, it, vi } from "vitest";
import {
  hmacSha256,
  signLatchkeyDelivery,
  verifyGitHubSignature,
  verifyHmacSha256,
  verifyLatchkeyDelivery,
  verifySlackSignature,
  verifyStripeSignature,
} from "./webhooks";

const stripe = new Stripe("sk_test_not_used");
const body = JSON.stringify({ id: "evt_1", type: "invoice.paid", data: { object: { amount: 4200 } } });
const tampered = body.replace("4200", "1");
const now = () => Math.floor(Date.now() / 1000);
/** node:crypto's HMAC, an implementation independent of the SDK's WebCrypto one. */
const oracle = (secret: string, payload: string) => createHmac("sha256", secret).update(payload, "utf8").digest();

describe("Stripe signatures (made by stripe's own test helper)", () => {
  const secret = "whsec_test_secret_123";

  it("accepts a fresh signature over the raw body", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    expect(await verifyStripeSignature(body, header, secret)).toMatchObject({ ok: true });
    expect(await verifyStripeSignature(Buffer.from(body), header, secret)).toMatchObject({ ok: true });
  });

  it("rejects a tampered body, another secret, a stale or future timestamp, and junk", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    expect(await verifyStripeSignature(tampered, header, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
    expect(await verifyStripeSignature(body, header, "whsec_other")).toEqual({ ok: false, reason: "signature_mismatch" });
    const stale = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() - 301 });
    expect(await verifyStripeSignature(body, stale, secret)).toEqual({ ok: false, reason: "timestamp_outside_tolerance" });
    expect(await verifyStripeSignature(body, stale, secret, { toleranceSeconds: 600 })).toMatchObject({ ok: true });
    const future = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() + 3600 });
    expect(await verifyStripeSignature(body, future, secret)).toEqual({ ok: false, reason: "timestamp_outside_tolerance" });
    expect(await verifyStripeSignature(body, null, secret)).toEqual({ ok: false, reason: "missing_signature" });
    expect(await verifyStripeSignature(body, "v1=abc", secret)).toEqual({ ok: false, reason: "malformed_signature" });
    // A re-timestamped header with the old signature does not verify (the timestamp is signed).
    const [, v1] = header.split(",");
    expect(await verifyStripeSignature(body, `t=${now() - 10},${v1}`, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
  });

  it("accepts any one of several v1 signatures (secret rotation)", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    const withExtra = `${header},v1=${"0".repeat(64)}`;
    expect(await verifyStripeSignature(body, withExtra, secret)).toMatchObject({ ok: true });
  });
});

describe("GitHub signatures (made by @octokit/webhooks-methods)", () => {
  const secret = "gh-webhook-secret";

  it("accepts the official signature and rejects tampering", async () => {
    const header = await githubSign(secret, body);
    expect(header.startsWith("sha256=")).toBe(true);
    expect(await verifyGitHubSignature(body, header, secret)).toEqual({ ok: true });
    expect(await verifyGitHubSignature(tampered, header, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
    expect(await verifyGitHubSignature(body, header, "other")).toEqual({ ok: false, reason: "signature_mismatch" });
    expect(await verifyGitHubSignature(body, header.replace("sha256=", "sha1="), secret)).toEqual({
      ok: false,
      reason: "malformed_signature",
    });
    expect(await verifyGitHubSignature(body, undefined, secret)).toEqual({ ok: false, reason: "missing_signature" });
    expect(await verifyGitHubSignature(body, "sha256=zz", secret)).toEqual({ ok: false, reason: "signature_mismatch" });
  });
});

describe("Slack signatures", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  // Slack's documented example request, signature computed per its spec (v0:timestamp:body).
  const slackSign = (ts: number, payload: string) => `v0=${oracle(secret, `v0:${ts}:${payload}`).toString("hex")}`;

  it("accepts a fresh request and rejects tampering and replays", async () => {
    const ts = now();
    const payload = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070";
    expect(await verifySlackSignature(payload, { timestamp: String(ts), signature: slackSign(ts, payload) }, secret)).toMatchObject({
      ok: true,
    });
    expect(await verifySlackSignature(`${payload}&x=1`, { timestamp: String(ts), signature: slackSign(ts, payload) }, secret)).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
    const old = ts - 600;
    expect(await verifySlackSignature(payload, { timestamp: String(old), signature: slackSign(old, payload) }, secret)).toEqual({
      ok: false,
      reason: "timestamp_outside_tolerance",
    });
    // The timestamp is part of what is signed: moving it forward breaks the signature.
    expect(await verifySlackSignature(payload, { timestamp: String(ts), signature: slackSign(old, payload) }, secret)).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
    expect(await verifySlackSignature(payload, { timestamp: null, signature: slackSign(ts, payload) }, secret)).toEqual({
      ok: false,
      reason: "missing_signature",
    });
  });
});

describe("Latchkey delivery signatures", () => {
  const secret = "lk-delivery-secret";

  it("round-trips through Headers, rejects tampering, replays and other secrets", async () => {
    const headers = new Headers(await signLatchkeyDelivery({ id: "dlv_1", timestamp: now(), payload: body, secret }));
    expect(await verifyLatchkeyDelivery(body, headers, secret)).toMatchObject({ ok: true });
    expect(await verifyLatchkeyDelivery(tampered, headers, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
    expect(await verifyLatchkeyDelivery(body, headers, "other")).toEqual({ ok: false, reason: "signature_mismatch" });
    // The delivery id is signed too: replaying the body under another id fails.
    headers.set("latchkey-delivery-id", "dlv_2");
    expect(await verifyLatchkeyDelivery(body, headers, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
    const stale = await signLatchkeyDelivery({ id: "dlv_3", timestamp: now() - 1000, payload: body, secret });
    expect(await verifyLatchkeyDelivery(body, stale, secret)).toEqual({ ok: false, reason: "timestamp_outside_tolerance" });
    expect(await verifyLatchkeyDelivery(body, {}, secret)).toEqual({ ok: false, reason: "missing_signature" });
  });

  it("accepts either signature while the secret rotates", async () => {
    const ts = now();
    const oldSig = (await signLatchkeyDelivery({ id: "d", timestamp: ts, payload: body, secret: "old" }))["latchkey-signature"];
    const newSig = (await signLatchkeyDelivery({ id: "d", timestamp: ts, payload: body, secret: "new" }))["latchkey-signature"];
    const headers = { "latchkey-delivery-id": "d", "latchkey-timestamp": String(ts), "latchkey-signature": `${oldSig} ${newSig}` };
    expect(await verifyLatchkeyDelivery(body, headers, "old")).toMatchObject({ ok: true });
    expect(await verifyLatchkeyDelivery(body, headers, "new")).toMatchObject({ ok: true });
    expect(await verifyLatchkeyDelivery(body, headers, "neither")).toMatchObject({ ok: false });
  });
});

describe("generic HMAC-SHA256", () => {
  it("checks hex and base64 digests behind an optional prefix", async () => {
    const secret = "k";
    const hex = oracle(secret, body).toString("hex");
    const b64 = oracle(secret, body).toString("base64");
    expect(await verifyHmacSha256({ payload: body, secret, signature: hex })).toEqual({ ok: true });
    expect(await verifyHmacSha256({ payload: body, secret, signature: b64, encoding: "base64" })).toEqual({ ok: true });
    expect(await verifyHmacSha256({ payload: body, secret, signature: `sig=${hex}`, prefix: "sig=" })).toEqual({ ok: true });
    expect(await verifyHmacSha256({ payload: tampered, secret, signature: hex })).toEqual({ ok: false, reason: "signature_mismatch" });
    expect(await verifyHmacSha256({ payload: body, secret, signature: hex.slice(0, 32) })).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
    expect(await verifyHmacSha256({ payload: body, secret, signature: "" })).toEqual({ ok: false, reason: "missing_signature" });
  });
});

describe("hmacSha256", () => {
  it("gives node:crypto's digest for string and byte payloads", async () => {
    const digest = await hmacSha256("k", "part one.", new TextEncoder().encode(body));
    expect(Buffer.from(digest).toString("hex")).toBe(oracle("k", `part one.${body}`).toString("hex"));
  });
});

describe("runtimes without a global crypto (Node 18)", () => {
  it("verify through node:crypto's webcrypto instead", async () => {
    const secret = "whsec_node18";
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    try {
      vi.resetModules();
      const fresh = await import("./webhooks");
      expect(await fresh.verifyStripeSignature(body, header, secret)).toMatchObject({ ok: true });
      expect(await fresh.verifyStripeSignature(tampered, header, secret)).toEqual({ ok: false, reason: "signature_mismatch" });
    } finally {
      if (original) Object.defineProperty(globalThis, "crypto", original);
    }
  });
});
