// The runtime HTTP API's logic, independent of Next: each handler takes a standard Request and returns
// a Response, so the route files under app/api/v1 are one-line wrappers and tests call the same code
// with their own database and vault. Every request: verify the bearer token, check its scope, re-check
// the installation (extension, org, membership), resolve the secret against the extension's
// declarations, then call the vault with the extension as the audited actor.
import { RuntimeCallers } from "./api-caller";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { checkReadiness } from "./readiness";
import { decodedSegment, errorJson, json } from "./api-request";
import { oauthTokenHandler } from "./api-oauth-token";
import { secretHandlers } from "./api-secrets";

export { errorJson, json, MAX_BODY_BYTES, resolveDeclared, type SecretMeta } from "./api-request";

export interface RuntimeApi {
  listSecrets(request: Request): Promise<Response>;
  getSecret(request: Request, ref: string): Promise<Response>;
  getSecretMeta(request: Request, ref: string): Promise<Response>;
  putSecret(request: Request, ref: string): Promise<Response>;
  deleteSecret(request: Request, ref: string): Promise<Response>;
  readiness(request: Request): Promise<Response>;
  oauthToken(request: Request): Promise<Response>;
  jwks(request: Request): Promise<Response>;
  /** Routes a request by method and path (for in-process clients such as tests and the example). */
  handle(request: Request): Promise<Response>;
}

export function runtimeApi(deps: RuntimeDeps): RuntimeApi {
  const callers = new RuntimeCallers(deps);
  const { listSecrets, getSecret, getSecretMeta, putSecret, deleteSecret } = secretHandlers(deps, callers);
  const readiness = callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "readiness:read");
    return json(await checkReadiness(deps, caller.installation, caller.identity.userId));
  });

  const oauthToken = oauthTokenHandler(deps, callers);

  const jwks = callers.guarded(async () => {
    const body = await deps.keys.jwks();
    return new Response(JSON.stringify(body), {
      headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
    });
  });

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const method = request.method.toUpperCase();
    const notAllowed = () => errorJson(new RuntimeError("method_not_allowed", `${method} is not allowed on ${pathname}.`));
    if (pathname === "/.well-known/jwks.json") return method === "GET" ? jwks(request) : notAllowed();
    if (pathname === "/api/v1/secrets") return method === "GET" ? listSecrets(request) : notAllowed();
    if (pathname === "/api/v1/readiness") return method === "GET" ? readiness(request) : notAllowed();
    if (pathname === "/api/v1/oauth/token") return method === "POST" ? oauthToken(request) : notAllowed();
    const meta = /^\/api\/v1\/secrets\/([^/]+)\/meta$/.exec(pathname);
    const badRef = () =>
      errorJson(new RuntimeError("invalid_secret_ref", "The secret reference in the path is not valid percent-encoding."));
    if (meta?.[1]) {
      const ref = decodedSegment(meta[1]);
      if (ref === null) return badRef();
      return method === "GET" ? getSecretMeta(request, ref) : notAllowed();
    }
    const one = /^\/api\/v1\/secrets\/([^/]+)$/.exec(pathname);
    if (one?.[1]) {
      const ref = decodedSegment(one[1]);
      if (ref === null) return badRef();
      if (method === "GET") return getSecret(request, ref);
      if (method === "PUT") return putSecret(request, ref);
      if (method === "DELETE") return deleteSecret(request, ref);
      return notAllowed();
    }
    return errorJson(new RuntimeError("not_found", `No runtime endpoint at ${pathname}.`));
  }

  return { listSecrets, getSecret, getSecretMeta, putSecret, deleteSecret, readiness, oauthToken, jwks, handle };
}
