// The publisher API's one entry wrapper: authenticate the bearer API token, describe the caller for
// the audit trail (the CLI identifies itself, so its changes are recorded with source "cli"), and turn
// the domain's typed errors into `{ "error": { "code", "message" } }` responses with their status.
import "server-only";
import type { AuditSource } from "@/lib/audit/events";
import { AccessError } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import type { PublisherCall } from "@/lib/extensions/access";
import { authenticateApiToken } from "@/lib/extensions/api-tokens";
import { ExtensionError } from "@/lib/extensions/errors";
import { requestSource } from "@/lib/http/client-address";
import { getRequestGuards } from "@/lib/http/limits";
import { jsonResponse } from "@/lib/http/respond";
import { route } from "@/lib/http/route";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { getVault } from "@/lib/vault";

/** A JSON answer that is never cached and carries the request id. */
export function apiJson(body: unknown, status = 200): Response {
  return jsonResponse(body, status);
}

function sourceOf(request: Request, trustedHops: number): AuditSource {
  const viaCli = request.headers.get("x-latchkey-client") === "cli";
  return requestSource(request.headers, viaCli ? "cli" : "api", { trustedHops });
}

type Handler<P> = (request: Request, call: PublisherCall, deps: PublisherDeps, params: P) => Promise<Response>;

/** Wraps a publisher API route: bearer token → actor, then the handler; errors served by lib/http. */
export function publisherApi<P>(handler: Handler<P>) {
  return route<P>(async (request, context) => {
    const guards = await getRequestGuards();
    const source = sourceOf(request, guards.trustedProxyHops);
    // Each failure counts against the address (429 past its limit; valid tokens are never refused) and
    // into the aggregated `auth.failure` audit event.
    const refuse = async (message: string) => {
      await guards.tokenFailures.failed("publisher_token", source, message);
      return new AccessError("unauthenticated", message);
    };
    const match = (request.headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) {
      throw await refuse("Send a publisher API token as Authorization: Bearer lk_pub_… (create one in the Publisher Dashboard).");
    }
    const db = await getDb();
    const actor = await authenticateApiToken(db, match[1]);
    if (!actor) throw await refuse("This API token is not valid: it may have been revoked. Create a new one in the Publisher Dashboard.");
    return handler(request, { actor, source }, { db, vault: await getVault() }, await context.params);
  });
}

/** Reads a JSON body, or answers 400. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ExtensionError("credential_value_invalid", "Send a JSON body.");
  }
}
