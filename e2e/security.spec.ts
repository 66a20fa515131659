// Hardening seen from outside (issue 12): the security headers on a page, an API answer and the 404
// page; malformed percent-encoding answered 400/404 instead of 500; every open-redirect variant of an
// OAuth flow's return_to refused through the real authorize route, so the browser stays on Latchkey;
// and no Content-Security-Policy violation on the main pages of each area (the nonce reaches every
// script and style Next renders).
import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { storageStateFor, type Person } from "./people";

const baseURL = `http://localhost:${Number(process.env.E2E_PORT ?? "3210")}`;
const providerOrigin = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? "3210") + 1}`;

/** The headers every response carries (next.config.ts), and no HSTS: this run's LATCHKEY_URL is http. */
function expectStaticHeaders(response: APIResponse) {
  const headers = response.headers();
  expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY" });
  const features = (headers["permissions-policy"] ?? "").split(/,\s*/);
  expect(features).toEqual(expect.arrayContaining(["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]));
  expect(headers["strict-transport-security"]).toBeUndefined();
}

/** A page's CSP: a fresh nonce for scripts and styles, nothing inline or eval'd without it. Returns the nonce. */
function expectPagePolicy(response: APIResponse): string {
  const policy = response.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1] ?? "";
  expect(nonce).not.toBe("");
  expect(policy).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(policy).toContain(`style-src 'self' 'nonce-${nonce}'`);
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain("unsafe-eval");
  expect(policy).not.toContain("unsafe-inline");
  return nonce;
}

/** Every <script> Next rendered into the page carries the response's nonce. */
async function expectScriptsNonced(response: APIResponse, nonce: string) {
  const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
}

test.describe("security headers", () => {
  test("a page has a nonce-based Content-Security-Policy that every script carries, new on each request", async ({ request }) => {
    const page = await request.get("/signin");
    expect(page.status()).toBe(200);
    expectStaticHeaders(page);
    const nonce = expectPagePolicy(page);
    await expectScriptsNonced(page, nonce);
    const again = await request.get("/signin");
    expect(expectPagePolicy(again)).not.toBe(nonce);
  });

  test("an API answer has a policy that loads nothing", async ({ request }) => {
    for (const path of ["/api/v1/openapi.json", "/api/v1/readiness"]) {
      const response = await request.get(path);
      expect([200, 401]).toContain(response.status());
      expectStaticHeaders(response);
      expect(response.headers()["content-security-policy"]).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
    }
  });

  test("the 404 page has the same headers as any page", async ({ request }) => {
    const response = await request.get("/no-such-page");
    expect(response.status()).toBe(404);
    expectStaticHeaders(response);
    await expectScriptsNonced(response, expectPagePolicy(response));
    expect(await response.text()).toContain("This page does not exist");
  });
});

test.describe("malformed percent-encoding", () => {
  for (const path of ["/api/v1/secrets/%ff", "/api/oauth/%ff/authorize", "/api/v1/secrets/%ff/meta", "/.well-known/%zz"]) {
    test(`${path} is a 400 invalid_request, not a 500`, async ({ request }) => {
      const response = await request.get(path);
      expect(response.status()).toBe(400);
      expectStaticHeaders(response);
      const body = (await response.json()) as { error: { code: string; message: string; request_id: string } };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message).toContain("is not percent-encoded UTF-8");
      expect(body.error.request_id).toBe(response.headers()["x-request-id"]);
    });
  }

  for (const path of ["/panel/extensions/%ff/setup", "/publisher/extensions/%c0%af"]) {
    test(`${path} is the 404 page`, async ({ page }) => {
      const response = await page.goto(path);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
    });
  }
});

test.describe("open redirect after OAuth", () => {
  test.use({ storageState: storageStateFor("enduser") });

  /** Eve's My Calendar installation in Globex, whose setup field connects My Service. */
  async function calendarInstallation(page: Page): Promise<string> {
    await page.goto("/panel");
    const href = (await page.getByRole("link", { name: "My Calendar setup" }).getAttribute("href")) ?? "";
    const id = /\/panel\/extensions\/([0-9a-f-]{36})\/setup/.exec(href)?.[1];
    expect(id).toBeTruthy();
    return id ?? "";
  }

  const authorize = (installation: string, returnTo: string) =>
    `/api/oauth/my-provider/authorize?${new URLSearchParams({ installation, return_to: returnTo }).toString()}`;

  const variants = [
    "/.//evil.example/landing",
    "/..//evil.example/landing",
    "/%2e//evil.example/landing",
    "/./\\evil.example/landing",
    "/\t/evil.example/landing",
    "/\r\n/evil.example/landing",
    "/\\evil.example/landing",
    "/%2f%2fevil.example/landing",
    "/%5c%5cevil.example/landing",
    "//evil.example/landing",
    "https://evil.example/landing",
    "javascript:alert(document.domain)",
  ];

  test("every variant is refused and the browser stays on Latchkey's error page", async ({ page, request }) => {
    const installation = await calendarInstallation(page);
    for (const variant of variants) {
      const response = await request.get(authorize(installation, variant), { maxRedirects: 0 });
      expect(response.status(), variant).toBe(303);
      const location = new URL(response.headers().location ?? "", baseURL);
      expect(location.origin, variant).toBe(baseURL);
      expect(location.pathname, variant).toBe("/panel/connections/error");
      expect(location.searchParams.get("code"), variant).toBe("invalid_return_to");
    }

    // In the browser: the error page says why, and "Try again" starts the flow without that return_to.
    await page.goto(authorize(installation, "/.//evil.example/landing"));
    expect(new URL(page.url()).origin).toBe(baseURL);
    await expect(page.getByText("return_to must be a path on this site, such as /panel/connections.")).toBeVisible();
    await expect(page.getByText("Error code: invalid_return_to")).toBeVisible();
    const retry = (await page.getByRole("link", { name: "Try again" }).getAttribute("href")) ?? "";
    expect(retry).toMatch(/^\/api\/oauth\/my-provider\/authorize\?/);
    expect(new URL(retry, baseURL).searchParams.has("return_to")).toBe(false);
  });

  test("a path on this site is accepted and the flow goes on to the provider", async ({ page, request }) => {
    const installation = await calendarInstallation(page);
    const response = await request.get(authorize(installation, `/panel/extensions/${installation}/setup?x=1`), { maxRedirects: 0 });
    expect(response.status()).toBe(303);
    const location = new URL(response.headers().location ?? "");
    expect(location.origin).toBe(providerOrigin);
    expect(location.searchParams.get("state")).toBeTruthy();
  });
});

test.describe("no Content-Security-Policy violations", () => {
  /** Records CSP violations (the DOM event and Chromium's console report) and Permissions-Policy header errors. */
  async function watch(page: Page): Promise<() => Promise<string[]>> {
    const logged: string[] = [];
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused to|Permissions-Policy/i.test(message.text())) logged.push(message.text());
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
    });
    return async () => [
      ...logged.splice(0),
      ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)),
    ];
  }

  /** Opens each path, waits until the page has hydrated (the shell's links work), and returns what was refused. */
  async function visit(page: Page, paths: string[]) {
    const violations = await watch(page);
    const found: string[] = [];
    for (const path of paths) {
      await page.goto(path);
      await page.waitForLoadState("load");
      await expect(page.locator("body")).not.toBeEmpty();
      found.push(...(await violations()).map((v) => `${path}: ${v}`));
    }
    return found;
  }

  const areas: { person: Person | null; paths: (page: Page) => Promise<string[]> }[] = [
    { person: null, paths: async () => ["/signin", "/no-such-page"] },
    {
      person: "publisher",
      paths: async (page) => {
        await page.goto("/publisher");
        const href = (await page.getByRole("list", { name: "Extensions" }).getByRole("link").first().getAttribute("href")) ?? "";
        return ["/publisher", "/publisher/tokens", href, `${href}/credentials`, `${href}/credentials/audit`];
      },
    },
    {
      person: "enduser",
      paths: async (page) => {
        await page.goto("/panel");
        const setup = (await page.getByRole("link", { name: "My Calendar setup" }).getAttribute("href")) ?? "";
        const secrets = (await page.getByRole("link", { name: "My Calendar secrets" }).getAttribute("href")) ?? "";
        return ["/panel", setup, secrets, "/panel/connections", "/panel/activity", "/panel/notifications"];
      },
    },
    { person: "admin", paths: async () => ["/admin", "/admin/audit"] },
  ];

  for (const { person, paths } of areas) {
    test.describe(person ?? "signed out", () => {
      if (person) test.use({ storageState: storageStateFor(person) });
      else test.use({ storageState: { cookies: [], origins: [] } });

      test("main pages load with nothing refused", async ({ page }) => {
        const list = await paths(page);
        expect(list.every((p) => p.startsWith("/"))).toBe(true);
        expect(await visit(page, list)).toEqual([]);
      });
    });
  }
});

// Rate limits (429 with Retry-After after the limit) are tested below by their own describe block.

test.describe("rate limits", () => {
  // Each test is its own client address: the e2e server trusts one proxy hop (playwright.config.ts), and
  // Next fills X-Forwarded-For with the socket address only for requests that send none.
  test("bad runtime tokens from one address get 401 up to the limit, then 429 with Retry-After", async ({ request }) => {
    const from = (address: string, token: string) => ({ "x-forwarded-for": address, authorization: `Bearer ${token}` });
    for (let i = 0; i < 30; i++) {
      const response = await request.get("/api/v1/readiness", { headers: from("203.0.113.201", `forged.token.${i}`) });
      expect(response.status(), `attempt ${i + 1}`).toBe(401);
    }
    const refused = await request.get("/api/v1/readiness", { headers: from("203.0.113.201", "forged.token.31") });
    expect(refused.status()).toBe(429);
    expectStaticHeaders(refused);
    const retryAfter = Number(refused.headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(refused.headers()["ratelimit-policy"]).toBe('"token-failures";q=30;w=300');
    expect(refused.headers()["ratelimit"]).toBe(`"token-failures";r=0;t=${retryAfter}`);
    const body = (await refused.json()) as { error: { code: string; message: string; request_id: string; retry_after_seconds: number } };
    expect(body.error).toMatchObject({
      code: "rate_limited",
      retry_after_seconds: retryAfter,
      request_id: refused.headers()["x-request-id"],
    });
    expect(body.error.message).toContain("Too many failed authentications from your address");
    // Another address is still answered on its merits.
    expect((await request.get("/api/v1/readiness", { headers: from("203.0.113.202", "forged") })).status()).toBe(401);
  });

  test("demo sign-ins from one address get 429 after 20 a minute, and the sign-in page says how long to wait", async ({
    page,
    request,
  }) => {
    const attempt = () =>
      request.post("/api/auth/callback/demo", {
        headers: { "x-forwarded-for": "203.0.113.203" },
        form: { person: "nobody", csrfToken: "x", callbackUrl: "/panel", json: "true" },
        maxRedirects: 0,
      });
    for (let i = 0; i < 20; i++) expect((await attempt()).status(), `attempt ${i + 1}`).not.toBe(429);
    const refused = await attempt();
    expect(refused.status()).toBe(429);
    expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
    const { url } = (await refused.json()) as { url: string };
    await page.goto(url);
    await expect(page.getByText(/^Too many sign-in attempts from your address\. Try again in \d+ seconds?\.$/)).toBeVisible();
  });
});
