// The security headers of every response, in one place: the static ones next.config.ts sends with every
// file (nosniff, Referrer-Policy, X-Frame-Options, Permissions-Policy), and the ones proxy.ts adds per
// request: a nonce-based Content-Security-Policy for pages (Next's CSP guide: Next reads the nonce from
// the request's CSP header and puts it on its own scripts and styles), a closed policy for API
// answers, and Strict-Transport-Security when Latchkey is served over https.
import { randomBytes } from "node:crypto";

/** A response header as next.config.ts `headers()` takes it. */
export interface HeaderEntry {
  key: string;
  value: string;
}

/**
 * Browser features no Latchkey page uses, turned off for the page and every frame in it (W3C
 * Permissions Policy). Only names Chromium recognises: an unknown one (`bluetooth` on Linux builds) is
 * reported as an error in the console.
 */
export const PERMISSIONS_POLICY = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "encrypted-media",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "picture-in-picture",
  "publickey-credentials-get",
  "screen-wake-lock",
  "serial",
  "usb",
  "xr-spatial-tracking",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

/** Headers that do not depend on the request: sent with every response, static files included. */
export const STATIC_SECURITY_HEADERS: readonly HeaderEntry[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
];

/** What a page's policy depends on. */
export interface PagePolicyOptions {
  /** This response's nonce (base64), from `newNonce()`. */
  nonce: string;
  /** `next dev`: React's dev build needs eval, and the dev overlay's styles carry no nonce. */
  dev: boolean;
  /** LATCHKEY_URL is https: ask the browser to upgrade any http subresource. */
  https: boolean;
}

/** A fresh nonce for one response: 128 random bits, base64 (a CSP nonce-source, CSP Level 3 §2.3.1). */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The Content-Security-Policy of an HTML page, after Next's guide (docs/app/guides/content-security-policy):
 * scripts and styles only from this origin or carrying this response's nonce ('strict-dynamic' lets
 * Next's nonced loader load its chunks); no plugins, no framing, forms and <base> only to this origin.
 * In development only, 'unsafe-eval' for scripts and 'unsafe-inline' for styles.
 */
export function pageContentSecurityPolicy({ nonce, dev, https }: PagePolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * The policy of an API answer (JSON, never rendered as a page): nothing may load or run if a browser
 * is ever tricked into showing one, and no one may frame it.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Strict-Transport-Security (RFC 6797) for a Latchkey served at `baseUrl`: two years, subdomains
 * included, when it is https; null when it is http (a browser ignores the header over http, and a
 * local http install must stay reachable).
 */
export function strictTransportSecurity(baseUrl: string): string | null {
  return new URL(baseUrl).protocol === "https:" ? "max-age=63072000; includeSubDomains" : null;
}
