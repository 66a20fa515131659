// The sign-in and consent steps at /interaction/:uid (interactions.url points there), through
// oidc-provider's interaction API, as its devInteractions did but with our own pages (pages.mjs).
import { readBody } from "./http.mjs";
import { consentPage, esc, loginPage, page } from "./pages.mjs";

/** @typedef {import("../demo-oauth-provider.d.mts").DemoAccount} DemoAccount */

/** The answer to a form or link whose interaction is no longer the current one. */
const stalePage = () => page("This sign-in link is stale", `<p class="muted">Start connecting again from Latchkey.</p>`);

/**
 * The handler of the sign-in and consent pages (GET), their forms (POST) and Cancel (GET …/abort). The
 * forms keep devInteractions' field names (login, password, a hidden prompt) so test/oidc.ts walks either.
 * @param {any} provider the oidc-provider instance
 * @param {DemoAccount[]} accounts the first one is offered on the sign-in page
 * @param {(login: string) => DemoAccount | undefined} accountFor
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, uid: string, abort: boolean) => Promise<unknown>}
 */
export function createInteractionHandler(provider, accounts, accountFor) {
  const demoEmail = accounts[0]?.email ?? "";
  return async function handleInteraction(req, res, uid, abort) {
    const html = (/** @type {number} */ status, /** @type {string} */ body) =>
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(body);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) return html(400, stalePage());
      if (abort) {
        await provider.interactionFinished(
          req,
          res,
          { error: "access_denied", error_description: "End-User aborted interaction" },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const { prompt, params, session } = details;
      const client = await provider.Client.find(String(params.client_id));
      const clientName = client?.clientName ?? "Latchkey";
      if (req.method === "POST") {
        const form = new URLSearchParams(await readBody(req));
        if (form.get("prompt") === "login" && prompt.name === "login") {
          const login = (form.get("login") ?? "").trim();
          if (!login) return html(400, loginPage(uid, clientName, demoEmail, "Enter an email address or user name."));
          await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
          return;
        }
        if (form.get("prompt") === "consent" && prompt.name === "consent" && session) {
          const grantId = await consentedGrant(provider, details);
          if (grantId === undefined) return html(400, stalePage());
          await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
          return;
        }
        return html(400, page("This form is out of date", `<p class="muted">Reload the page and try again.</p>`));
      }
      if (prompt.name === "login") return html(200, loginPage(uid, clientName, demoEmail, null));
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
  };
}

/**
 * The consent form's grant: the interaction's grant (or a new one for its session) given what the prompt
 * found missing (OIDC scopes and claims, resource scopes), saved.
 * @param {any} provider @param {any} details oidc-provider's interaction details
 * @returns {Promise<string | undefined>} the grant's id, or undefined when the grant is gone
 */
async function consentedGrant(provider, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
  if (!grant) return undefined;
  const missing = /** @type {Record<string, any>} */ (prompt.details);
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, /** @type {string[]} */ (scopes).join(" "));
  }
  return await grant.save();
}
