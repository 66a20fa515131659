import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { storageStateFor } from "./people";

// The Publisher Dashboard journey from the issue, in the browser and then through the CLI against the
// same running app: create the Zoom extension from the spec's manifest, be refused publishing with the
// guide's exact message, set both partner credentials, see them masked, publish, read the audit log.

const zoomManifest = fs.readFileSync("lib/manifest/fixtures/zoom-partner-credentials.yaml", "utf8");
const MISSING =
  "Missing required partner credentials: Zoom OAuth Client ID, Zoom OAuth Client Secret.\nConfigure them in the Publisher Dashboard.";
const CLIENT_ID = "e2e-zoom-client-id-Qm7T";
const CLIENT_SECRET = "e2e-zoom-client-secret-Zx81pLw";

/** The spec's manifest under a fresh extension id (the demo data already holds the original one). */
function uniqueManifest(tag: string) {
  const id = `dev.e2e${tag}.zoom-integration`;
  return { id, yaml: zoomManifest.replace("id: dev.mycompany.zoom-integration", `id: ${id}`) };
}

const tag = () => Math.random().toString(36).slice(2, 8);

/**
 * The extension's audit log (Credentials > Audit Log) lists one row per event: manifest.upload, two
 * secret.set, extension.publish, and `refusals` refused publishes (outcome failure). Refusals are written
 * by the batching recorder off the request path, so the page is reloaded until they are all listed.
 */
