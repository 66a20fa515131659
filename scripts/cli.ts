// Shared set-up for the operator scripts: the configured database and vault, opened the way the app
// opens them, and a progress line for long work.
import { openDatabase, type Database } from "@/lib/db/client";
import type { PgliteBridge } from "@/lib/db/pglite-bridge";
import { EnvError, env } from "@/lib/env";
import { createVaultFromEnv } from "@/lib/vault/create";
import type { Vault } from "@/lib/vault/vault";

/**
 * Opens the configured database and vault for a command. An embedded directory no one holds is opened in
 * this process (a command is short, so nothing waits on its thread) and served on the directory's socket
 * meanwhile, so a second command, the worker or an app-less `psql` can join it (its close then waits for
 * them to leave); one a running app (or another command) holds is reached through that process's socket.
 * Exits with the error's message when either cannot be opened.
 */
export async function openCli(): Promise<{ database: Database; vault: Vault }> {
  try {
    const config = env();
    const opened = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir, max: 4 });
    // Best effort: without the socket the others are refused with this process's pid, as before.
    const bridge = await opened.share?.().catch(() => null);
    const database = bridge ? { ...opened, close: () => closeShared(opened, bridge) } : opened;
    return { database, vault: await createVaultFromEnv(database.db, config) };
  } catch (error) {
    fail(error);
  }
}

/** Closes a database this command served to others once they are done with it (their work would fail midway). */
async function closeShared(database: Database, bridge: PgliteBridge): Promise<void> {
  if (bridge.connections > 0) {
    console.error(`Waiting for ${bridge.connections} connection(s) of other commands to this embedded database to end…`);
  }
  await bridge.drain();
  await database.close();
}

export function fail(error: unknown): never {
  const message = error instanceof EnvError || error instanceof Error ? error.message : String(error);
  console.error(`\n${message}`);
  process.exit(1);
}

/** Rewrites one terminal line with the current progress (a plain line per update when not a TTY). */
export function progress(label: string) {
  const started = performance.now();
  return (done: number, total: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const line = `${label}: ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${rate.toLocaleString("en-US")}/s)`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
    else console.log(line);
  };
}
