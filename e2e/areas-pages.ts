// The pages of every area for the whole-site checks (accessibility, screenshots): for each demo person,
// what they reach by following links from their home (e2e/pages.ts), plus the pages only a flow leads to
// (a failed OAuth flow's page, a refusal) and the signed-out ones, in groups a test each can take. Each
// entry names its person (null: signed out) and a file-friendly name for screenshots.
import type { Browser, Page } from "@playwright/test";
import { reachablePages } from "./pages";
import { people, storageStateFor, type Person } from "./people";

export interface SitePage {
  person: Person | null;
  path: string;
  name: string;
}

const fileName = (person: string, pattern: string) =>
  `${person}${pattern
    .replaceAll(":id", "id")
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/-+$/, "")}`.toLowerCase();

/** Whose pages: each demo person's areas, and the pages of someone signed out. */
export const groups = ["signed-out", "publisher", "enduser", "member", "admin"] as const;
export type Group = (typeof groups)[number];

/**
 * Every page of one group: for a person (Pat: publisher, Eve: panel as an org owner, Mo: a plain member,
 * Ada: admin) what their home's links reach, plus for Eve the pages only a refusal or a failed flow shows;
 * signed out, the sign-in page and a 404.
 */
export async function sitePages(browser: Browser, group: Group): Promise<SitePage[]> {
  if (group === "signed-out") {
    return [
      { person: null, path: "/signin", name: "signed-out-signin" },
      { person: null, path: "/no/such/page", name: "signed-out-404" },
    ];
  }
  const context = await browser.newContext({ storageState: storageStateFor(group) });
  const found = await reachablePages(context.request, people[group].home);
  await context.close();
  const pages: SitePage[] = [];
  // "/" (the brand link) only redirects to the person's home, which is in the list already.
  for (const [pattern, path] of found) if (pattern !== "/") pages.push({ person: group, path, name: fileName(group, pattern) });
  if (group === "enduser") {
    pages.push(
      { person: group, path: "/admin", name: "enduser-403" },
      { person: group, path: "/panel/connections/error?code=access_denied", name: "enduser-connections-error" },
    );
  }
  return pages;
}

/**
 * Opens `entry` as its person at `viewport` and waits until it has settled: loaded, and the network
 * quiet (client components hydrated, charts drawn) or, on a busy machine, 10 s of trying.
 */
export async function openSitePage(browser: Browser, entry: SitePage, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport, ...(entry.person ? { storageState: storageStateFor(entry.person) } : {}) });
  const page = await context.newPage();
  await page.goto(entry.path);
  await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => undefined);
  return { context, page };
}

/**
 * The demo OAuth provider's own pages, which a newcomer meets first when connecting: from My Calendar's
 * setup (as Eve, in Globex) through its sign-in page to its consent page, calling `visit` on each, then
 * Cancel, so no connection is made. `page` must be signed in as Eve.
 */
export async function visitProviderPages(page: Page, visit: (name: string) => Promise<void>) {
  await page.goto("/panel");
  await page.getByRole("link", { name: "My Calendar setup" }).click();
  const connect = page.getByRole("link", { name: /^(Connect My Service|Grant additional access)$/ });
  await connect.first().click();
  // The setup page's link has the same name: wait until the Connect page has replaced it.
  await page.waitForURL(/\/panel\/connections\/connect\?/);
  await page.getByRole("heading", { level: 1, name: /Connect My Service|Grant additional access/ }).waitFor();
  await page.getByRole("link", { name: /^(Connect My Service|Grant access at My Service)$/ }).click();
  await page.waitForURL(/\/interaction\//);
  if (await page.getByLabel("Email or user name").isVisible()) {
    await visit("provider-signin");
    await page.getByLabel("Password").fill("any password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForLoadState();
  }
  if (await page.getByRole("button", { name: "Continue" }).isVisible()) {
    await visit("provider-consent");
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL(/\/panel\//);
  }
}
