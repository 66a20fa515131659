// Next-side glue: read the session once per request, turn it into an actor, and apply a role guard
// the way each kind of entry point needs (pages redirect or render 403; route handlers and server
// actions answer with an error code).
import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { NextResponse } from "next/server";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { loadUserActor, type UserActor } from "./actor";
import { AccessError } from "./guards";
import { authOptions } from "./options";

/** The signed-in person, or null. A forged, expired or stale session reads as signed out. */
export const getActor = cache(async (): Promise<UserActor | null> => {
  let session;
  try {
    session = await getServerSession(authOptions());
  } catch {
    return null;
  }
  const userId = session?.user?.id;
  if (!userId) return null;
  return loadUserActor(await getDb(), userId);
});

/** For pages and layouts: runs a guard, sending the signed-out to sign in and the unentitled to 403. */
export async function guardPage<T>(guard: (actor: UserActor | null) => T, returnTo: string): Promise<T> {
  const actor = await getActor();
  try {
    return guard(actor);
  } catch (error) {
    if (error instanceof AccessError) {
      if (error.code === "unauthenticated") redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
      forbidden();
    }
    throw error;
  }
}

export function errorResponse(status: number, code: string, message: string): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status });
}

/** For route handlers: resolves the caller, applies the guard, and answers 401/403 as JSON. */
export function guardedRoute<G, Ctx>(
  guard: (actor: UserActor | null) => G,
  handler: (request: Request, guarded: G, context: Ctx) => Promise<Response>,
) {
  return async (request: Request, context: Ctx): Promise<Response> => {
    let guarded: G;
    try {
      guarded = guard(await getActor());
    } catch (error) {
      if (error instanceof AccessError) return errorResponse(error.status, error.code, error.message);
      throw error;
    }
    return handler(request, guarded, context);
  };
}

export type ActionResult<T = undefined> =
  { ok: true; data?: T; message?: string } | { ok: false; error: string; code?: string; field?: string };

/** For server actions: the action body runs only if the guard passes; refusals come back as state. */
export function guardedAction<G, Args extends unknown[], T>(
  guard: (actor: UserActor | null) => G,
  action: (guarded: G, ...args: Args) => Promise<ActionResult<T>>,
) {
  return async (...args: Args): Promise<ActionResult<T>> => {
    let guarded: G;
    try {
      guarded = guard(await getActor());
    } catch (error) {
      if (error instanceof AccessError) return { ok: false, error: error.message, code: error.code };
      throw error;
    }
    return action(guarded, ...args);
  };
}
