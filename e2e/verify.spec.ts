import { expect, test, type Browser, type Page } from "@playwright/test";
import { storageStateFor } from "./people";

// The public Verify page: an event exported from the audit log (a SIEM export line, and a row of the
// JSONL export) is confirmed in a signed-out browser, at its index of a signed checkpoint; the same event
// edited is rejected. Also the C2SP checkpoint and the export cursor, which the page and collectors use.

const TOKEN_NAME = `verify-e2e-${Math.random().toString(36).slice(2, 10)}`;

interface ExportLine {
  leaf_index: number;
  leaf_hash: string;
  entry: { action: string; target: string; details: Record<string, unknown> } | null;
}

/** Makes one audit event of our own: Pat creates a publisher API token with a name no other spec uses. */
async function createEvent(browser: Browser) {
  const context = await browser.newContext({ storageState: storageStateFor("publisher") });
  const page = await context.newPage();
  await page.goto("/publisher/tokens");
  await page.getByLabel("Token name").fill(TOKEN_NAME);
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByLabel("New API token", { exact: true })).toHaveValue(/^lk_pub_/);
  await context.close();
}

/** Our event as the SIEM export gives it, once it is sequenced (the admin reads the export signed in). */
async function exportedLine(browser: Browser): Promise<ExportLine> {
  const context = await browser.newContext({ storageState: storageStateFor("admin") });
  let found: ExportLine | undefined;
  await expect
    .poll(
      async () => {
        let after = -1;
        for (;;) {
          const response = await context.request.get(`/api/v1/audit/export?after=${after}&limit=1000`);
          expect(response.status()).toBe(200);
          expect(response.headers()["content-type"]).toContain("application/x-ndjson");
          const lines = (await response.text())
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as ExportLine);
          found = lines.find((l) => l.entry?.action === "api_token.create" && l.entry.details.name === TOKEN_NAME) ?? found;
          if (lines.length === 0) break;
          // Leaf indices are consecutive, and the cursor header says where to go on.
          expect(lines.map((l) => l.leaf_index)).toEqual(lines.map((_, i) => after + 1 + i));
          expect(response.headers()["x-latchkey-next-after"]).toBe(String(lines.at(-1)?.leaf_index));
          after = lines.at(-1)?.leaf_index ?? after;
        }
        return found !== undefined;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  await context.close();
  if (!found) throw new Error("event not exported");
  return found;
}

/** The page's verdict when it refuses (Next's route announcer is an alert too). */
const refusal = (page: Page) => page.getByRole("alert").filter({ hasText: /Not verified|Could not verify/ });

async function verifyOnPage(page: Page, text: string) {
  await page.goto("/verify");
  await expect(page.getByRole("heading", { name: "Verify an audit event" })).toBeVisible();
  await page.getByLabel("Exported event or leaf hash").fill(text);
  await page.getByRole("button", { name: "Verify" }).click();
}

test.describe.serial("the public Verify page", () => {
  let line: ExportLine;

  test.beforeAll(async ({ browser }) => {
    await createEvent(browser);
    line = await exportedLine(browser);
  });

  test("confirms an exported event, checked in a signed-out browser", async ({ browser }) => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    // Reached from the sign-in page, without signing in.
    await page.goto("/signin");
    await page.getByRole("link", { name: "Verify it" }).click();
    await expect(page).toHaveURL(/\/verify$/);

    // The event may be sequenced before the next checkpoint is signed: the page says so; then it verifies.
    await expect(async () => {
      await verifyOnPage(page, JSON.stringify(line));
      await expect(page.getByRole("status")).toContainText("Verified", { timeout: 5000 });
    }).toPass({ timeout: 20_000 });
    const status = page.getByRole("status");
    await expect(status).toContainText(`included at index ${line.leaf_index} of a checkpoint of size`);
    await expect(status).toContainText(`signed by the log's key (localhost:${process.env.E2E_PORT ?? "3210"}/audit, key id`);
    await expect(status).toContainText("file: confirmed");

    // Its leaf hash alone is proven too ("Included": the content was not given).
    await verifyOnPage(page, line.leaf_hash);
    await expect(page.getByRole("status")).toContainText(`Included`);
    await expect(page.getByRole("status")).toContainText(`index ${line.leaf_index}`);
    await anonymous.close();
  });

  test("rejects the same event edited", async ({ browser }) => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    const entry = line.entry;
    if (!entry) throw new Error("no entry");
    // The entry edited (and its stated hash dropped, as a forger would): its hash is in no leaf.
    await verifyOnPage(page, JSON.stringify({ leaf_index: line.leaf_index, entry: { ...entry, target: "publisher_token:someone-else" } }));
    await expect(refusal(page)).toContainText("Not verified");
    await expect(refusal(page)).toContainText("Not in this log");
    await expect(refusal(page)).toContainText("changed after it was exported");
    // The entry edited but its leaf hash kept: caught before asking the log.
    await verifyOnPage(page, JSON.stringify({ ...line, entry: { ...entry, details: { ...entry.details, name: "renamed" } } }));
    await expect(refusal(page)).toContainText("its entry hashes to");
    await anonymous.close();
  });

  test("confirms a row of the admin's JSONL export and rejects it with a shown field edited", async ({ browser }) => {
    const admin = await browser.newContext({ storageState: storageStateFor("admin") });
    const jsonl = await admin.request.get("/api/v1/audit/events?format=jsonl&action=api_token.create");
    const row = (await jsonl.text())
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { target: string; details: { name?: string }; leaf_index: number | null })
      .find((r) => r.details.name === TOKEN_NAME);
    expect(row?.leaf_index).toBe(line.leaf_index);
    await admin.close();

    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    await verifyOnPage(page, JSON.stringify(row));
    await expect(page.getByRole("status")).toContainText("Verified", { timeout: 10_000 });
    await verifyOnPage(page, JSON.stringify({ ...row, target: "publisher_token:forged" }));
    await expect(refusal(page)).toContainText('its target says "publisher_token:forged"');
    await anonymous.close();
  });

  test("serves the latest checkpoint in the C2SP format, and keeps the export for admins and collectors", async ({ browser }) => {
    const anonymous = await browser.newContext();
    const checkpoint = await anonymous.request.get("/api/v1/audit/checkpoint");
    expect(checkpoint.headers()["content-type"]).toContain("text/plain");
    const origin = `localhost:${process.env.E2E_PORT ?? "3210"}/audit`;
    // origin, tree size, base64 root; a blank line; "— <key name> <base64(key id ‖ signature)>".
    expect(await checkpoint.text()).toMatch(
      new RegExp(
        `^${origin.replace(/[.]/g, "\\.")}\\n[1-9][0-9]*\\n[A-Za-z0-9+/]{43}=\\n\\n\u2014 ${origin.replace(/[.]/g, "\\.")} [A-Za-z0-9+/]{91}=\\n$`,
      ),
    );
    const refused = await anonymous.request.get("/api/v1/audit/export");
    expect(refused.status()).toBe(401);
    const badToken = await anonymous.request.get("/api/v1/audit/export", { headers: { authorization: "Bearer not-the-token" } });
    expect(badToken.status()).toBe(401);
    expect(await badToken.json()).toMatchObject({
      error: { code: "unauthenticated", message: expect.stringContaining("LATCHKEY_AUDIT_EXPORT_TOKEN") },
    });
    await anonymous.close();
  });
});
