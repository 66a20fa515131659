// A real OAuth 2.0 / OpenID Connect authorization server (node-oidc-provider) on loopback, so demo
// mode can "Connect" an account without registering an app anywhere, and tests and the e2e run
// exercise the real protocol: PKCE S256, rotating refresh tokens with reuse detection, revocation,
// userinfo, and sign-in and consent pages of its own in Latchkey's look. They are the first thing a
// newcomer sees of OAuth, so they explain themselves and load nothing from elsewhere.
//
// This entry point starts it (`startDemoProvider`, or `node scripts/demo-oauth-provider.mjs` with the
// settings in options.mjs) and routes its requests; the parts live in demo-oauth-provider/:
//   oidc.mjs          the provider's configuration       storage.mjs   its in-memory storage
//   interactions.mjs  the sign-in and consent steps      pages.mjs     the pages, in Latchkey's look
//   switchboard.mjs   test switches: counters, failNext, revokeGrants, expireNextTokens, reset
//   control.mjs       the same switches over HTTP under /__control/ (with `control: true`)
//
// Plain ESM JavaScript so `node scripts/demo-oauth-provider.mjs` runs it without a build step;
// types for TypeScript callers are in demo-oauth-provider.d.mts.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

import { handleControl } from "./demo-oauth-provider/control.mjs";
import { readBody, sendJson } from "./demo-oauth-provider/http.mjs";
import { createInteractionHandler } from "./demo-oauth-provider/interactions.mjs";
import { createOidcProvider } from "./demo-oauth-provider/oidc.mjs";
import { optionsFromEnv } from "./demo-oauth-provider/options.mjs";
import { createStorage } from "./demo-oauth-provider/storage.mjs";
import { createSwitchboard } from "./demo-oauth-provider/switchboard.mjs";

/** @typedef {import("./demo-oauth-provider.d.mts").DemoProviderOptions} DemoProviderOptions */
/** @typedef {import("./demo-oauth-provider.d.mts").DemoProvider} DemoProvider */
/** @typedef {import("./demo-oauth-provider.d.mts").DemoAccount} DemoAccount */

/** @type {DemoAccount[]} */
const DEFAULT_ACCOUNTS = [{ sub: "demo-user", email: "demo.user@example.test", name: "Demo User" }];

/**
 * Starts the provider and resolves once it listens.
 * @param {DemoProviderOptions} options
 * @returns {Promise<DemoProvider>}
 */
export async function startDemoProvider(options) {
  const host = options.host ?? "127.0.0.1";
  const accounts = options.accounts?.length ? options.accounts : DEFAULT_ACCOUNTS;
  if (options.clients.length === 0) throw new Error("startDemoProvider: at least one client is required");

  // The issuer must name the port, so the socket is bound before the provider is built.
  const { server, port } = await listen(options.port, host);
  const issuer = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const storage = createStorage();
  /** Login names are a `sub` or an email; an unknown name signs in as the first account. */
  /** @param {string} login */
  const accountFor = (login) => accounts.find((a) => a.sub === login || a.email === login) ?? accounts[0];
  const provider = await createOidcProvider({
    issuer,
    clients: options.clients,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    Adapter: storage.Adapter,
    accountFor,
  });
  const switchboard = createSwitchboard(provider, storage);
  const handleInteraction = createInteractionHandler(provider, accounts, accountFor);
  const tokenPath = new URL(`${issuer}/token`).pathname;
  const providerCallback = provider.callback();

  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname.startsWith("/__control/")) {
      if (options.control ?? false) return handleControl(switchboard, req, res, url);
      return sendJson(res, 404, { error: "not_found" });
    }
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?$/.exec(url.pathname);
    if (interaction) {
      void handleInteraction(req, res, interaction[1] ?? "", interaction[2] !== undefined);
      return;
    }
    const tokenRequest = req.method === "POST" && url.pathname === tokenPath;
    const failure = tokenRequest ? switchboard.takeFailure() : undefined;
    if (failure !== undefined) return failTokenRequest(req, res, failure, switchboard.countGrant);
    if (tokenRequest && switchboard.rewritesTokenAnswers()) switchboard.expiringTokenAnswers(res);
    providerCallback(req, res);
  });

  return {
    issuer,
    port,
    stats: switchboard.stats,
    failNext: switchboard.failNext,
    revokeGrants: switchboard.revokeGrants,
    expireNextTokens: switchboard.expireNextTokens,
    reset: switchboard.reset,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A server listening on `port` (0: any free one) at `host`, and the port it got.
 * @param {number} port @param {string} host
 */
async function listen(port, host) {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("startDemoProvider: server has no TCP address");
  return { server, port: address.port };
}

/**
 * Answers a token request `status` as failNext asked, without the provider seeing it (so no refresh
 * token is consumed); it still counts, by the grant type in its body.
 * @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res
 * @param {number} status @param {(grantType: string | undefined) => void} countGrant
 */
function failTokenRequest(req, res, status, countGrant) {
  readBody(req).then(
    (body) => {
      countGrant(new URLSearchParams(body).get("grant_type") ?? undefined);
      const error = status === 429 || status === 503 ? "temporarily_unavailable" : "server_error";
      sendJson(res, status, { error, error_description: `demo provider told to fail with ${status}` });
    },
    () => res.destroy(),
  );
}

async function main() {
  const provider = await startDemoProvider(optionsFromEnv());
  console.log(`demo OAuth provider listening on ${provider.issuer}`);
  const stop = () => provider.close().then(() => process.exit(0));
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, stop);
  // Started by the app with an IPC channel (lib/oauth/demo.ts): the channel closes when the app exits in any
  // way, a kill -9 included, and the provider goes with it instead of holding its port.
  if (process.channel) {
    process.once("disconnect", stop);
    process.channel.unref();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
