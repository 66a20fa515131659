import { expect, test, type Page } from "@playwright/test";
import { storageStateFor } from "./people";

// Every body the browser receives (HTML, RSC payloads, JSON), to prove a stored value never comes back.
function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", async (response) => {
    try {
      bodies.push(await response.text());
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  return bodies;
}

async function openSpotifySecrets(page: Page) {
  await page.goto("/panel");
  await page.getByRole("link", { name: "Spotify secrets" }).click();
  await expect(page.getByRole("heading", { name: "Spotify · Secrets" })).toBeVisible();
}

const row = (page: Page, name: string) => page.getByRole("listitem").filter({ has: page.getByRole("heading", { name, exact: true }) });

test.describe.configure({ mode: "serial" });

test("an end user sets, rotates and deletes the Spotify API key without ever seeing it again", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("enduser") });
  const page = await context.newPage();
  const bodies = recordResponses(page);
  const first = `sk-e2e-${Date.now()}-first`;
  const second = `sk-e2e-${Date.now()}-second`;

  await openSpotifySecrets(page);
  const key = row(page, "Spotify API key");
  // The manifest's words for it, and the key a developer needs in small type.
  await expect(key).toContainText("user.spotify_api_key");
  await expect(key).toContainText("Your Spotify API key — get it at developer.spotify.com");
  await expect(key.getByText("Not set", { exact: true })).toBeVisible();
  await expect(key.getByText("Required")).toBeVisible();
  await expect(key.getByText("Recommended rotation: every 90 days")).toBeVisible();
  await expect(row(page, "Spotify refresh token")).toContainText("the extension will write this after you authorize");

  await key.getByText("Set value").click();
  const field = key.getByLabel("Value for Spotify API key", { exact: true });
  await expect(field).toHaveAttribute("type", "password");
  await expect(field).toHaveAttribute("autocomplete", "new-password");
  await expect(field).toHaveAttribute("spellcheck", "false");
  await field.fill(first);
  await key.getByRole("button", { name: "Save", exact: true }).click();
  await expect(key.getByText("Set", { exact: true })).toBeVisible();
  await expect(key.getByLabel("Value for Spotify API key", { exact: true })).toHaveCount(0);

  // A value over max_bytes is refused with the limit, and the stored value stays.
  await key.getByText("Rotate").click();
  await key.getByLabel("New value for Spotify API key").fill("x".repeat(201));
  await key.getByRole("button", { name: "Save new value" }).click();
  await expect(key.getByRole("alert")).toContainText("limited to 200 bytes");
  await expect(key.getByText("Set", { exact: true })).toBeVisible();

  await key.getByLabel("New value for Spotify API key").fill(second);
  await key.getByRole("button", { name: "Save new value" }).click();
  await expect(key.getByText("Rotated Spotify API key. The old value is replaced.")).toBeVisible();

  await key.getByText("Delete…").click();
  await expect(
    key.getByText("Delete the stored Spotify API key? The extension can no longer read it, and this cannot be undone."),
  ).toBeVisible();
  await key.getByRole("button", { name: "Delete Spotify API key" }).click();
  await expect(key.getByText("Not set", { exact: true })).toBeVisible();
  // The row says what happened, not just flips.
  await expect(key.getByRole("status")).toHaveText("Deleted Spotify API key. Its stored value is destroyed.");

  await page.reload();
  const html = await page.content();
  for (const body of [...bodies, html]) {
    expect(body.includes(first) || body.includes(second)).toBe(false);
  }
  await context.close();
});

test("an org member who is not an admin cannot set an org secret", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("member") });
  const page = await context.newPage();
  await openSpotifySecrets(page);
  const org = row(page, "Stripe webhook signing secret");
  await expect(org).toContainText("Only organization owners and admins can change organization secrets.");
  await expect(org.getByText("Set value")).toHaveCount(0);
  await context.close();
});

test("an end user in another organization cannot see the installation", async ({ browser }) => {
  const eve = await browser.newContext({ storageState: storageStateFor("enduser") });
  const evePage = await eve.newPage();
  await openSpotifySecrets(evePage);
  const url = evePage.url();
  await eve.close();

  const uma = await browser.newContext({ storageState: storageStateFor("enduser2") });
  const umaPage = await uma.newPage();
  const response = await umaPage.goto(url);
  expect(response?.status()).toBe(404);
  await expect(umaPage.getByText("spotify_api_key")).toHaveCount(0);
  await uma.close();
});
