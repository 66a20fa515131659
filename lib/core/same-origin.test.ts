// Redirect targets taken from input: every way found of leaving Latchkey's origin (issue 12, item 1)
// is refused, and a real path comes back exactly as given. A browser is played by WHATWG `new URL`,
// the parser Chromium and Firefox use to follow a Location header.
import { describe, expect, it } from "vitest";
import { sameOriginPath, sameOriginUrl } from "@/lib/core/same-origin";

const BASE = "http://localhost:3000";

/** Where a browser ends up if `path` is sent as a Location header by the app at BASE. */
const landing = (path: string) => new URL(path, `${BASE}/api/oauth/my-provider/callback`).origin;

describe("sameOriginPath", () => {
  it("keeps a path on this site unchanged, query and fragment included", () => {
    const good = "/panel/extensions/0f6c1f0e-8a55-4b43-9d3c-1b7b2b8f7a10/setup?x=1";
    expect(sameOriginPath(good, BASE)).toBe(good);
    expect(sameOriginPath("/panel/connections?oauth=connected#list", BASE)).toBe("/panel/connections?oauth=connected#list");
    // A query may carry an encoded slash: only the path is read by routers.
    expect(sameOriginPath("/signin?callbackUrl=%2Fpanel", BASE)).toBe("/signin?callbackUrl=%2Fpanel");
  });

  it("accepts an absolute URL on this origin and returns its path", () => {
    expect(sameOriginPath("http://localhost:3000/panel?x=1", BASE)).toBe("/panel?x=1");
    expect(sameOriginPath("//localhost:3000/panel", BASE)).toBe("/panel");
  });

  it("normalises dot segments that stay on this site", () => {
    expect(sameOriginPath("/panel/./connections", BASE)).toBe("/panel/connections");
    expect(sameOriginPath("/panel/x/../connections", BASE)).toBe("/panel/connections");
  });

  // The examples: each normalises to the path //evil.example/…, another host when resolved again.
  it.each(["/.//evil.example/landing", "/..//evil.example", "/%2e//evil.example", "/%2E%2E//evil.example", "/./\\evil.example"])(
    "refuses %j, which a second resolution reads as another host",
    (input) => {
      expect(sameOriginPath(input, BASE)).toBeNull();
    },
  );

  it.each([
    ["tab", "/\t/evil.example"],
    ["CR", "/\r/evil.example"],
    ["LF", "/\n/evil.example"],
    ["LF inside a path", "/panel/\nconnections"],
    ["NUL", "/panel\u0000"],
    ["a leading backslash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["a backslash inside", "/panel\\..\\..\\evil.example"],
    ["an encoded slash", "/%2fevil.example"],
    ["an encoded slash in upper case", "/%2F%2Fevil.example"],
    ["an encoded backslash", "/%5cevil.example"],
    ["javascript:", "javascript:alert(document.domain)"],
    ["JavaScript: with a tab", "java\tscript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["another origin", "https://evil.example/landing"],
    ["a protocol-relative URL", "//evil.example/landing"],
    ["the same host on another port", "http://localhost:3001/panel"],
    ["the same host over another scheme", "https://localhost:3000/panel"],
    ["a host-relative scheme change", "https:evil.example"],
    ["a same-scheme host without slashes", "http:evil.example"],
    ["a relative path", "evil"],
    ["a relative path into the app", "panel/connections"],
    ["a query alone", "?x=1"],
  ])("refuses %s", (_what, input) => {
    expect(sameOriginPath(input, BASE)).toBeNull();
  });

  it("refuses what is not a path at all", () => {
    expect(sameOriginPath("", BASE)).toBeNull();
    expect(sameOriginPath(null, BASE)).toBeNull();
    expect(sameOriginPath(undefined, BASE)).toBeNull();
    expect(sameOriginPath("http://[::1", BASE)).toBeNull();
  });

  it("returns only paths a browser resolves to this origin again", () => {
    const inputs = ["/panel", "/a/../b", "/%2e%2e/panel", "/.//x", "/%2e//x", "/..//x", "/./\\x", "http://localhost:3000//x"];
    for (const input of inputs) {
      const path = sameOriginPath(input, BASE);
      if (path !== null) {
        expect(path.startsWith("/") && !path.startsWith("//")).toBe(true);
        expect(landing(path)).toBe(BASE);
      }
    }
  });
});

describe("sameOriginUrl", () => {
  it("gives the absolute URL on this origin, ready for a Location header", () => {
    expect(sameOriginUrl("/panel/connections?x=1", "https://latchkey.example")?.href).toBe(
      "https://latchkey.example/panel/connections?x=1",
    );
    expect(sameOriginUrl("//evil.example/landing", "https://latchkey.example")).toBeNull();
  });
});
