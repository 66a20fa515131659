// The OAuth error page's link is signed: its message and "Try again" target come from our own redirect
// (HMAC-SHA256 under a key derived from the session secret), so a crafted link cannot make the page show
// someone else's words or offer someone else's link.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface ErrorLink {
  code: string;
  provider: string;
  message: string;
  retry: string;
}

const payload = (l: ErrorLink) => JSON.stringify([l.code, l.provider, l.message, l.retry]);
const keyFor = (secret: string) => createHmac("sha256", secret).update("latchkey.oauth-error-link").digest();

export function signErrorLink(link: ErrorLink, secret: string): string {
  return createHmac("sha256", keyFor(secret)).update(payload(link)).digest("base64url");
}

export function verifyErrorLink(link: ErrorLink, signature: string, secret: string): boolean {
  const expected = Buffer.from(signErrorLink(link, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
