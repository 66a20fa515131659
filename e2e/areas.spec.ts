import { expect, test } from "@playwright/test";
import { storageStateFor } from "./people";

test.describe("publisher", () => {
  test.use({ storageState: storageStateFor("publisher") });

  test("sees the publisher's extensions and is refused the admin area and the panel", async ({ page }) => {
    await page.goto("/publisher");
    await expect(page.getByRole("heading", { name: "Publisher Dashboard" })).toBeVisible();
    const list = page.getByRole("list", { name: "Extensions" });
    await expect(list).toContainText("Zoom Integration");
    await expect(list).toContainText("Spotify");

    const admin = await page.goto("/admin");
    expect(admin?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this area" })).toBeVisible();

    const panel = await page.goto("/panel");
    expect(panel?.status()).toBe(403);
  });
});

test.describe("end users", () => {
  test("each sees their own organization only", async ({ browser }) => {
    const eve = await browser.newContext({ storageState: storageStateFor("enduser") });
    const evePage = await eve.newPage();
    await evePage.goto("/panel");
    await expect(evePage.getByRole("heading", { name: "Globex" })).toBeVisible();
    await expect(evePage.getByRole("list", { name: "Installed extensions" })).toContainText("Spotify");

    const uma = await browser.newContext({ storageState: storageStateFor("enduser2") });
    const umaPage = await uma.newPage();
    await umaPage.goto("/panel");
    await expect(umaPage.getByRole("heading", { name: "Initech" })).toBeVisible();
    // Globex's installations never show in Initech (panel.spec may install other things here in parallel).
    await expect(umaPage.getByRole("list", { name: "Installed extensions" }).getByText("My Calendar")).toHaveCount(0);
    // Asking for another organization by name does not reveal it.
    const other = await umaPage.goto("/panel?org=globex");
    expect(other?.status()).toBe(403);
    await eve.close();
    await uma.close();
  });

  test("is refused the publisher and admin areas", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor("enduser") });
    const page = await context.newPage();
    expect((await page.goto("/publisher"))?.status()).toBe(403);
    expect((await page.goto("/admin"))?.status()).toBe(403);
    await context.close();
  });
});

test.describe("admin", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("sees the platform overview", async ({ page }) => {
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Platform admin" })).toBeVisible();
    await expect(page.getByText("Extensions", { exact: true })).toBeVisible();
  });
});

test.describe("signed out", () => {
  test("areas send you to sign in, and you come back after", async ({ page }) => {
    await page.goto("/publisher");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fpublisher/);
    await page.getByRole("button", { name: "Sign in as Pat Publisher" }).click();
    await expect(page).toHaveURL(/\/publisher$/);
  });

  test("a forged session cookie reads as signed out, not a server error", async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: "next-auth.session-token", value: "forged.value.here", url: baseURL ?? "" }]);
    const response = await page.goto("/admin");
    expect(response?.status()).toBeLessThan(500);
    await expect(page).toHaveURL(/\/signin/);
  });

  test("an unknown route is a real 404 page", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  });

  test("works on a narrow screen", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, storageState: storageStateFor("enduser") });
    const page = await context.newPage();
    await page.goto("/panel");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByRole("navigation", { name: "Areas" })).toBeVisible();
    await context.close();
  });
});
