// The publisher API's one entry wrapper: authenticate the bearer API token, describe the caller for
// the audit trail (the CLI identifies itself, so its changes are recorded with source "cli"), and turn
// the domain's typed errors into `{ "error": { "code", "message" } }` responses with their status.
import "server-only";
import { NextResponse } from "next/server";
import type { AuditSource } from "@/lib/audit/events";
import { AccessError } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import type { PublisherCall } from "@/lib/extensions/access";
import { authenticateApiToken } from "@/lib/extensions/api-tokens";
import { ExtensionError } from "@/lib/extensions/errors";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { getVault, VaultError } from "@/lib/vault";

export function apiError(status: number, code: string, message: string, details?: Record<string, unknown>): NextResponse {
  return NextResponse.json(
    { error: { code, message, ...(details ? { details } : {}) } },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

export function apiJson(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

function sourceOf(request: Request): AuditSource {
  const viaCli = request.headers.get("x-latchkey-client") === "cli";
  return {
    kind: viaCli ? "cli" : "api",
    ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || null,
    userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
  };
}

type Handler<P> = (request: Request, call: PublisherCall, deps: PublisherDeps, params: P) => Promise<Response>;

export function publisherApi<P>(handler: Handler<P>) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const match = (request.headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1])
      return apiError(
        401,
        "unauthenticated",
        "Send a publisher API token as Authorization: Bearer lk_pub_… (create one in the Publisher Dashboard).",
      );
    try {
      const db = await getDb();
      const actor = await authenticateApiToken(db, match[1]);
      if (!actor)
        return apiError(
          401,
          "unauthenticated",
          "This API token is not valid: it may have been revoked. Create a new one in the Publisher Dashboard.",
        );
      return await handler(request, { actor, source: sourceOf(request) }, { db, vault: await getVault() }, await context.params);
    } catch (error) {
      if (error instanceof ExtensionError) {
        const { manifestErrors, missing } = error.details;
        return apiError(
          error.status,
          error.code,
          error.message,
          manifestErrors ? { errors: manifestErrors } : missing ? { missing } : undefined,
        );
      }
      if (error instanceof VaultError) return apiError(error.status, error.code, error.message);
      if (error instanceof AccessError) return apiError(error.status, error.code, error.message);
      throw error;
    }
  };
}

/** Reads a JSON body, or answers 400. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ExtensionError("credential_value_invalid", "Send a JSON body.");
  }
}
