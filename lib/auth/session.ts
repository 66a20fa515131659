// Next-side glue: read the session once per request, turn it into an actor, and apply a role guard
// the way each kind of entry point needs (pages redirect or render 403; route handlers and server
// actions answer with an error code).
import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
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

/**
 * For route handlers: resolves the caller and applies the guard inside lib/http's `route`, so a refusal
 * answers 401/403 and any error `{ error: { code, message, request_id } }` with its status.
 */
export function guardedRoute<G, P = Record<string, never>>(
  guard: (actor: UserActor | null) => G,
  handler: (request: Request, guarded: G, context: { params: Promise<P> }) => Promise<Response>,
) {
  return route<P>(async (request, context) => handler(request, guard(await getActor()), context));
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
