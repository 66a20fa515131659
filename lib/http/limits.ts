// The app's rate limits, built once per process from the settings: counted in PostgreSQL when
// DATABASE_URL is set (shared by every app instance), in memory with embedded PGlite (one process).
// Failed authentications are audited through the vault's batching recorder.
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { getVault } from "@/lib/vault";
import { buildRequestGuards, type RequestGuards } from "./rate-limit";

const globalForGuards = globalThis as unknown as { latchkeyRequestGuards?: Promise<RequestGuards> };

/** The process's limits (tests install their own in `globalThis.latchkeyRequestGuards`). */
export function getRequestGuards(): Promise<RequestGuards> {
  globalForGuards.latchkeyRequestGuards ??= (async () => {
    const config = env();
    const [db, vault] = await Promise.all([getDb(), getVault()]);
    return buildRequestGuards(config, { db: config.DATABASE_URL ? db : undefined, events: vault.reads });
  })();
  globalForGuards.latchkeyRequestGuards.catch(() => {
    globalForGuards.latchkeyRequestGuards = undefined;
  });
  return globalForGuards.latchkeyRequestGuards;
}
