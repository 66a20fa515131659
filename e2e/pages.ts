// Every page a person can reach by following links from their home, found the way a newcomer would:
// by clicking through. Used to prove nothing is linked from nowhere and to visit every page of every
// area for the accessibility check and the screenshots. One page per route pattern (ids replaced by
// ":id", query keys kept), so "every page" stays a few dozen visits.
import type { APIRequestContext } from "@playwright/test";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** `/panel/extensions/<uuid>/setup?x=1` → `/panel/extensions/:id/setup?x`. */
export function routePattern(href: string): string {
  const url = new URL(href, "http://x");
  const keys = [...new Set(url.searchParams.keys())].sort();
  return `${url.pathname.replace(UUID, ":id")}${keys.length > 0 ? `?${keys.join("&")}` : ""}`;
}

/** Links that are pages of the app (not API routes, downloads, sign-in/out or other sites). */
function isPageLink(href: string): boolean {
  return href.startsWith("/") && !href.startsWith("//") && !href.startsWith("/api/") && !href.startsWith("/_next/") && !href.includes(".");
}

/**
 * Breadth-first from `start` over same-origin links in the HTML each page answers with (as this
 * context's person), at most `limit` pages. Returns one concrete URL per route pattern, in the order found.
 */
export async function reachablePages(request: APIRequestContext, start: string, limit = 60): Promise<Map<string, string>> {
  const found = new Map<string, string>([[routePattern(start), start]]);
  const queue = [start];
  while (queue.length > 0 && found.size <= limit) {
    const path = queue.shift() ?? "";
    const response = await request.get(path);
    if (!response.ok() || !(response.headers()["content-type"] ?? "").includes("text/html")) continue;
    const html = await response.text();
    for (const match of html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)) {
      const href = (match[1] ?? "").replaceAll("&amp;", "&").split("#")[0] ?? "";
      if (!isPageLink(href)) continue;
      const pattern = routePattern(href);
      if (found.has(pattern)) continue;
      found.set(pattern, href);
      queue.push(href);
    }
  }
  return found;
}
