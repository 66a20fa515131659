// next-auth takes the page to return to after sign-in from input it does not fully check itself: the
// `callbackUrl` query parameter or form field and the `next-auth.callback-url` cookie. A value with a
// control character or an unparsable URL makes it throw (a 500 with an empty body). Before next-auth sees
// a request, every such value is replaced by a same-origin path (lib/core/same-origin.ts) or `/`.
import { NextRequest } from "next/server";
import { sameOriginPath } from "@/lib/core/same-origin";

const CALLBACK_COOKIES = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];

/**
 * `request` with its sign-in return targets made safe for next-auth: `callbackUrl` in the query and in an
 * urlencoded form body, and the callback-url cookies, each kept when it is a path or URL on `baseUrl`'s
 * origin (normalised), else set to `/`. The same request object is returned when nothing needed changing.
 */
export async function withSafeCallbackUrl(request: Request, baseUrl: string): Promise<Request> {
  const safe = (value: string) => sameOriginPath(value, baseUrl) ?? "/";
  let changed = false;
  const url = new URL(request.url);
  const queried = url.searchParams.get("callbackUrl");
  if (queried !== null && safe(queried) !== queried) {
    url.searchParams.set("callbackUrl", safe(queried));
    changed = true;
  }
  const headers = new Headers(request.headers);
  const cookie = safeCallbackCookies(headers.get("cookie"), baseUrl);
  if (cookie !== null) {
    headers.set("cookie", cookie);
    changed = true;
  }
  let body: string | undefined;
  if (request.method === "POST" && /^application\/x-www-form-urlencoded\b/i.test(headers.get("content-type") ?? "")) {
    body = await request.clone().text();
    const form = new URLSearchParams(body);
    const posted = form.get("callbackUrl");
    if (posted !== null && safe(posted) !== posted) {
      form.set("callbackUrl", safe(posted));
      body = form.toString();
      headers.delete("content-length");
      changed = true;
    }
  }
  if (!changed) return request;
  // next-auth reads `nextUrl`, so it is given a NextRequest.
  return new NextRequest(url, { method: request.method, headers, body, signal: request.signal });
}

/**
 * A Cookie header with next-auth's callback-url cookies made safe (see `withSafeCallbackUrl`), or null
 * when nothing needed changing. next-auth reads cookies through next/headers, so proxy.ts applies this to
 * the request headers it forwards.
 */
export function safeCallbackCookies(cookie: string | null, baseUrl: string): string | null {
  if (!cookie) return null;
  let changed = false;
  const kept = cookie.split(/;\s*/).map((pair) => {
    const at = pair.indexOf("=");
    const name = at < 0 ? pair : pair.slice(0, at);
    if (!CALLBACK_COOKIES.includes(name)) return pair;
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(at + 1));
    } catch {
      value = "";
    }
    const safe = sameOriginPath(value, baseUrl) ?? "/";
    if (safe === value) return pair;
    changed = true;
    return `${name}=${encodeURIComponent(safe)}`;
  });
  return changed ? kept.join("; ") : null;
}
