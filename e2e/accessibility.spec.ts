import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { sitePages, visitProviderPages } from "./areas-pages";
import { storageStateFor } from "./people";

// Every page of every area, as each kind of person sees it, through axe-core (the engine behind
// Lighthouse's accessibility audit) with the WCAG 2.x A/AA rules: no serious or critical violation.
// On a phone-sized screen too, where layouts differ.

test.describe.configure({ mode: "serial" });

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`every page has no serious or critical accessibility violation at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
    test.setTimeout(360_000);
    const pages = await sitePages(browser);
    const problems: string[] = [];
    for (const entry of pages) {
      const context = await browser.newContext({ viewport, ...(entry.person ? { storageState: storageStateFor(entry.person) } : {}) });
      const page = await context.newPage();
      await page.goto(entry.path);
      await page.waitForLoadState("networkidle");
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      for (const v of results.violations.filter((x) => x.impact === "serious" || x.impact === "critical")) {
        problems.push(
          `${entry.name} (${entry.path}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
      }
      await context.close();
    }
    // The demo OAuth provider's sign-in and consent pages too: the first thing a newcomer sees of OAuth.
    const context = await browser.newContext({ viewport, storageState: storageStateFor("enduser") });
    const provider = await context.newPage();
    await visitProviderPages(provider, async (name) => {
      const results = await new AxeBuilder({ page: provider }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      for (const v of results.violations.filter((x) => x.impact === "serious" || x.impact === "critical")) {
        problems.push(`${name}: ${v.id} [${v.impact}] ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
    });
    await context.close();
    expect(pages.length).toBeGreaterThan(20);
    expect(problems, problems.join("\n")).toEqual([]);
  });
}
