import { createHash } from "node:crypto";
import fs from "node:fs";
import { expect, test, type Browser } from "@playwright/test";
import { storageStateFor, type Person } from "./people";

// The audit trail end to end: a publisher's credential change appears in its extension's audit tab and
// in the admin viewer, each row "Verified" in the browser against the signed checkpoint; exports,
// the public key and public verify endpoint work; other people see none of it.

const RUN = Math.random().toString(36).slice(2, 10);
const CLIENT_ID = `e2e-audit-client-${RUN}`;
/** The spec's Zoom example under an id of this run's own (the demo data holds the original). */
const OWN_MANIFEST = fs
  .readFileSync("lib/manifest/fixtures/zoom-partner-credentials.yaml", "utf8")
  .replace("id: dev.mycompany.zoom-integration", `id: dev.e2eaudit${RUN}.zoom-integration`);

/** RFC 8785 for the entry's value types (strings, integers, null, objects): sorted keys, no spaces. */
function jcs(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(",")}}`;
}

async function contextFor(browser: Browser, person: Person) {
  return browser.newContext({ storageState: storageStateFor(person) });
}

test.describe.serial("audit trail", () => {
  let extensionUrl = "";

  test("a publisher's credential save shows in the extension's audit tab, verified", async ({ browser }) => {
    const context = await contextFor(browser, "publisher");
    const page = await context.newPage();
    // An extension of this spec's own (the Zoom example under a fresh id), so no other spec's writes mix in.
    await page.goto("/publisher");
    await page.getByLabel("Manifest (YAML)").fill(OWN_MANIFEST);
    await page.getByRole("button", { name: "Create extension" }).click();
    await expect(page).toHaveURL(/\/publisher\/extensions\/[0-9a-f-]{36}\?uploaded=1$/);
    extensionUrl = new URL(page.url()).pathname;
    await page.goto(`${extensionUrl}/credentials`);
    const row = page.getByRole("list", { name: "Partner credentials" }).getByRole("listitem").filter({ hasText: "Zoom OAuth Client ID" });
    await row.getByLabel("Zoom OAuth Client ID", { exact: true }).fill(CLIENT_ID);
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row.getByRole("status")).toHaveText("Saved Zoom OAuth Client ID.");

    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    const events = page.getByTestId("audit-event");
    await expect(events.first()).toContainText("secret.set");
    await expect(events.first()).toContainText("Pat Publisher");
    await expect(events.first()).toContainText("ext.zoom_client_id");
    // Sequenced, checkpointed and proven in this browser within a few seconds.
    await expect(events.first().getByText("Verified")).toBeVisible({ timeout: 20_000 });
    expect(await page.content()).not.toContain(CLIENT_ID);
    await context.close();
  });

  test("the admin viewer filters, verifies, exports, and lists anchored checkpoints", async ({ browser }) => {
    const context = await contextFor(browser, "admin");
    const page = await context.newPage();
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    await page.getByLabel("Action").fill("secret.set");
    await page.getByLabel("Outcome").selectOption("success");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const events = page.getByTestId("audit-event");
    await expect(events.first()).toContainText("secret.set");
    await expect(events.first().getByText("Verified")).toBeVisible({ timeout: 20_000 });
    await events
      .first()
      .getByRole("button", { name: /Details/ })
      .click();
    await expect(page.getByText(/file: confirmed/).first()).toBeVisible();
    await expect(page.getByRole("list", { name: "Checkpoints" })).toContainText("file: confirmed");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = fs.readFileSync((await download.path()) ?? "", "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^id,occurred_at,actor_kind,actor_id,actor_name,action/);
    expect(csv).toContain("secret.set");
    expect(csv).not.toContain(CLIENT_ID);

    // The public endpoints: anyone can fetch the key and prove an entry's inclusion by its hash.
    const page1 = await page.request.get("/api/v1/audit/events?action=secret.set");
    const body = (await page1.json()) as { rows: { entry: unknown; leaf_index: number }[] };
    const row = body.rows[0];
    expect(row).toBeTruthy();
    const leafHash = createHash("sha256")
      .update(Buffer.concat([Buffer.of(0), Buffer.from(jcs(row?.entry), "utf8")]))
      .digest("hex");
    const anonymous = await browser.newContext();
    const key = await (await anonymous.request.get("/api/v1/audit/public-key")).json();
    expect(key).toMatchObject({
      algorithm: "Ed25519",
      verifier_key: expect.stringMatching(new RegExp(`^localhost:${process.env.E2E_PORT ?? "3210"}/audit\\+[0-9a-f]{8}\\+`)),
    });
    // Other specs write events in parallel: the newest one may be sequenced but not yet in a checkpoint.
    await expect
      .poll(async () => (await anonymous.request.post("/api/v1/audit/verify", { data: { content_hash: leafHash } })).json(), {
        timeout: 20_000,
      })
      .toMatchObject({
        verified: true,
        leaf_index: row?.leaf_index,
        anchor: { sink: "file", status: "confirmed" },
      });
    const unknown = await anonymous.request.post("/api/v1/audit/verify", { data: { content_hash: "0".repeat(64) } });
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
    // Everything else is for admins.
    expect((await anonymous.request.get("/api/v1/audit/checkpoints")).status()).toBe(401);
    expect((await anonymous.request.get("/api/v1/audit/events")).status()).toBe(401);
    await anonymous.close();
    await context.close();
  });

  test("end users see only their own activity and none of the publisher's or admin's data", async ({ browser }) => {
    const context = await contextFor(browser, "enduser");
    const page = await context.newPage();
    expect((await page.request.get("/api/v1/audit/events")).status()).toBe(403);
    expect((await page.request.get("/api/v1/audit/checkpoints")).status()).toBe(403);
    expect((await page.request.get("/api/v1/audit/proof?leaf_index=0")).status()).toBe(403);
    const extensionId = extensionUrl.split("/").pop() ?? "";
    const other = await page.request.get(`/api/v1/audit/extensions/${extensionId}/events`);
    expect(other.status()).toBe(404);
    expect((await page.goto(`${extensionUrl}/credentials/audit`))?.status()).toBe(403);
    await page.goto("/panel/activity");
    await expect(page.getByRole("heading", { name: "Your activity" })).toBeVisible();
    // Only Eve's own actions (other specs may have given her some): never the publisher's or the admin's.
    await expect(page.getByText("ext.zoom_client_id")).toHaveCount(0);
    await expect(page.getByText("Pat Publisher")).toHaveCount(0);
    await expect(page.getByText("Ada Admin")).toHaveCount(0);
    await context.close();
  });

  test("the viewer works on a narrow screen", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, storageState: storageStateFor("admin") });
    const page = await context.newPage();
    await page.goto("/admin/audit");
    // The table scrolls inside its own box (screen-reader-only labels included); the page does not.
    await expect(page.getByTestId("audit-event").first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
