// A real OAuth 2.0 / OpenID Connect authorization server (node-oidc-provider) on loopback, so demo
// mode can "Connect" an account without registering an app anywhere, and tests and the e2e run
// exercise the real protocol: PKCE S256, rotating refresh tokens with reuse detection, revocation,
// userinfo, and sign-in and consent pages of its own in Latchkey's look (interactions.url pointing at
// /interaction/:uid, served here through oidc-provider's interaction API; its renderError too). They are
// the first thing a newcomer sees of OAuth, so they explain themselves and load nothing from elsewhere.
//
// Around the provider sits a small switchboard for tests: counters per endpoint, a way to make the
// next token requests fail with a chosen status before they reach the provider (so no refresh token
// is consumed), a way to revoke every grant so the next refresh gets a real invalid_grant, and a way to
// make the next token answers for one account say the access token has expired (`expires_in: 0`), so a
// client's next use refreshes it without a test waiting out a token's life. (The token itself stays
// good here until its real TTL, so the client can still read the account's profile with it.)
// With `control: true` the same switches answer over HTTP under /__control/ for other processes.
//
// Plain ESM JavaScript so `node scripts/demo-oauth-provider.mjs` runs it without a build step;
// types for TypeScript callers are in demo-oauth-provider.d.mts.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

/** @typedef {import("./demo-oauth-provider.d.mts").DemoProviderOptions} DemoProviderOptions */
/** @typedef {import("./demo-oauth-provider.d.mts").DemoProvider} DemoProvider */
/** @typedef {import("./demo-oauth-provider.d.mts").DemoProviderStats} DemoProviderStats */
/** @typedef {import("./demo-oauth-provider.d.mts").DemoAccount} DemoAccount */

/** @type {DemoAccount[]} */
const DEFAULT_ACCOUNTS = [{ sub: "demo-user", email: "demo.user@example.test", name: "Demo User" }];

const SCOPES = ["openid", "offline_access", "email", "profile", "calendar.read", "calendar.write", "files.read"];

// oidc-provider prints these on import and start-up. They are true of this server on purpose (it is
// a development stand-in: in-memory storage and Node 20 which it does not officially support), so they
// are dropped; any other oidc-provider message still gets through.
const EXPECTED_NOTICES = ["Unsupported runtime", "development-only in-memory adapter", "development-only signing keys"];

/** @param {unknown} value */
const esc = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

