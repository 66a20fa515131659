// Test helpers over the demo OAuth/OIDC provider (scripts/demo-oauth-provider.mjs): start it with the
// two clients tests need, and walk its built-in login and consent pages over plain HTTP the way a
// browser would, stopping at the redirect back to the client.
//
// The pages are the demo provider's own (scripts/demo-oauth-provider/pages.mjs, Latchkey's look). For
// Playwright, on the provider's origin:
//   login page   (heading "Sign in to My Service"): input[name="login"], labelled "Email or user name"
//                (any sub or email of a configured account; an unknown login signs in as the first
//                account), input[name="password"] (required by the form, any value),
//                button[type="submit"] with text "Sign in"
//   consent page (heading "Allow … access"): button[type="submit"] with text "Continue"
//   either page: the link "Cancel" (href ends in /abort) denies: the client gets error=access_denied.
// The login and consent forms both carry a hidden input[name="prompt"] ("login" or "consent").
import { randomBytes } from "node:crypto";

import { startDemoProvider, type DemoProvider, type DemoProviderOptions } from "@/scripts/demo-oauth-provider.mjs";

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export interface TestProvider extends DemoProvider {
  /** The client the code under test plays: "latchkey-test". */
  client: TestClient;
  /** An unrelated client registered at the same provider, for cross-client attacks. */
  otherClient: TestClient;
}

export interface TestProviderOptions extends Partial<Omit<DemoProviderOptions, "clients">> {
  /** Where the provider sends "latchkey-test" back to; it is never fetched. */
  redirectUri: string;
}

export async function startTestProvider(opts: TestProviderOptions): Promise<TestProvider> {
  const { redirectUri, ...rest } = opts;
  const client = { client_id: "latchkey-test", client_secret: randomBytes(24).toString("base64url"), redirect_uri: redirectUri };
  const otherClient = {
    client_id: "other-client",
    client_secret: randomBytes(24).toString("base64url"),
    redirect_uri: "http://127.0.0.1:9/other-client/callback",
  };
  const provider = await startDemoProvider({
    port: 0,
    ...rest,
    clients: [client, otherClient].map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [c.redirect_uri],
    })),
  });
  return { ...provider, client, otherClient };
}

/** A cookie jar just good enough for one origin: honours Path, forgets cookies set to expire. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key = "", attributeValue = ""] = attribute.split("=");
        if (key.toLowerCase() === "path") path = attributeValue;
        if (key.toLowerCase() === "expires" && Date.parse(attributeValue) <= Date.now()) expired = true;
        if (key.toLowerCase() === "max-age" && Number(attributeValue) <= 0) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  headerFor(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`),
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join("; ");
  }
}

const MAX_STEPS = 20;

/**
 * Signs in and consents (or cancels, with `deny`) on the provider's pages, starting from a full
 * authorization URL. Returns the URL the provider redirects the browser to on the client's side:
 * `?code&state&iss`, or `?error=access_denied&state&iss` when denied. That URL is not fetched.
 */
export async function completeConsent(authorizeUrl: string, opts: { login?: string; deny?: boolean } = {}): Promise<URL> {
  const providerOrigin = new URL(authorizeUrl).origin;
  const jar = new CookieJar();
  let request: { url: URL; method: "GET" | "POST"; body?: URLSearchParams } = { url: new URL(authorizeUrl), method: "GET" };

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await fetch(request.url, {
      method: request.method,
      redirect: "manual",
      headers: { cookie: jar.headerFor(request.url), ...(request.body && { "content-type": "application/x-www-form-urlencoded" }) },
      body: request.body,
    });
    jar.store(response);

    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, request.url);
      if (next.origin !== providerOrigin) return next;
      await response.body?.cancel();
      request = { url: next, method: "GET" };
      continue;
    }

    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(`completeConsent: ${request.method} ${request.url.href} answered ${response.status}: ${html.slice(0, 300)}`);
    }
    const prompt = /name="prompt" value="(login|consent)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
    if (!prompt || !action || !abort) {
      throw new Error(`completeConsent: ${request.url.href} is not a login or consent page: ${html.slice(0, 300)}`);
    }

    if (opts.deny) {
      request = { url: new URL(abort, request.url), method: "GET" };
    } else if (prompt === "login") {
      const body = new URLSearchParams({ prompt, login: opts.login ?? "demo-user", password: "any password" });
      request = { url: new URL(action, request.url), method: "POST", body };
    } else {
      request = { url: new URL(action, request.url), method: "POST", body: new URLSearchParams({ prompt }) };
    }
  }
  throw new Error(`completeConsent: no redirect to the client after ${MAX_STEPS} requests from ${authorizeUrl}`);
}
