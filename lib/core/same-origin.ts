// Where Latchkey may send a browser when the target came from input (an OAuth flow's `return_to`, the
// sign-in page's `callbackUrl`): only to a URL on its own origin. A browser resolves a Location header
// with the WHATWG URL parser, which removes tabs and newlines, reads `\` as `/`, and turns `/.//host`,
// `/..//host` or `/%2e//host` into the path `//host`, which a second resolution reads as another host.
// So the check here parses first, compares origins on the result, and hands back the normalised path
// that was checked, and only if resolving that path again lands on the same URL.

// C0 controls and DEL: URL parsers drop tab/CR/LF silently and percent-encode the rest, so the string a
// person sees is not the one a browser follows.
const CONTROL = /[\u0000-\u001f\u007f]/;
// `\` is `/` to a browser in http(s) URLs but not to every proxy or log reader in between.
const BACKSLASH = /\\/;
// An encoded `/` or `\` in the path: a server or proxy that decodes before routing sees `//host`.
const ENCODED_SEPARATOR = /%2f|%5c/i;

/**
 * The URL `input` names, resolved against `baseUrl` (WHATWG URL Standard, as browsers follow a
 * Location header), if it is on `baseUrl`'s origin; else null.
 *
 * Refused (null): an empty or non-string value; any control character (tab, CR, LF, NUL, …) or
 * backslash anywhere; a relative reference that is not a path from the root (`panel`, `?x=1`); a URL
 * that does not parse; another origin (other host, port or scheme, including
 * `//host`, `javascript:` and `data:`); an encoded slash or backslash (`%2f`, `%5c`) in the path; and a
 * URL whose path would name another host when resolved a second time (`/.//host`, `/..//host`,
 * `/%2e//host`, whose path normalises to `//host`).
 *
 * @param input a path from the root (`/panel/connections?x=1`) or an absolute URL
 * @param baseUrl Latchkey's own base URL (LATCHKEY_URL), whose origin is the only one accepted
 */
export function sameOriginUrl(input: string | null | undefined, baseUrl: string | URL): URL | null {
  if (typeof input !== "string" || input === "" || CONTROL.test(input) || BACKSLASH.test(input)) return null;
  const base = new URL(baseUrl);
  let url: URL;
  try {
    // A path is resolved against the base; anything else must be an absolute URL on its own. A
    // relative reference (`panel`, `?x`, `http:host`) means something else against every page it is
    // resolved from: `http:evil.example` is a path under a base of the same scheme but a host alone.
    url = input.startsWith("/") ? new URL(input, base) : new URL(input);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || ENCODED_SEPARATOR.test(url.pathname)) return null;
  // The path is what gets stored and sent on; it must mean the same URL the next time it is resolved.
  const again = new URL(`${url.pathname}${url.search}${url.hash}`, base);
  return again.href === url.href ? again : null;
}

/**
 * The normalised path, query and fragment of `input` (see `sameOriginUrl`) if it names a URL on
 * `baseUrl`'s origin, else null. What it returns resolves against `baseUrl` to that same URL, so it is
 * safe to store and to put in a Location header later.
 *
 * @example sameOriginPath("/panel/extensions/1/setup?x=1", "http://localhost:3000") // "/panel/extensions/1/setup?x=1"
 * @example sameOriginPath("/.//evil.example/landing", "http://localhost:3000") // null
 */
export function sameOriginPath(input: string | null | undefined, baseUrl: string | URL): string | null {
  const url = sameOriginUrl(input, baseUrl);
  return url ? `${url.pathname}${url.search}${url.hash}` : null;
}
