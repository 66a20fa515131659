import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { sitePages, visitProviderPages } from "./areas-pages";
import { storageStateFor } from "./people";

// A picture of every page of every area at a laptop and a phone size, for people to look at (and for
// CI to keep as an artifact): test-results/screenshots/<size>/<person>-<route>.png (test-results/ is
// git-ignored). Each page must also fit the width: nothing cut off sideways.

const DIR = "test-results/screenshots";

test.describe.configure({ mode: "serial" });

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`screenshots of every page at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
    test.setTimeout(360_000);
    const dir = `${DIR}/${viewport.width}x${viewport.height}`;
    fs.mkdirSync(dir, { recursive: true });
    const pages = await sitePages(browser);
    const overflowing: string[] = [];
    for (const entry of pages) {
      const context = await browser.newContext({ viewport, ...(entry.person ? { storageState: storageStateFor(entry.person) } : {}) });
      const page = await context.newPage();
      await page.goto(entry.path);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `${dir}/${entry.name}.png`, fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) overflowing.push(`${entry.name} (${entry.path}): ${overflow}px wider than the screen`);
      await context.close();
    }
    // The demo OAuth provider's sign-in and consent pages, in Latchkey's look.
    const context = await browser.newContext({ viewport, storageState: storageStateFor("enduser") });
    const provider = await context.newPage();
    const seen: string[] = [];
    await visitProviderPages(provider, async (name) => {
      seen.push(name);
      await provider.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
    });
    await context.close();
    expect(seen).toContain("provider-consent");
    expect(fs.readdirSync(dir).length).toBeGreaterThanOrEqual(pages.length);
    expect(overflowing, overflowing.join("\n")).toEqual([]);
  });
}
