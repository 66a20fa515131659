import { expect, test as setup } from "@playwright/test";
import { people, storageStateFor, type Person } from "./people";

// Signs each demo person in once through the real sign-in page and saves their session.
for (const [key, person] of Object.entries(people) as [Person, (typeof people)[Person]][]) {
  setup(`sign in as ${person.name}`, async ({ page }) => {
    await page.goto("/signin");
    await page.getByRole("button", { name: `Sign in as ${person.name}` }).click();
    await page.waitForURL(`**${person.home}`);
    await expect(page.getByRole("banner")).toContainText(person.name);
    await page.context().storageState({ path: storageStateFor(key) });
  });
}