async function expectAuditEvents(page: Page, refusals: number) {
  const [link] = await page.getByRole("link", { name: "Audit log" }).all();
  expect(link).toBeTruthy();
  const href = (await link?.getAttribute("href")) ?? "";
  expect(href).toMatch(/\/publisher\/extensions\/[0-9a-f-]{36}\/credentials\/audit$/);
  const events = page.getByTestId("audit-event");
  await expect(async () => {
    const response = await page.goto(href);
    expect(response?.status()).toBe(200);
    await expect(events).toHaveCount(4 + refusals, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const refused = events.filter({ hasText: "extension.publish" }).filter({ hasText: /failure/i });
  await expect(refused).toHaveCount(refusals);
  const changes = events.filter({ hasNotText: /failure/i });
  // Newest first.
  await expect(changes.nth(0)).toContainText("extension.publish");
  await expect(changes.nth(1)).toContainText("secret.set");
  await expect(changes.nth(2)).toContainText("secret.set");
  await expect(changes.nth(3)).toContainText("manifest.upload");
}

test.describe("publisher", () => {
  test.use({ storageState: storageStateFor("publisher") });

  test("creates Zoom, is refused publishing, sets both credentials, sees them masked, publishes", async ({ page }) => {
    const { id, yaml } = uniqueManifest(tag());
    // Every response the browser receives (pages, server-action payloads) is checked for the values.
    const bodies: Promise<string>[] = [];
    page.on("response", (response) => bodies.push(response.text().catch(() => "")));
    await page.goto("/publisher");
    await page.getByLabel("Manifest (YAML)").fill(yaml.replace("client_id: ext.zoom_client_id", "client_id: ext.zoom_client_idd"));
    await page.getByRole("button", { name: "Create extension" }).click();
    // A broken manifest: the error is listed beside the editor with its line.
    const errors = page.getByRole("list", { name: "Manifest errors" });
    await expect(errors).toContainText("Line 30:24");
    await expect(errors).toContainText("ext.zoom_client_idd is not declared under credentials.ext");

    await page.getByLabel("Manifest (YAML)").fill(yaml);
    await page.getByRole("button", { name: "Create extension" }).click();
    await expect(page).toHaveURL(/\/publisher\/extensions\/[0-9a-f-]{36}\?uploaded=1$/);
    await expect(page.getByRole("heading", { name: "Zoom Integration", level: 1 })).toBeVisible();
    await expect(page.getByText(id).first()).toBeVisible();

    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "Missing required partner credentials" });
    await expect(refusal).toBeVisible();
    expect(await refusal.innerText()).toBe(MISSING);
    // Beside the exact sentence, a way to do what it says.
    await expect(page.getByRole("link", { name: "Go to Manage Credentials" })).toHaveAttribute("href", /\/credentials$/);

    await page.getByRole("link", { name: "Manage Credentials", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Manage Credentials" })).toBeVisible();
    const rows = page.getByRole("list", { name: "Partner credentials" }).getByRole("listitem");
    await expect(rows).toHaveCount(2);
    const clientIdRow = rows.filter({ hasText: "Zoom OAuth Client ID" });
    const secretRow = rows.filter({ hasText: "Zoom OAuth Client Secret" });
    await expect(clientIdRow).toContainText("ext.zoom_client_id");
    await expect(clientIdRow).toContainText("Required");
    await expect(clientIdRow).toContainText("Missing");
    await expect(clientIdRow.getByRole("link", { name: /Where to find it/ })).toHaveAttribute("target", "_blank");
    await expect(page.getByLabel("zoom redirect URI", { exact: true })).toHaveValue(/\/api\/oauth\/zoom\/callback$/);
    await expect(page.getByRole("button", { name: "Copy zoom redirect URI" })).toBeVisible();

    const secretInput = secretRow.getByLabel("Zoom OAuth Client Secret", { exact: true });
    await expect(secretInput).toHaveAttribute("type", "password");
    await expect(secretInput).toHaveAttribute("autocomplete", "new-password");

    await clientIdRow.getByLabel("Zoom OAuth Client ID", { exact: true }).fill(CLIENT_ID);
    await clientIdRow.getByRole("button", { name: "Save" }).click();
    await expect(clientIdRow.getByRole("status")).toHaveText("Saved Zoom OAuth Client ID.");
    await secretInput.fill(CLIENT_SECRET);
    await secretRow.getByRole("button", { name: "Save" }).click();
    await expect(secretRow.getByRole("status")).toHaveText("Saved Zoom OAuth Client Secret.");

    // Masked, with when and by whom; the values appear nowhere in the page, even after a reload.
    await page.reload();
    for (const row of [clientIdRow, secretRow]) {
      await expect(row).toContainText("Configured");
      await expect(row).toContainText("••••••••");
      await expect(row).toContainText("by Pat Publisher");
    }
    const html = await page.content();
    expect(html).not.toContain(CLIENT_ID);
    expect(html).not.toContain(CLIENT_SECRET);

    await page.getByRole("link", { name: "← Zoom Integration" }).click();
    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Published Zoom Integration 1.0.0" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("list", { name: "Versions" })).toContainText("Published");

    await expectAuditEvents(page, 1); // the publish refused for missing credentials
    const received = (await Promise.all(bodies)).join("\n");
    expect(received).not.toContain(CLIENT_ID);
    expect(received).not.toContain(CLIENT_SECRET);
  });

  test("works without JavaScript and on a narrow screen", async ({ browser }) => {
    const context = await browser.newContext({
      storageState: storageStateFor("publisher"),
      javaScriptEnabled: false,
      viewport: { width: 375, height: 740 },
    });
    const page = await context.newPage();
    const { yaml } = uniqueManifest(tag());
    await page.goto("/publisher");
    await page.getByLabel("Manifest (YAML)").fill(yaml);
    await page.getByRole("button", { name: "Create extension" }).click();
    await expect(page).toHaveURL(/\/publisher\/extensions\/[0-9a-f-]{36}\?uploaded=1$/);
    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    await expect(page.getByText("Missing required partner credentials: Zoom OAuth Client ID, Zoom OAuth Client Secret.")).toBeVisible();
    await page.getByRole("link", { name: "Go to Manage Credentials" }).click();
    const row = page.getByRole("list", { name: "Partner credentials" }).getByRole("listitem").filter({ hasText: "Zoom OAuth Client ID" });
    await row.getByLabel("Zoom OAuth Client ID", { exact: true }).fill(CLIENT_ID);
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row).toContainText("Configured");
    await expect(row).toContainText("Saved Zoom OAuth Client ID.");
    expect(await page.content()).not.toContain(CLIENT_ID);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  test("runs the same journey through the CLI", async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    await page.goto("/publisher/tokens");
    const name = `cli-${tag()}`;
    await page.getByLabel("Token name").fill(name);
    await page.getByRole("button", { name: "Create token" }).click();
    const tokenField = page.getByLabel("New API token", { exact: true });
    await expect(tokenField).toHaveValue(/^lk_pub_/);
    const token = await tokenField.inputValue();

    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-cli-"));
    const cli = (args: string[], input?: string) => {
      const result = spawnSync("node", ["packages/cli/bin/latchkey.js", "--url", baseURL ?? "", ...args], {
        input: input ?? "",
        encoding: "utf8",
        env: { ...process.env, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_TOKEN: "", LATCHKEY_URL: "" },
        timeout: 60_000,
      });
      return { code: result.status, out: result.stdout, err: result.stderr };
    };

    const login = cli(["login"], `${token}\n`);
    expect(login.err).toBe("");
    expect(login.out).toContain("as Pat Publisher <pat@acme-extensions.example> for Acme Extensions");
    expect(login.code).toBe(0);
    const stored = path.join(configDir, "credentials.json");
    expect(fs.statSync(stored).mode & 0o777).toBe(0o600);

    const { id, yaml } = uniqueManifest(tag());
    const file = path.join(configDir, "zoom.yaml");
    fs.writeFileSync(file, yaml);
    const push = cli(["manifest", "push", file]);
    expect(push.out).toContain(`Created Zoom Integration (${id}), draft 1.0.0.`);
    expect(push.code).toBe(0);

    const blocked = cli(["publish", id]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toBe(`Error: ${MISSING}\n`);

    const refusedArgv = cli(["credentials", "set", id, "zoom_client_secret", CLIENT_SECRET]);
    expect(refusedArgv.code).toBe(1);
    expect(refusedArgv.err).toContain("Values are never read from the command line");

    expect(cli(["credentials", "set", id, "zoom_client_id"], `${CLIENT_ID}\n`)).toMatchObject({
      code: 0,
      out: "Saved Zoom OAuth Client ID (ext.zoom_client_id).\n",
    });
    expect(cli(["credentials", "set", id, "zoom_client_secret"], CLIENT_SECRET)).toMatchObject({ code: 0 });
    const undeclared = cli(["credentials", "set", id, "zoom_client_idd"], "x");
    expect(undeclared).toMatchObject({
      code: 1,
      err: `Error: ext.zoom_client_idd is not declared under credentials.ext in Zoom Integration's manifest.\n`,
    });

    const list = cli(["credentials", "list", id]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/ext\.zoom_client_id\s+Zoom OAuth Client ID\s+yes\s+configured/);
    expect(list.out).toMatch(/ext\.zoom_client_secret\s+Zoom OAuth Client Secret\s+yes\s+configured/);
    expect(list.out + list.err).not.toContain(CLIENT_SECRET);

    const published = cli(["publish", id]);
    expect(published).toMatchObject({ code: 0, out: "Published Zoom Integration 1.0.0.\n" });
    expect(cli(["publish", id])).toMatchObject({ code: 1, err: "Error: Version 1.0.0 of Zoom Integration is already published.\n" });

    // The dashboard shows what the CLI did.
    await page.goto("/publisher");
    await page.getByRole("list", { name: "Extensions" }).getByRole("listitem").filter({ hasText: id }).getByRole("link").click();
    await expect(page.getByRole("list", { name: "Versions" })).toContainText("Published");
    await expectAuditEvents(page, 2); // refused for missing credentials, then as already published

    // A revoked token stops working at once.
    await page.goto("/publisher/tokens");
    await page.getByRole("button", { name: `Revoke ${name}` }).click();
    await expect(page.getByRole("list", { name: "API tokens" }).getByRole("listitem").filter({ hasText: name })).toContainText("Revoked");
    const afterRevoke = cli(["credentials", "list", id]);
    expect(afterRevoke.code).toBe(1);
    expect(afterRevoke.err).toContain("This API token is not valid");
    fs.rmSync(configDir, { recursive: true, force: true });
  });
});

test.describe("who else may look", () => {
  test("an end user is refused every publisher page and the API", async ({ browser, baseURL }) => {
    const pat = await browser.newContext({ storageState: storageStateFor("publisher") });
    const patPage = await pat.newPage();
    await patPage.goto("/publisher");
    const href = await patPage.getByRole("list", { name: "Extensions" }).getByRole("link").first().getAttribute("href");
    await pat.close();
    expect(href).toMatch(/^\/publisher\/extensions\//);

    const eve = await browser.newContext({ storageState: storageStateFor("enduser") });
    const page = await eve.newPage();
    for (const url of ["/publisher", `${href}`, `${href}/credentials`, "/publisher/tokens"]) {
      expect((await page.goto(url))?.status(), url).toBe(403);
    }
    // A session cookie is not an API credential.
    const api = await page.request.get(`${baseURL}/api/v1/publisher/extensions`);
    expect(api.status()).toBe(401);
    await eve.close();
  });

  test("an anonymous visitor is sent to sign in, and the API answers 401", async ({ page, request }) => {
    await page.goto("/publisher/tokens");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
    for (const [method, url] of [
      ["GET", "/api/v1/publisher/me"],
      ["GET", "/api/v1/publisher/extensions"],
      ["POST", "/api/v1/publisher/manifests"],
      ["GET", "/api/v1/publisher/extensions/dev.mycompany.zoom-integration/credentials"],
      ["PUT", "/api/v1/publisher/extensions/dev.mycompany.zoom-integration/credentials/zoom_client_id"],
      ["DELETE", "/api/v1/publisher/extensions/dev.mycompany.zoom-integration/credentials/zoom_client_id"],
      ["POST", "/api/v1/publisher/extensions/dev.mycompany.zoom-integration/publish"],
    ] as const) {
      const response = await request.fetch(url, {
        method,
        headers: { Authorization: "Bearer lk_pub_forged" },
        data: method === "PUT" ? { value: "x" } : undefined,
      });
      expect(response.status(), `${method} ${url}`).toBe(401);
      expect((await response.json()).error.code).toBe("unauthenticated");
    }
  });
});
