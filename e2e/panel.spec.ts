import { expect, test } from "@playwright/test";
import { storageStateFor } from "./people";

test.describe.configure({ mode: "serial" });

test("an org owner installs a published extension from the catalogue and opens its setup", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("enduser2") });
  const page = await context.newPage();
  await page.goto("/panel");
  const catalogue = page.getByRole("list", { name: "Catalogue" });
  await expect(catalogue.getByText("Spotify", { exact: true })).toBeVisible();
  // (That drafts are never offered is checked in installations.db.test.ts: publisher.spec may publish a
  // Zoom of its own in parallel, so the name alone proves nothing here.)
  await page.getByRole("button", { name: "Install Spotify" }).click();
  // Installing opens the new installation's setup wizard, or, for Spotify whose manifest has no setup
  // steps, its Secrets page: never an empty wizard (the steps themselves are in setup-wizard.db.test.ts).
  await expect(page.getByRole("status")).toHaveText("Installed Spotify in Initech.");
  await expect(page.getByRole("heading", { name: "Spotify · Secrets" })).toBeVisible();
  await page.getByRole("link", { name: "← Initech" }).click();
  const installed = page.getByRole("list", { name: "Installed extensions" });
  await expect(installed.getByText("Spotify", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Install Spotify" })).toHaveCount(0);
  // No "Setup" leading to "This extension has no setup steps"; its secrets are one click away.
  await expect(installed.getByRole("link", { name: "Spotify setup" })).toHaveCount(0);
  await expect(installed.getByRole("link", { name: "Spotify secrets" })).toBeVisible();
  await context.close();
});

test("an org member sees the catalogue but no Install button", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("member") });
  const page = await context.newPage();
  await page.goto("/panel");
  await expect(page.getByRole("heading", { name: "Catalogue" })).toBeVisible();
  await expect(page.getByText("Ask an owner or admin to install one.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Install/ })).toHaveCount(0);
  await context.close();
});

// A manifest with every kind of setup step, published by the demo publisher so an end user can install it.
const weatherManifest = `model_version: "1.0"
extension:
  id: dev.e2e.weather
  name: Weather Wizard
  version: 1.0.0
  description: Forecasts for your workspace.
secrets:
  - name: weather_api_key
    description: Your weather API key.
    required: true
    max_bytes: 64
    scope: user
setup:
  - secrets:
      title: API key
      collect: [weather_api_key]
  - configure:
      title: Preferences
      fields:
        - key: region
          label: Region
          type: select
          options: [eu, us]
          required: true
  - test:
      endpoint: /health
  - info:
      markdown: |
        You are **done**. Read the [docs](https://example.com/docs).

        <script>alert(1)</script>
`;

test("an end user walks a published extension's setup wizard step by step", async ({ browser }) => {
  const pat = await browser.newContext({ storageState: storageStateFor("publisher") });
  const publisher = await pat.newPage();
  await publisher.goto("/publisher");
  await publisher.getByLabel("Manifest (YAML)").fill(weatherManifest);
  await publisher.getByRole("button", { name: "Create extension" }).click();
  await publisher.getByRole("button", { name: "Publish 1.0.0" }).click();
  await expect(publisher.getByRole("status").filter({ hasText: "Published Weather Wizard 1.0.0" })).toBeVisible();
  await pat.close();

  const context = await browser.newContext({ storageState: storageStateFor("enduser2") });
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on("response", async (r) => {
    try {
      bodies.push(await r.text());
    } catch {
      // Redirects have no body.
    }
  });
  await page.goto("/panel");
  await page.getByRole("button", { name: "Install Weather Wizard" }).click();
  await expect(page.getByText("Step 1 of 4")).toBeVisible();
  await expect(page.getByRole("button", { name: "Skip" })).toHaveCount(0);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter Weather API key." })).toBeVisible();
  await expect(page.getByText("Step 1 of 4")).toBeVisible();
  const key = page.getByLabel(/Weather API key/);
  await expect(key).toHaveAttribute("type", "password");
  const value = `wk-e2e-${Date.now()}`;
  await key.fill(value);
  await page.getByRole("button", { name: "Next" }).click();

  await expect(page.getByText("Step 2 of 4")).toBeVisible();
  await page.getByLabel(/Region/).selectOption("eu");
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByText("Step 1 of 4")).toBeVisible();
  // The stored secret is kept when its field is left blank.
  await expect(page.getByLabel(/Weather API key/)).toHaveAttribute("placeholder", "Set · leave blank to keep");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Step 2 of 4")).toBeVisible();
  await page.getByLabel(/Region/).selectOption("us");
  await page.getByRole("button", { name: "Next" }).click();

  await expect(page.getByText("Step 3 of 4")).toBeVisible();
  // The test step calls the extension's check endpoint; this manifest gives no base_url to call.
  await page.getByRole("button", { name: "Run the check" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not declare extension.base_url" })).toBeVisible();
  await page.getByRole("button", { name: "Skip" }).click();

  await expect(page.getByText("Step 4 of 4")).toBeVisible();
  await expect(page.getByText("done", { exact: true })).toHaveJSProperty("tagName", "STRONG");
  await expect(page.getByRole("link", { name: "docs" })).toHaveAttribute("href", "https://example.com/docs");
  await expect(page.getByText("<script>alert(1)</script>")).toBeVisible();
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page.getByText("Setup is complete.")).toBeVisible();
  expect(bodies.some((b) => b.includes(value))).toBe(false);
  await context.close();
});
