// OAuth connections through the browser, against the real OpenID Connect provider e2e/serve.mjs starts
// (node-oidc-provider, refresh-token rotation on, hour-long access tokens). Dana, a developer, connects
// My Service for My Calendar in her sandbox organization (data no other spec touches) with consent at the
// provider, mints a test runtime token, and the extension's token requests drive refreshes the provider
// counts: 20 concurrent requests refresh once, a provider 500 does not expire the connection, a revoked
// grant does (with a notification), and Disconnect reaches the provider's revocation endpoint.
//
// No step waits for a token to age: the provider's expire-tokens switch makes its next answers for this
// spec's provider account say `expires_in: 0`, so Latchkey's next use of that token refreshes it.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { storageStateFor } from "./people";

const control = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? "3210") + 1}/__control`;

/** The login this spec signs in to the provider with; the expire-tokens switch is keyed by it. */
const PROVIDER_LOGIN = "oauth-spec@example.test";

interface ProviderStats {
  authorizationCode: number;
  refreshToken: number;
  revocations: number;
  refreshTokenReuse: number;
}

async function providerStats(request: APIRequestContext): Promise<ProviderStats> {
  return (await (await request.get(`${control}/stats`)).json()) as ProviderStats;
}

/** Tells the provider that its next `count` token answers for this spec's account carry an expired token. */
async function expireNextTokens(request: APIRequestContext, count: number) {
  const response = await request.post(`${control}/expire-tokens?${new URLSearchParams({ account: PROVIDER_LOGIN, count: String(count) })}`);
  expect(response.status()).toBe(204);
}

/** Walks the provider's sign-in and consent pages (whichever it shows) until it sends the browser back. */
async function consentAtProvider(page: Page) {
  const providerOrigin = new URL(control).origin;
  for (let step = 0; step < 4 && page.url().startsWith(providerOrigin); step++) {
    const login = page.locator('input[name="login"]');
    if (await login.isVisible()) {
      await login.fill(PROVIDER_LOGIN);
      await page.locator('input[name="password"]').fill("any password");
      await page.getByRole("button", { name: "Sign in" }).click();
    } else {
      await page.getByRole("button", { name: "Continue" }).click();
    }
    await page.waitForLoadState();
  }
  await expect(page).toHaveURL(/\/panel\//);
}

/** The bell's count, read from its accessible name "Notifications (N unread)". */
async function unreadCount(page: Page): Promise<number> {
  const label = (await page.getByRole("link", { name: /^Notifications \(\d+ unread\)$/ }).getAttribute("aria-label")) ?? "";
  return Number(/\((\d+) unread\)/.exec(label)?.[1] ?? NaN);
}

test.use({ storageState: storageStateFor("developer") });

test("connect, refresh once under load, survive a 500, expire on a revoked grant, and disconnect", async ({ page, request }) => {
  test.setTimeout(120_000);
  // 1. From the consumer's setup page to the provider's consent screen and back; the provider's answer
  //    says the access token has already expired.
  await page.goto("/panel");
  await page.getByRole("link", { name: "My Calendar setup" }).click();
  await page.waitForURL(/\/panel\/extensions\/[0-9a-f-]{36}\/setup/);
  const installationId = /\/panel\/extensions\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? "";
  await expect(page.getByRole("heading", { level: 2, name: /^Connect My Service/ })).toBeVisible();
  await page.getByRole("link", { name: "Connect My Service" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Connect My Service for My Calendar");
  const connectLink = page.getByRole("link", { name: "Connect My Service" });
  // The authorize link, to connect again later (a fresh grant whose tokens the provider can mark expired).
  const authorize = (await connectLink.getAttribute("href")) ?? "";
  expect(authorize).toMatch(/\/api\/oauth\/my-provider\/authorize\?/);
  await expireNextTokens(request, 1);
  await connectLink.click();
  await consentAtProvider(page);
  // Back on the setup page the flow started from, not on Connections.
  await expect(page).toHaveURL(new RegExp(`/panel/extensions/${installationId}/setup\\?oauth=connected`));
  await expect(page.getByText("Connected My Service.")).toBeVisible();
  await page.goto("/panel/connections");
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "My Service" }) });
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(card.getByText("demo.user@example.test")).toBeVisible();
  await expect(card.getByRole("list", { name: "My Service scopes" })).toContainText("calendar.read");

  // 2. A test runtime token for the installation, as the extension would hold one.
  await page.goto(`/panel/extensions/${installationId}/settings/secrets`);
  await page.getByRole("button", { name: "Test token" }).click();
  const runtimeToken = await page.locator("#test-token").inputValue();
  expect(runtimeToken.split(".")).toHaveLength(3);
  const tokenRequest = () =>
    request.post("/api/v1/oauth/token", {
      headers: { authorization: `Bearer ${runtimeToken}` },
      data: { provider: "my-oauth", scopes: ["calendar.read"] },
    });
  /** Connects again through the authorize link; the provider's answer carries an already expired token. */
  const connectAgainExpired = async () => {
    await expireNextTokens(request, 1);
    await page.goto(authorize);
    await consentAtProvider(page);
    await expect(page.getByText("Connected My Service.")).toBeVisible();
  };

  // 3. The stored token has expired: 20 concurrent token requests make exactly one refresh at the provider.
  await request.post(`${control}/reset`);
  const burst = await Promise.all(Array.from({ length: 20 }, tokenRequest));
  expect(burst.map((r) => r.status())).toEqual(Array(20).fill(200));
  const bodies = (await Promise.all(burst.map((r) => r.json()))) as { access_token: string; expires_at: string; scope: string }[];
  expect(new Set(bodies.map((b) => b.access_token)).size).toBe(1);
  expect(await providerStats(request)).toMatchObject({ refreshToken: 1, refreshTokenReuse: 0 });
  const issued = bodies[0] as { access_token: string; expires_at: string; scope: string };
  expect(issued.scope).toContain("calendar.read");
  expect(issued).not.toHaveProperty("refresh_token");
  expect(Date.parse(issued.expires_at)).toBeGreaterThan(Date.now() + 30 * 60_000);
  // The refreshed token has its hour ahead of it: the next request is served without another refresh.
  const again = await tokenRequest();
  expect(((await again.json()) as { access_token: string }).access_token).toBe(issued.access_token);
  expect((await providerStats(request)).refreshToken).toBe(1);
  // The token lives in the vault only: no page the browser receives carries it.
  await page.goto("/panel/connections");
  expect(await page.content()).not.toContain(issued.access_token);

  // 4. A provider 500 at refresh time, with the stored token expired: the extension is told to retry
  //    later, the connection stays active and says why, and no notification is raised. (That a token
  //    still within its life is served meanwhile is lib/oauth/oauth.db.test.ts's, on an injected clock.)
  await connectAgainExpired();
  await page.goto("/panel/connections");
  const unreadBefore = await unreadCount(page);
  await request.post(`${control}/reset`);
  await request.post(`${control}/fail?count=1&status=500`);
  const during500 = await tokenRequest();
  expect(during500.status()).toBe(503);
  expect(await during500.json()).toMatchObject({ error: { code: "oauth_provider_unavailable" } });
  expect(await providerStats(request)).toMatchObject({ refreshToken: 1 });
  await page.goto("/panel/connections");
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(card.getByText(/unavailable|500/)).toBeVisible();
  expect(await unreadCount(page)).toBe(unreadBefore);

  // 5. The grant revoked at the provider: the next refresh gets invalid_grant and the connection expires.
  //    (Connecting again clears the 500's backoff, so the refresh is tried at once.)
  await connectAgainExpired();
  await request.post(`${control}/revoke-grants`);
  const afterRevoke = await tokenRequest();
  expect(afterRevoke.status()).toBe(409);
  expect(await afterRevoke.json()).toMatchObject({ error: { code: "needs_reauthorization", reason: "connection_expired" } });
  await page.goto("/panel/connections");
  await expect(card.getByText("Expired", { exact: true })).toBeVisible();
  expect(await unreadCount(page)).toBe(unreadBefore + 1);
  await page.getByRole("link", { name: /^Notifications \(\d+ unread\)$/ }).click();
  await expect(page.getByText(/My Service connection expired/)).toBeVisible();

  // 6. Reconnect, then Disconnect: the provider's revocation endpoint is called and the tokens are gone.
  await page.goto("/panel/connections");
  await card.getByRole("link", { name: "Reconnect My Service" }).click();
  await consentAtProvider(page);
  await page.goto("/panel/connections");
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  expect((await tokenRequest()).status()).toBe(200);
  await request.post(`${control}/reset`);
  await card.getByText("Disconnect…").click();
  await card.getByRole("button", { name: "Disconnect My Service" }).click();
  await expect(card.getByText("Revoked", { exact: true })).toBeVisible();
  expect((await providerStats(request)).revocations).toBeGreaterThanOrEqual(1);
  const afterDisconnect = await tokenRequest();
  expect(afterDisconnect.status()).toBe(409);
});

test("a failed flow lands on a page that says what happened and offers to retry", async ({ page }) => {
  const response = await page.goto("/api/oauth/my-provider/callback?code=forged&state=forged");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/panel\/connections\/error\?/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("no longer valid");
  await expect(page.getByText("Nothing was stored.")).toBeVisible();
  // A crafted error link cannot put its own words or link on the page: only what the callback signed shows.
  await page.goto("/panel/connections/error?code=access_denied&message=Call%20%2B1%20555%200100&retry=/api/oauth/x/authorize");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("The connection failed");
  await expect(page.getByText("Call +1 555 0100")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Try again" })).toHaveCount(0);
  await page.goto("/api/oauth/my-provider/authorize?installation=00000000-0000-0000-0000-000000000000&return_to=https://evil.example");
  await expect(page).toHaveURL(/\/panel\/connections\/error\?/);
  await expect(page.getByText(/return_to must be a path on this site/)).toBeVisible();
});

test("the connection pages work on a narrow screen and by keyboard", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, storageState: storageStateFor("enduser") });
  const page = await context.newPage();
  await page.goto("/panel");
  const calendar = await page.getByRole("link", { name: "My Calendar setup" }).getAttribute("href");
  const installationId = /\/panel\/extensions\/([0-9a-f-]{36})\//.exec(calendar ?? "")?.[1] ?? "";
  for (const path of [
    "/panel/connections",
    "/panel/notifications",
    `/panel/connections/connect?provider=my-oauth&installation=${installationId}&scopes=calendar.read`,
    `/panel/extensions/${installationId}/setup`,
  ]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  // From the connect page, Tab reaches the Connect link (a real link, focusable, with a visible name).
  await page.goto(`/panel/connections/connect?provider=my-oauth&installation=${installationId}`);
  const connect = page.getByRole("link", { name: /^(Connect My Service|Grant access at My Service)$/ });
  for (let i = 0; i < 20 && !(await connect.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(connect).toBeFocused();
  await context.close();
});
