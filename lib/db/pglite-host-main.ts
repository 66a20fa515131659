// The database host's program (see ./pglite-host.ts, which starts it): opens the embedded database in
// the directory it is given, serves it on the directory's socket, says "ready" to the app over IPC, and
// stays until the app closes the channel (the app closed the database, or exited however it did) or a
// SIGTERM/SIGINT reaches it; then it closes its connections (rolling back open transactions) and PGlite,
// and releases the lock. Compiled to dist-scripts/pglite-host.mjs (tsup.scripts.config.ts), so production
// runs it with plain node. Not a command: run by hand it says so and exits. With --initialize it creates
// the database (initdb) and applies the migrations but serves nothing: the app runs that first, in a host
// of its own, on a directory that holds no database yet (see startPgliteHost).
//   node dist-scripts/pglite-host.mjs <pglite dir> <migrations folder> [--initialize]
import type { Database } from "./client";
import { openPgliteHere } from "./client";
import type { HostMessage } from "./pglite-host";

/** How long closing may take before the host exits anyway (PGlite's close writes its last pages). */
const CLOSE_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const [dir, migrationsFolder, mode] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!send || !dir || !migrationsFolder) {
    process.stderr.write("The embedded database host is started by the Latchkey app (lib/db/pglite-host.ts), not by hand.\n");
    process.exit(2);
  }
  const tell = (message: HostMessage) => new Promise<void>((resolve) => send(message, undefined, {}, () => resolve()));
  let database: Database | null = null;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(1), CLOSE_TIMEOUT_MS).unref();
    void (database?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`The embedded database host could not close the database cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // Registered first: an app that dies while the host still opens the database must not leave it running.
  process.on("disconnect", close);
  process.on("SIGTERM", close);
  process.on("SIGINT", close);
  try {
    database = await openPgliteHere(dir, migrationsFolder);
    if (mode === "--initialize") {
      if (!closing) await tell({ type: "ready", socketPath: "" });
      return;
    }
    const bridge = await database.share?.();
    if (!bridge) throw new Error(`${dir} has no socket to serve the database on (its path is too long for a Unix socket).`);
    if (closing) return;
    await tell({ type: "ready", socketPath: bridge.socketPath });
  } catch (error) {
    closing = true;
    const { message, code, pid } = error as Error & { code?: unknown; pid?: unknown };
    // The app maps `code` back to its error class (lib/db/client.ts).
    await tell({
      type: "failed",
      message,
      code: typeof code === "string" ? code : undefined,
      holderPid: typeof pid === "number" ? pid : undefined,
    });
    process.exit(1);
  }
}

void main();
