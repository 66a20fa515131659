import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { groups, openSitePage, sitePages, visitProviderPages } from "./areas-pages";
import { storageStateFor } from "./people";

// Every page of every area, as each kind of person sees it, through axe-core (the engine behind
// Lighthouse's accessibility audit) with the WCAG 2.x A/AA rules: no serious or critical violation.
// At a laptop's and a phone's size, where layouts differ. Also the demo OAuth provider's pages.

const viewports = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

async function seriousViolations(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name} (${page.url()}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

for (const viewport of viewports) {
  const size = `${viewport.width}×${viewport.height}`;
  for (const group of groups) {
    test(`${group}: every page has no serious or critical accessibility violation at ${size}`, async ({ browser }) => {
      test.setTimeout(300_000);
      const pages = await sitePages(browser, group);
      expect(pages.length).toBeGreaterThan(1);
      const problems: string[] = [];
      for (const entry of pages) {
        const { context, page } = await openSitePage(browser, entry, viewport);
        problems.push(...(await seriousViolations(page, entry.name)));
        await context.close();
      }
      expect(problems, problems.join("\n")).toEqual([]);
    });
  }

  test(`the demo OAuth provider's sign-in and consent pages have no serious or critical violation at ${size}`, async ({ browser }) => {
    const context = await browser.newContext({ viewport, storageState: storageStateFor("enduser") });
    const page = await context.newPage();
    const problems: string[] = [];
    const seen: string[] = [];
    await visitProviderPages(page, async (name) => {
      seen.push(name);
      problems.push(...(await seriousViolations(page, name)));
    });
    await context.close();
    expect(seen).toContain("provider-consent");
    expect(problems, problems.join("\n")).toEqual([]);
  });
}
