// The OpenID Connect provider itself (node-oidc-provider) as the demo configures it: PKCE S256, rotating
// refresh tokens with reuse detection, revocation, userinfo, and our own sign-in, consent and error pages.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";

import { esc, page } from "./pages.mjs";

/** @typedef {import("../demo-oauth-provider.d.mts").DemoClient} DemoClient */
/** @typedef {import("../demo-oauth-provider.d.mts").DemoAccount} DemoAccount */

const SCOPES = ["openid", "offline_access", "email", "profile", "calendar.read", "calendar.write", "files.read"];

// oidc-provider prints these on import and start-up. They are true of this server on purpose (it is
// a development stand-in: in-memory storage and Node 20 which it does not officially support), so they
// are dropped; any other oidc-provider message still gets through.
const EXPECTED_NOTICES = ["Unsupported runtime", "development-only in-memory adapter", "development-only signing keys"];

/**
 * Runs `step` with oidc-provider's expected start-up notices filtered out of console.warn/info.
 * @template T
 * @param {() => Promise<T>} step
 * @returns {Promise<T>}
 */
async function withoutExpectedNotices(step) {
  const { warn, info } = console;
  /** @param {(...args: unknown[]) => void} original */
  const filtered =
    (original) =>
    (/** @type {unknown[]} */ ...args) => {
      const text = String(args[0]);
      if (text.includes("oidc-provider") && EXPECTED_NOTICES.some((notice) => text.includes(notice))) return;
      original.apply(console, args);
    };
  console.warn = filtered(warn);
  console.info = filtered(info);
  try {
    return await step();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

/**
 * Builds the provider for `issuer` (its discovery, token, revocation and userinfo endpoints; interactions
 * at /interaction/:uid are left to interactions.mjs). Resolves once oidc-provider is loaded.
 * @param {object} settings
 * @param {string} settings.issuer "http://127.0.0.1:PORT"
 * @param {DemoClient[]} settings.clients
 * @param {number} settings.accessTokenTtlSeconds
 * @param {new (model: string) => object} settings.Adapter oidc-provider's storage (storage.mjs)
 * @param {(login: string) => DemoAccount} settings.accountFor the account a login (as typed) signs in as
 * @returns {Promise<any>} the oidc-provider instance
 */
export async function createOidcProvider({ issuer, clients, accessTokenTtlSeconds, Adapter, accountFor }) {
  const { default: Provider } = await withoutExpectedNotices(() => import("oidc-provider"));
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  const provider = await withoutExpectedNotices(
    async () =>
      new Provider(issuer, {
        adapter: Adapter,
        clients: clients.map((client) => ({
          client_id: client.client_id,
          client_secret: client.client_secret,
          redirect_uris: client.redirect_uris,
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          // client_secret_post is accepted too: oidc-provider treats the two secret methods alike.
          token_endpoint_auth_method: "client_secret_basic",
        })),
        jwks: { keys: [{ ...signingKey, kid: randomUUID(), alg: "RS256", use: "sig" }] },
        cookies: { keys: [randomBytes(32).toString("base64url")] },
        scopes: SCOPES,
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
        // Our own pages (below) instead of the development-only built-in ones.
        interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
        async renderError(ctx, out) {
          ctx.type = "html";
          ctx.body = page(
            "Something went wrong",
            `<p class="muted">The sign-in could not continue: ${esc(out.error_description ?? out.error ?? "unknown error")}.</p>
<p class="muted">Go back to Latchkey and start connecting again.</p>`,
          );
        },
        features: {
          devInteractions: { enabled: false },
          revocation: { enabled: true, allowedPolicy: async () => true },
          userinfo: { enabled: true },
        },
        pkce: { required: () => true },
        // Every client allowed the refresh_token grant gets one, with or without offline_access, and
        // refresh tokens outlive the provider's browser session: the app under test wants a refresh
        // token from every Connect, whatever scopes it asks for.
        issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
        expiresWithSession: async () => false,
        rotateRefreshToken: true,
        ttl: {
          AccessToken: () => accessTokenTtlSeconds,
          AuthorizationCode: () => 60,
          IdToken: () => 3600,
          RefreshToken: () => 14 * 24 * 60 * 60,
          Grant: () => 14 * 24 * 60 * 60,
          Session: () => 24 * 60 * 60,
          Interaction: () => 60 * 60,
        },
        async findAccount(_ctx, id) {
          const account = accountFor(id);
          return {
            // The session stores the login exactly as typed, and oidc-provider compares it with
            // this accountId, so it is echoed back; `sub` is always the account's real subject.
            accountId: id,
            async claims() {
              return { sub: account.sub, email: account.email, email_verified: true, name: account.name };
            },
          };
        },
      }),
  );
  // Without this Koa prints every 5xx; the test switchboard's failures never reach Koa anyway.
  provider.on("server_error", () => {});
  return provider;
}