// Latchkey's look (app/globals.css and the panel's cards and buttons), inline: the page loads nothing else.
const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f8fafc;color:#0f172a;font:16px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-font-smoothing:antialiased}
header{border-bottom:1px solid #e2e8f0;background:#fff}
header div{max-width:28rem;margin:0 auto;padding:.75rem 1rem;display:flex;align-items:center;gap:.5rem;font-weight:600}
main{max-width:28rem;margin:0 auto;padding:2rem 1rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 2px rgba(15,23,42,.06);outline:1px solid #e2e8f0}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .25rem;letter-spacing:-.01em}
p{margin:.25rem 0}.muted{color:#475569;font-size:.875rem}.small{font-size:.75rem;color:#64748b}
label{display:block;font-size:.875rem;font-weight:500;color:#334155;margin-top:1rem}
input[type=text],input[type=password]{display:block;width:100%;min-height:2.5rem;margin-top:.25rem;padding:.5rem .75rem;border:1px solid #cbd5e1;border-radius:.375rem;font:inherit;background:#fff;color:#0f172a}
input:focus-visible,button:focus-visible,a:focus-visible{outline:2px solid oklch(.55 .2 264);outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1.25rem}
button{min-height:2.5rem;padding:.5rem 1rem;border:0;border-radius:.375rem;background:oklch(.49 .2 264);color:#fff;font:inherit;font-size:.875rem;font-weight:500;cursor:pointer}
button:hover{background:oklch(.42 .18 264)}
a{color:oklch(.42 .18 264);font-size:.875rem;font-weight:500}
ul{margin:.5rem 0 0;padding-left:1.25rem}li{margin:.25rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8125rem;background:#f1f5f9;color:#334155;padding:.0625rem .25rem;border-radius:.25rem}
.note{margin-top:1.5rem;text-align:center}
`;

const LOGO = `<svg aria-hidden="true" width="24" height="24" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/><path d="M11 14v-3a5 5 0 0 1 10 0v3" stroke="#fff" stroke-width="2.5" fill="none"/><rect x="8" y="14" width="16" height="11" rx="2" fill="#fff"/><circle cx="16" cy="19.5" r="2" fill="#4338ca"/></svg>`;

/**
 * A whole page: `title` in the tab and as the heading, `body` (trusted HTML, every value in it escaped
 * with `esc`) in a card, and a line saying what this server is.
 * @param {string} title @param {string} body
 */
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Demo OAuth provider</title><style>${PAGE_STYLE}</style></head>
<body><header><div>${LOGO}<span>Demo OAuth provider</span></div></header>
<main><div class="card"><h1>${esc(title)}</h1>${body}</div>
<p class="note small">A local stand-in for a real service's sign-in, started with Latchkey's demo. Nothing you type here leaves this computer.</p></main></body></html>`;
}

// What each OpenID Connect scope lets the client do, in words (others are listed by name).
const SCOPE_WORDS = /** @type {Record<string, string>} */ ({
  openid: "Know who you are at this service",
  email: "See your email address",
  profile: "See your name",
  offline_access: "Keep access while you are away",
  "calendar.read": "Read your calendars",
  "calendar.write": "Change your calendars",
  "files.read": "Read your files",
});

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
 * oidc-provider storage kept in one Map per server, so `revokeGrants()` can find every grant and
 * two servers in one process (parallel tests) never share state.
 */
function createStorage() {
  /** @type {Map<string, { payload: Record<string, any>, expiresAt: number }>} */
  const records = new Map();

  /** @param {string} key */
  function read(key) {
    const record = records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return record.payload;
  }

  /** @param {(payload: Record<string, any>, key: string) => boolean} matches */
  function deleteWhere(matches) {
    for (const [key, record] of records) if (matches(record.payload, key)) records.delete(key);
  }

  class Adapter {
    /** @param {string} model */
    constructor(model) {
      this.model = model;
    }
    /** @param {string} id */
    key(id) {
      return `${this.model}:${id}`;
    }
    /** @param {string} id @param {Record<string, any>} payload @param {number | undefined} expiresIn */
    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
      records.set(this.key(id), { payload, expiresAt });
    }
    /** @param {string} id */
    async find(id) {
      return read(this.key(id));
    }
    /** @param {string} uid */
    async findByUid(uid) {
      for (const [key, record] of records) {
        if (key.startsWith(`${this.model}:`) && record.payload.uid === uid) return read(key);
      }
      return undefined;
    }
    /** @param {string} userCode */
    async findByUserCode(userCode) {
      for (const [key, record] of records) {
        if (key.startsWith(`${this.model}:`) && record.payload.userCode === userCode) return read(key);
      }
      return undefined;
    }
    /** @param {string} id */
    async consume(id) {
      const payload = read(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    /** @param {string} id */
    async destroy(id) {
      records.delete(this.key(id));
    }
    /** @param {string} grantId */
    async revokeByGrantId(grantId) {
      deleteWhere((payload, key) => key.startsWith(`${this.model}:`) && payload.grantId === grantId);
    }
  }

  /** @param {string} jti @returns {string | undefined} the account an access token was issued to */
  function accountOfAccessToken(jti) {
    const payload = read(`AccessToken:${jti}`);
    return typeof payload?.accountId === "string" ? payload.accountId : undefined;
  }

  /** Deletes every grant and every token or code issued under one. */
  function revokeAllGrants() {
    deleteWhere((payload, key) => key.startsWith("Grant:") || typeof payload.grantId === "string");
  }

  return { Adapter, revokeAllGrants, accountOfAccessToken };
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} [body]
 */
function sendJson(res, status, body) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

/** @returns {DemoProviderStats} */
function zeroStats() {
  return { authorizationCode: 0, refreshToken: 0, revocations: 0, refreshTokenReuse: 0, userinfo: 0 };
}

/**
 * Starts the provider and resolves once it listens.
 * @param {DemoProviderOptions} options
 * @returns {Promise<DemoProvider>}
 */
export async function startDemoProvider(options) {
  const host = options.host ?? "127.0.0.1";
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const accounts = options.accounts?.length ? options.accounts : DEFAULT_ACCOUNTS;
  const control = options.control ?? false;
  if (options.clients.length === 0) throw new Error("startDemoProvider: at least one client is required");

  // The issuer must name the port, so the socket is bound before the provider is built.
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("startDemoProvider: server has no TCP address");
  const port = address.port;
  const issuer = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const storage = createStorage();
  const { default: Provider } = await withoutExpectedNotices(() => import("oidc-provider"));
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  /** Login names are a `sub` or an email; an unknown name signs in as the first account. */
  /** @param {string} login */
  const accountFor = (login) => accounts.find((a) => a.sub === login || a.email === login) ?? accounts[0];

  const provider = await withoutExpectedNotices(
    async () =>
      new Provider(issuer, {
        adapter: storage.Adapter,
        clients: options.clients.map((client) => ({
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

  let stats = zeroStats();
  /** @type {{ remaining: number, status: number }} */
  let failures = { remaining: 0, status: 500 };
  /** How many more token responses to each account (its login, as typed) arrive already expired. */
  /** @type {Map<string, number>} */
  let expiring = new Map();

  provider.on("grant.error", (/** @type {unknown} */ _ctx, /** @type {{ error_detail?: string }} */ error) => {
    if (error.error_detail === "refresh token already used") stats.refreshTokenReuse += 1;
  });

  /** @param {string | undefined} grantType */
  const countGrant = (grantType) => {
    if (grantType === "authorization_code") stats.authorizationCode += 1;
    if (grantType === "refresh_token") stats.refreshToken += 1;
  };

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "token") countGrant(ctx.oidc.params?.grant_type);
    if (ctx.oidc?.route === "revocation") stats.revocations += 1;
    if (ctx.oidc?.route === "userinfo") stats.userinfo += 1;
  });

  /** @type {DemoProvider["failNext"]} */
  const failNext = (count, status) => {
    if (!Number.isInteger(count) || count < 0) throw new Error(`failNext: count must be a whole number, got ${count}`);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error(`failNext: status must be an HTTP error status (400-599), got ${status}`);
    }
    failures = { remaining: count, status };
  };
  const revokeGrants = () => storage.revokeAllGrants();
  /** @type {DemoProvider["expireNextTokens"]} */
  const expireNextTokens = (account, count) => {
    if (!account) throw new Error("expireNextTokens: an account (its login) is required");
    if (!Number.isInteger(count) || count < 0) throw new Error(`expireNextTokens: count must be a whole number, got ${count}`);
    expiring.set(account, count);
  };
  const reset = () => {
    stats = zeroStats();
    failures = { remaining: 0, status: 500 };
    expiring = new Map();
  };

  /**
   * Sends the token endpoint's answer through `expireIfAsked`: when the access token in it belongs to an
   * account expireNextTokens named, the answer says `expires_in: 0`.
   * @param {import("node:http").ServerResponse} res
   */
  function expiringTokenAnswers(res) {
    const end = res.end.bind(res);
    /** @type {any} */ (res).end = (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) => {
      const body = chunk === undefined || typeof chunk === "function" ? undefined : Buffer.from(chunk).toString("utf8");
      const changed = body === undefined || res.statusCode !== 200 || res.headersSent ? undefined : expireIfAsked(body);
      if (changed === undefined) return end(chunk, ...rest);
      res.setHeader("content-length", Buffer.byteLength(changed));
      return end(changed, ...rest.filter((arg) => typeof arg === "function"));
    };
  }

  /** @param {string} body @returns {string | undefined} the answer rewritten, or undefined to leave it */
  function expireIfAsked(body) {
    /** @type {{ access_token?: unknown, expires_in?: unknown }} */
    let answer;
    try {
      answer = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (typeof answer.access_token !== "string") return undefined;
    const account = storage.accountOfAccessToken(answer.access_token);
    const remaining = account === undefined ? 0 : (expiring.get(account) ?? 0);
    if (account === undefined || remaining === 0) return undefined;
    expiring.set(account, remaining - 1);
    return JSON.stringify({ ...answer, expires_in: 0 });
  }

  const providerCallback = provider.callback();

  /**
   * The sign-in and consent pages (GET), their forms (POST) and Cancel (GET …/abort), through
   * oidc-provider's interaction API, as its devInteractions did but in Latchkey's look. The forms keep
   * devInteractions' field names (login, password, a hidden prompt) so test/oidc.ts walks either.
   * @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res
   * @param {string} uid @param {boolean} abort
   */
  async function handleInteraction(req, res, uid, abort) {
    const html = (/** @type {number} */ status, /** @type {string} */ body) =>
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(body);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid)
        return html(400, page("This sign-in link is stale", `<p class="muted">Start connecting again from Latchkey.</p>`));
      if (abort) {
        await provider.interactionFinished(
          req,
          res,
          { error: "access_denied", error_description: "End-User aborted interaction" },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const { prompt, params, session, grantId } = details;
      const client = await provider.Client.find(String(params.client_id));
      const clientName = client?.clientName ?? "Latchkey";
      if (req.method === "POST") {
        const form = new URLSearchParams(await readBody(req));
        if (form.get("prompt") === "login" && prompt.name === "login") {
          const login = (form.get("login") ?? "").trim();
          if (!login) return html(400, loginPage(uid, clientName, "Enter an email address or user name."));
          await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
          return;
        }
        if (form.get("prompt") === "consent" && prompt.name === "consent" && session) {
          const grant = grantId
            ? await provider.Grant.find(grantId)
            : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
          if (!grant) return html(400, page("This sign-in link is stale", `<p class="muted">Start connecting again from Latchkey.</p>`));
          const missing = /** @type {Record<string, any>} */ (prompt.details);
          if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
          if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
          for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
            grant.addResourceScope(indicator, /** @type {string[]} */ (scopes).join(" "));
          }
          await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
          return;
        }
        return html(400, page("This form is out of date", `<p class="muted">Reload the page and try again.</p>`));
      }
      if (prompt.name === "login") return html(200, loginPage(uid, clientName, null));
      if (prompt.name === "consent") {
        const scopes = String(params.scope ?? "")
          .split(" ")
          .filter(Boolean);
        const account = accountFor(session?.accountId ?? "");
        return html(200, consentPage(uid, clientName, account?.email ?? String(session?.accountId ?? ""), scopes));
      }
      return html(501, page("Not supported", `<p class="muted">This demo provider cannot handle “${esc(prompt.name)}”.</p>`));
    } catch (error) {
      // An expired or unknown interaction (the browser came back after an hour, or a bookmark).
      const message = error instanceof Error ? error.message : String(error);
      return html(
        400,
        page("This sign-in has expired", `<p class="muted">${esc(message)}</p><p class="muted">Start connecting again from Latchkey.</p>`),
      );
    }
  }

  /** @param {string} uid @param {string} clientName @param {string | null} problem */
  function loginPage(uid, clientName, problem) {
    return page(
      "Sign in to My Service",
      `<p class="muted">${esc(clientName)} asks to connect to your account. Any email and password work here; <code>${esc(accounts[0]?.email ?? "")}</code> is the demo account.</p>
${problem ? `<p role="alert" style="color:#b91c1c">${esc(problem)}</p>` : ""}
<form method="post" action="/interaction/${esc(uid)}" autocomplete="off">
<input type="hidden" name="prompt" value="login">
<label for="login">Email or user name</label><input id="login" type="text" name="login" required autofocus value="${esc(accounts[0]?.email ?? "")}">
<label for="password">Password</label><input id="password" type="password" name="password" required>
<div class="actions"><button type="submit">Sign in</button><a href="/interaction/${esc(uid)}/abort">Cancel</a></div>
</form>`,
    );
  }

  /** @param {string} uid @param {string} clientName @param {string} who @param {string[]} scopes */
  function consentPage(uid, clientName, who, scopes) {
    const items = scopes.map(
      (scope) => `<li>${esc(SCOPE_WORDS[scope] ?? scope)} <span class="small">(<code>${esc(scope)}</code>)</span></li>`,
    );
    return page(
      `Allow ${clientName} access`,
      `<p class="muted">Signed in as <strong>${esc(who)}</strong>. ${esc(clientName)} will be able to:</p>
<ul>${items.join("")}</ul>
<form method="post" action="/interaction/${esc(uid)}">
<input type="hidden" name="prompt" value="consent">
<div class="actions"><button type="submit">Continue</button><a href="/interaction/${esc(uid)}/abort">Cancel</a></div>
</form>`,
    );
  }
  const tokenPath = new URL(`${issuer}/token`).pathname;

  /** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res @param {URL} url */
  function handleControl(req, res, url) {
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /__control/stats") return sendJson(res, 200, stats);
    if (route === "POST /__control/revoke-grants") return (revokeGrants(), sendJson(res, 204));
    if (route === "POST /__control/reset") return (reset(), sendJson(res, 204));
    if (route === "POST /__control/expire-tokens") {
      try {
        expireNextTokens(url.searchParams.get("account") ?? "", Number(url.searchParams.get("count") ?? "1"));
      } catch (error) {
        return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      }
      return sendJson(res, 204);
    }
    if (route === "POST /__control/fail") {
      try {
        failNext(Number(url.searchParams.get("count") ?? "1"), Number(url.searchParams.get("status") ?? "500"));
      } catch (error) {
        return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      }
      return sendJson(res, 204);
    }
    return sendJson(res, 404, { error: `no control route ${route}` });
  }

  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname.startsWith("/__control/")) {
      if (control) return handleControl(req, res, url);
      return sendJson(res, 404, { error: "not_found" });
    }
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?$/.exec(url.pathname);
    if (interaction) {
      void handleInteraction(req, res, interaction[1] ?? "", interaction[2] !== undefined);
      return;
    }
    if (failures.remaining > 0 && req.method === "POST" && url.pathname === tokenPath) {
      failures.remaining -= 1;
      const { status } = failures;
      readBody(req).then(
        (body) => {
          countGrant(new URLSearchParams(body).get("grant_type") ?? undefined);
          const error = status === 429 || status === 503 ? "temporarily_unavailable" : "server_error";
          sendJson(res, status, { error, error_description: `demo provider told to fail with ${status}` });
        },
        () => res.destroy(),
      );
      return;
    }
    if (req.method === "POST" && url.pathname === tokenPath && expiring.size > 0) expiringTokenAnswers(res);
    providerCallback(req, res);
  });

  return {
    issuer,
    port,
    stats: () => ({ ...stats }),
    failNext,
    revokeGrants,
    expireNextTokens,
    reset,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Reads the CLI's settings from the environment; a bad value stops start-up naming the variable. */
function optionsFromEnv() {
  const env = process.env;
  /** @param {string} name @param {string} fallback */
  const integer = (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${env[name]}"`);
    return value;
  };
  const clientSecret = env.DEMO_OAUTH_CLIENT_SECRET;
  if (!clientSecret) throw new Error("DEMO_OAUTH_CLIENT_SECRET must be set");
  const redirectUris = (env.DEMO_OAUTH_REDIRECT_URIS ?? "")
    .split(",")
    .map((uri) => uri.trim())
    .filter(Boolean);
  if (redirectUris.length === 0) throw new Error("DEMO_OAUTH_REDIRECT_URIS must list at least one redirect URI");
  return {
    port: integer("DEMO_OAUTH_PORT", "0"),
    accessTokenTtlSeconds: integer("DEMO_OAUTH_ACCESS_TOKEN_TTL", "3600"),
    control: env.DEMO_OAUTH_CONTROL === "1",
    clients: [{ client_id: env.DEMO_OAUTH_CLIENT_ID ?? "latchkey-demo", client_secret: clientSecret, redirect_uris: redirectUris }],
  };
}

async function main() {
  const provider = await startDemoProvider(optionsFromEnv());
  console.log(`demo OAuth provider listening on ${provider.issuer}`);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      provider.close().then(() => process.exit(0));
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
