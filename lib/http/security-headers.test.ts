// The security headers (issue 12, item 7): the page policy follows Next's nonce guide and is strict in
// production, Strict-Transport-Security is sent only for an https LATCHKEY_URL, and the features no page
// uses are off.
import { describe, expect, it } from "vitest";
import {
  API_CONTENT_SECURITY_POLICY,
  newNonce,
  pageContentSecurityPolicy,
  PERMISSIONS_POLICY,
  STATIC_SECURITY_HEADERS,
  strictTransportSecurity,
} from "./security-headers";

/** A policy as a map of directive → its source list. */
const directives = (policy: string) =>
  new Map(
    policy.split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );

describe("page Content-Security-Policy", () => {
  it("in production allows scripts and styles only from this origin or with this response's nonce", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "abc123==", dev: false, https: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("never allows eval or inline code in production", () => {
    const policy = pageContentSecurityPolicy({ nonce: "n", dev: false, https: true });
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toContain("unsafe-inline");
  });

  it("in next dev adds 'unsafe-eval' for React's debugging and inline styles for the dev overlay", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "n", dev: true, https: false }));
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
    expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("upgrades subresources only when served over https", () => {
    expect(directives(pageContentSecurityPolicy({ nonce: "n", dev: false, https: true })).has("upgrade-insecure-requests")).toBe(true);
  });

  it("gets a new unguessable nonce for every response", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("API answers", () => {
  it("may load nothing and cannot be framed", () => {
    const policy = directives(API_CONTENT_SECURITY_POLICY);
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent for an https LATCHKEY_URL, for two years with subdomains", () => {
    expect(strictTransportSecurity("https://latchkey.example.com")).toBe("max-age=63072000; includeSubDomains");
  });

  it("is not sent for an http LATCHKEY_URL", () => {
    expect(strictTransportSecurity("http://localhost:3000")).toBeNull();
  });
});

describe("static headers", () => {
  it("keep nosniff, Referrer-Policy and X-Frame-Options and turn off camera, microphone and geolocation", () => {
    const headers = new Map(STATIC_SECURITY_HEADERS.map((h) => [h.key, h.value]));
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Referrer-Policy")).toBe("same-origin");
    expect(headers.get("X-Frame-Options")).toBe("DENY");
    const features = PERMISSIONS_POLICY.split(", ");
    for (const feature of ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]) expect(features).toContain(feature);
    expect(headers.get("Permissions-Policy")).toBe(PERMISSIONS_POLICY);
  });
});
