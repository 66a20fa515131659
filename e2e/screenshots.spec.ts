import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { groups, openSitePage, sitePages, visitProviderPages } from "./areas-pages";
import { storageStateFor } from "./people";

// A picture of every page of every area at a laptop and a phone size, for people to look at (and for
// CI to keep as an artifact): test-results/screenshots/<size>/<person>-<route>.png (test-results/ is
// git-ignored). Each page must also fit the width: nothing cut off sideways.

const DIR = "test-results/screenshots";
const viewports = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

for (const viewport of viewports) {
  const size = `${viewport.width}x${viewport.height}`;
  const dir = `${DIR}/${size}`;
  for (const group of groups) {
    test(`${group}: screenshots of every page at ${size}, none wider than the screen`, async ({ browser }) => {
      test.setTimeout(300_000);
      fs.mkdirSync(dir, { recursive: true });
      const pages = await sitePages(browser, group);
      const overflowing: string[] = [];
      for (const entry of pages) {
        const { context, page } = await openSitePage(browser, entry, viewport);
        await page.screenshot({ path: `${dir}/${entry.name}.png`, fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 0) overflowing.push(`${entry.name} (${entry.path}): ${overflow}px wider than the screen`);
        await context.close();
      }
      for (const entry of pages) expect(fs.existsSync(`${dir}/${entry.name}.png`), entry.name).toBe(true);
      expect(overflowing, overflowing.join("\n")).toEqual([]);
    });
  }

  test(`screenshots of the demo OAuth provider's sign-in and consent pages at ${size}`, async ({ browser }) => {
    fs.mkdirSync(dir, { recursive: true });
    const context = await browser.newContext({ viewport, storageState: storageStateFor("enduser") });
    const page = await context.newPage();
    const seen: string[] = [];
    await visitProviderPages(page, async (name) => {
      seen.push(name);
      await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
    });
    await context.close();
    expect(seen).toContain("provider-consent");
  });
}
