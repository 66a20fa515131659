// Issue 12 item 9: the audit trail recorded the client's own claim (the left-most X-Forwarded-For) as its
// address. Only entries appended by trusted proxies count, garbage is no address, and one user-agent
// cut-off applies everywhere.
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { clientAddress, parseAddress, requestSource, USER_AGENT_MAX_LENGTH } from "./client-address";

const headers = (init: Record<string, string> | [string, string][]) => new Headers(init);

describe("clientAddress", () => {
  it("ignores a spoofed left-most entry: with one trusted proxy the address is the entry it appended", () => {
    // The example: the client wrote 6.6.6.6 itself; the proxy appended what it saw.
    const forwarded = headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" });
    expect(clientAddress(forwarded, { trustedHops: 1 })).toBe("203.0.113.9");
  });

  it("reads nothing from the header when no proxy is trusted (the default)", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), { trustedHops: 0 })).toBeNull();
    expect(parseEnv({}).LATCHKEY_TRUSTED_PROXY_HOPS).toBe(0);
  });

  it("counts hops from the right", () => {
    const chain = headers({ "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.2, 10.0.0.3" });
    expect(clientAddress(chain, { trustedHops: 1 })).toBe("10.0.0.3");
    expect(clientAddress(chain, { trustedHops: 2 })).toBe("10.0.0.2");
    expect(clientAddress(chain, { trustedHops: 3 })).toBe("198.51.100.7");
    // A request with fewer entries than trusted proxies did not come through them all.
    expect(clientAddress(headers({ "x-forwarded-for": "198.51.100.7" }), { trustedHops: 2 })).toBeNull();
    expect(clientAddress(headers({}), { trustedHops: 1 })).toBeNull();
  });

  it("reads several X-Forwarded-For fields as one list, in order", () => {
    const twoFields = headers([
      ["x-forwarded-for", "6.6.6.6"],
      ["x-forwarded-for", "203.0.113.9"],
    ]);
    expect(clientAddress(twoFields, { trustedHops: 1 })).toBe("203.0.113.9");
  });

  it.each([
    ["not-an-ip"],
    ["999.1.1.1"],
    ["1.2.3"],
    ["<script>alert(1)</script>"],
    ["unknown"],
    [""],
    ["   "],
    ["203.0.113.9 203.0.113.10"],
    ["fe80::1%eth0"],
    ["2001:db8::1::2"],
    ["x".repeat(500)],
  ])("is null for a trusted entry that is not an IP address: %j", (entry) => {
    expect(clientAddress(headers({ "x-forwarded-for": `198.51.100.1, ${entry}` }), { trustedHops: 1 })).toBeNull();
  });

  it.each([
    ["203.0.113.9", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
    ["203.0.113.9:8443", "203.0.113.9"],
    ["2001:DB8::1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["0:0:0:0:0:ffff:203.0.113.9", "203.0.113.9"],
  ])("normalises the forms proxies write: %j → %s", (entry, address) => {
    expect(parseAddress(entry)).toBe(address);
  });
});

describe("requestSource", () => {
  it("is the kind, the trusted address and the user agent cut at one length", () => {
    const long = "Mozilla/5.0 ".repeat(40);
    const source = requestSource(headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9", "user-agent": long }), "cli", { trustedHops: 1 });
    expect(source).toEqual({ kind: "cli", ip: "203.0.113.9", userAgent: long.slice(0, USER_AGENT_MAX_LENGTH) });
    expect(USER_AGENT_MAX_LENGTH).toBe(256);
  });

  it("has no address and no user agent when the request gives none it can trust", () => {
    expect(requestSource(headers({ "x-forwarded-for": "203.0.113.9", "user-agent": "  " }), "api", { trustedHops: 0 })).toEqual({
      kind: "api",
      ip: null,
      userAgent: null,
    });
  });
});

describe("LATCHKEY_TRUSTED_PROXY_HOPS", () => {
  it.each(["-1", "1.5", "11", "two"])("refuses %j, naming the variable", (value) => {
    expect(() => parseEnv({ LATCHKEY_TRUSTED_PROXY_HOPS: value })).toThrow(/LATCHKEY_TRUSTED_PROXY_HOPS: /);
  });

  it("accepts a hop count", () => {
    expect(parseEnv({ LATCHKEY_TRUSTED_PROXY_HOPS: "2" }).LATCHKEY_TRUSTED_PROXY_HOPS).toBe(2);
  });
});
