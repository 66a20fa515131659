import { expect, test, type Page } from "@playwright/test";
import { reachablePages } from "./pages";
import { people, storageStateFor, type Person } from "./people";

// What stopped a newcomer (issue 15): pages linked from nowhere, focus lost after a save, "Setup" for
// extensions without setup steps, and deletes that said nothing. Each person clicks through as they would.

const expectedPages: Partial<Record<Person, string[]>> = {
  publisher: [
    "/publisher",
    "/publisher/tokens",
    "/publisher/extensions/:id",
    "/publisher/extensions/:id/credentials",
    "/publisher/extensions/:id/credentials/audit",
  ],
  enduser: [
    "/panel",
    "/panel/connections",
    "/panel/activity",
    "/panel/notifications",
    "/panel/extensions/:id/setup",
    "/panel/extensions/:id/settings/secrets",
  ],
  admin: ["/admin", "/admin/audit", "/admin/connections", "/admin/keys", "/admin/directory"],
};

for (const [person, pages] of Object.entries(expectedPages) as [Person, string[]][]) {
  test(`every page of ${people[person].name}'s areas is reachable from navigation`, async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor(person) });
    const reachable = await reachablePages(context.request, people[person].home);
    for (const page of pages) expect([...reachable.keys()], page).toContain(page);
    await context.close();
  });
}

test("every counter on the admin overview opens a list", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("admin") });
  const page = await context.newPage();
  await page.goto("/admin");
  const counters = page.getByRole("list", { name: "Platform counts" }).getByRole("listitem");
  await expect(counters).toHaveCount(6);
  for (const counter of await counters.all()) {
    await expect(counter.getByRole("link")).toHaveAttribute("href", /^\/admin\/(directory|keys|connections)/);
  }
  // The audit activity chart, and each section's link to its list.
  await expect(page.getByText(/\d+ events? in 30 days/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Open the audit log" })).toHaveAttribute("href", "/admin/audit");
  await expect(page.getByRole("link", { name: "All connections" })).toHaveAttribute("href", "/admin/connections");
  await expect(page.getByRole("link", { name: "Keys and data keys" })).toHaveAttribute("href", "/admin/keys");
  await expect(page.getByRole("link", { name: "Checkpoints" })).toHaveAttribute("href", "/admin/audit#checkpoints");
  await page.getByRole("link", { name: /^People/ }).click();
  await expect(page.getByRole("heading", { name: /^People \(\d+\)$/ })).toBeVisible();
  await context.close();
});

test("extensions without setup steps offer no Setup", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("enduser") });
  const page = await context.newPage();
  await page.goto("/panel");
  const installed = page.getByRole("list", { name: "Installed extensions" });
  // Spotify declares secrets but no setup steps; My Calendar asks for a connection on its setup page.
  await expect(installed.getByRole("link", { name: "Spotify secrets" })).toBeVisible();
  await expect(installed.getByRole("link", { name: "Spotify setup" })).toHaveCount(0);
  await expect(installed.getByRole("link", { name: "My Calendar setup" })).toBeVisible();
  await context.close();
});

/** Tab once more and say where focus went: inside `within`, or the skip link / body. */
async function nextTabStaysNear(page: Page, within: ReturnType<Page["getByRole"]>) {
  await page.keyboard.press("Tab");
  const inside = await within.evaluate((el) => el.contains(document.activeElement));
  const name = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
  return { inside, name };
}

test("after saving or deleting a secret by keyboard, focus is on the result and Tab continues from there", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateFor("enduser") });
  const page = await context.newPage();
  await page.goto("/panel");
  await page.getByRole("link", { name: "Spotify secrets" }).click();
  const row = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Stripe webhook signing secret", exact: true }) });
  // Retry-safe: a first attempt may have left a value.
  const summary = row.getByText(/^(Set value|Rotate)$/);
  await summary.focus();
  await page.keyboard.press("Enter");
  await row.getByLabel(/Value for Stripe webhook signing secret$/).fill(`whsec_e2e_${Date.now()}`);
  await page.keyboard.press("Enter");
  const saved = row.getByRole("status");
  await expect(saved).toHaveText(
    /^(Saved Stripe webhook signing secret\.|Rotated Stripe webhook signing secret\. The old value is replaced\.)$/,
  );
  await expect(saved).toBeFocused();
  const afterSave = await nextTabStaysNear(page, row);
  expect(afterSave.name).not.toBe("Skip to content");
  expect(afterSave.inside).toBe(true);

  await row.getByText("Delete…").focus();
  await page.keyboard.press("Enter");
  await row.getByRole("button", { name: "Delete Stripe webhook signing secret" }).press("Enter");
  const deleted = row.getByRole("status");
  await expect(deleted).toHaveText("Deleted Stripe webhook signing secret. Its stored value is destroyed.");
  await expect(deleted).toBeFocused();
  await expect(row.getByText("Not set", { exact: true })).toBeVisible();
  await context.close();
});

const manifest = (id: string) => `model_version: "1.0"
extension:
  id: ${id}
  name: Focus Check
  version: 1.0.0
credentials:
  ext:
    - key: api_key
      label: Partner API key
      required: true
    - key: region_hint
      label: Region hint
      secret: false
`;

test("a publisher saves and deletes a credential by keyboard, is told what happened, and optional unset is neutral", async ({
  browser,
}) => {
  const context = await browser.newContext({ storageState: storageStateFor("publisher") });
  const page = await context.newPage();
  await page.goto("/publisher");
  await page.getByLabel("Manifest (YAML)").fill(manifest(`dev.e2efocus${Math.random().toString(36).slice(2, 8)}.check`));
  await page.getByRole("button", { name: "Create extension" }).click();
  await expect(page).toHaveURL(/\/publisher\/extensions\/[0-9a-f-]{36}\?uploaded=1$/);
  // Publishing is refused with the guide's sentence, and a link beside it goes where it says.
  await page.getByRole("button", { name: "Publish 1.0.0" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Missing required partner credentials" });
  await expect(refusal).toHaveText("Missing required partner credentials: Partner API key.\nConfigure them in the Publisher Dashboard.");
  await expect(refusal).toBeFocused();
  await page.getByRole("link", { name: "Go to Manage Credentials" }).click();
  await expect(page.getByRole("heading", { name: "Manage Credentials" })).toBeVisible();

  const rows = page.getByRole("list", { name: "Partner credentials" }).getByRole("listitem");
  const required = rows.filter({ hasText: "Partner API key" });
  const optional = rows.filter({ hasText: "Region hint" });
  await expect(required.getByText("Missing", { exact: true })).toBeVisible();
  await expect(optional.getByText("Not set", { exact: true })).toBeVisible();
  await expect(optional.getByText("Missing", { exact: true })).toHaveCount(0);

  await required.getByLabel("Partner API key", { exact: true }).fill("pk-e2e-focus");
  await page.keyboard.press("Enter");
  await expect(required.getByRole("status")).toHaveText("Saved Partner API key.");
  await expect(required.getByRole("status")).toBeFocused();
  const afterSave = await nextTabStaysNear(page, required);
  expect(afterSave.name).not.toBe("Skip to content");

  await required.getByText("Delete…").click();
  await required.getByRole("button", { name: "Delete Partner API key" }).click();
  await expect(required.getByRole("status").filter({ hasText: "Deleted" })).toHaveText("Deleted Partner API key.");
  await expect(required.getByText("Missing", { exact: true })).toBeVisible();
  await context.close();
});
