// The switchboard over HTTP, under /__control/, for tests in other processes (the e2e run's app and
// browser): GET stats, POST revoke-grants, reset, expire-tokens?account=&count= and fail?count=&status=.
import { sendJson } from "./http.mjs";

/** @typedef {ReturnType<typeof import("./switchboard.mjs").createSwitchboard>} Switchboard */

/**
 * Answers one /__control/ request: 200 with the counters, 204 when a switch took, 400 naming a bad
 * parameter, 404 for any other route.
 * @param {Switchboard} switchboard
 * @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res @param {URL} url
 */
export function handleControl(switchboard, req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  if (route === "GET /__control/stats") return sendJson(res, 200, switchboard.stats());
  if (route === "POST /__control/revoke-grants") return (switchboard.revokeGrants(), sendJson(res, 204));
  if (route === "POST /__control/reset") return (switchboard.reset(), sendJson(res, 204));
  if (route === "POST /__control/expire-tokens") {
    return flip(res, () =>
      switchboard.expireNextTokens(url.searchParams.get("account") ?? "", Number(url.searchParams.get("count") ?? "1")),
    );
  }
  if (route === "POST /__control/fail") {
    return flip(res, () =>
      switchboard.failNext(Number(url.searchParams.get("count") ?? "1"), Number(url.searchParams.get("status") ?? "500")),
    );
  }
  return sendJson(res, 404, { error: `no control route ${route}` });
}

/**
 * Throws a switch: 204, or 400 with the switch's complaint about its parameters.
 * @param {import("node:http").ServerResponse} res @param {() => void} set
 */
function flip(res, set) {
  try {
    set();
  } catch (error) {
    return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
  return sendJson(res, 204);
}
