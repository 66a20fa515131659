import { describe, expect, it } from "vitest";
import { withSafeCallbackUrl } from "./callback-url";

const BASE = "http://localhost:3999";

const post = (callbackUrl: string, cookie?: string) =>
  new Request(`${BASE}/api/auth/callback/demo`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ person: "eve", callbackUrl, csrfToken: "t" }).toString(),
  });

describe("sign-in return targets next-auth is given", () => {
  it("replaces a callbackUrl with a NUL or another origin by /, keeping the rest of the form", async () => {
    for (const bad of ["/panel\u0000", "http://localhost:3999.evil.example/", "//evil.example/", "/.//evil.example"]) {
      const form = new URLSearchParams(await (await withSafeCallbackUrl(post(bad), BASE)).text());
      expect(form.get("callbackUrl")).toBe("/");
      expect(form.get("person")).toBe("eve");
    }
  });

  it("keeps a same-origin path as it is, and the request untouched", async () => {
    const request = post("/panel/connections?x=1");
    expect(await withSafeCallbackUrl(request, BASE)).toBe(request);
  });

  it("cleans the query parameter and the callback-url cookie", async () => {
    const request = new Request(`${BASE}/api/auth/session?callbackUrl=${encodeURIComponent("http://a:b")}`, {
      headers: { cookie: `a=1; next-auth.callback-url=${encodeURIComponent("http://a:b")}; b=2` },
    });
    const safe = await withSafeCallbackUrl(request, BASE);
    expect(new URL(safe.url).searchParams.get("callbackUrl")).toBe("/");
    expect(safe.headers.get("cookie")).toBe("a=1; next-auth.callback-url=%2F; b=2");
  });
});
