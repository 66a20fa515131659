// The embedded database in a process of its own. PGlite is PostgreSQL compiled to WebAssembly, and it runs
// on the thread of whichever process opens it: opened by the app, every query, migration and read-audit
// flush ran on the thread that answers requests, and stalled them all meanwhile. So the app opens an
// embedded directory through a "database host": a child process (./pglite-host-main.ts, compiled to
// dist-scripts/pglite-host.mjs) that takes the directory's lock (./pglite-lock.ts), opens PGlite, applies
// the migrations and serves it on the directory's socket (./pglite-bridge.ts). The app then connects to
// that socket with postgres.js, as in PostgreSQL mode and as the commands do (lib/db/client.ts).
//
// The host lives as long as the app that started it: it exits when the app closes the database, when the
// IPC channel between them goes (the app exited, even by SIGKILL: the kernel closes the channel), and on a
// SIGTERM or SIGINT sent to it; each time it closes PGlite and releases the lock first. It runs in its own
// process group, so a Ctrl-C in a terminal reaches only the app, which then drains its queued audit events
// through the host before it closes it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * Node flags of the host, for its memory: PGlite's WebAssembly compiled once by the optimizing compiler
 * instead of first by the baseline one and again when hot (--no-liftoff: about 25 MB less resident, ~2 s
 * more to start), and a 1 MB young generation (its JavaScript allocates little: about 30 MB less).
 * Measured with `npm run bench:runtime` (RSS of the server and its host).
 */
export const PGLITE_HOST_NODE_FLAGS = ["--max-semi-space-size=1", "--no-liftoff"];

/** What the host tells the app over IPC: it serves the database, or why it cannot. */
export type HostMessage = { type: "ready"; socketPath: string } | { type: "failed"; message: string; code?: string; holderPid?: number };

/** The host could not open the directory: what it reported (the class and `code` of its error, the lock holder's pid). */
export class PgliteHostFailedError extends Error {
  constructor(
    message: string,
    readonly reported: { code?: string; holderPid?: number } = {},
  ) {
    super(message);
  }
}

/** A running database host. */
export interface PgliteHost {
  /** The host process's pid (the one in the directory's `latchkey.lock`). */
  pid: number;
  /** The socket it serves the database on. */
  socketPath: string;
  /**
   * Asks the host to stop (it closes its connections, rolling back open transactions, closes PGlite and
   * releases the lock) and resolves once it has exited; after `timeoutMs` (default 10 000) it is killed.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartHostOptions {
  /** The PGlite data directory (created 0700 by the host if missing). */
  dir: string;
  /** The migrations folder the host applies (lib/db/migrations.ts `findMigrationsFolder()`). */
  migrationsFolder: string;
  /**
   * Called once when the host exits without having been asked to (a crash, a kill): the database is gone
   * for this process. Gets a sentence naming the pid and the exit code or signal.
   */
  onExit?: (description: string) => void;
  /**
   * The node arguments that run the host, after {@link PGLITE_HOST_NODE_FLAGS} (default
   * {@link pgliteHostCommand} under the migrations folder's parent).
   */
  command?: string[];
}

/**
 * How to run the host with this process's node: the compiled `dist-scripts/pglite-host.mjs` under `root`
 * (the repository or the standalone folder; always in production when present), else the TypeScript
 * source under `root` through tsx (development and tests, where dist-scripts/ may be missing or stale).
 *
 * @throws Error when `root` holds neither
 */
export function pgliteHostCommand(root: string, nodeEnv = process.env.NODE_ENV): string[] {
  const compiled = path.join(root, "dist-scripts", "pglite-host.mjs");
  const source = path.join(root, "lib", "db", "pglite-host-main.ts");
  const hasSource = fs.existsSync(source);
  if (fs.existsSync(compiled) && (nodeEnv === "production" || !hasSource)) return [compiled];
  if (hasSource) return ["--import", "tsx", "--conditions=react-server", source];
  throw new Error(`The embedded database host is missing: no ${compiled} (run \`npm run build:scripts\`) and no ${source}.`);
}

/**
 * Starts a database host for `options.dir` and resolves once it serves the database. On a directory with
 * no database yet, a first host creates it and exits before the serving one starts.
 *
 * @throws PgliteHostFailedError when the host reports that it cannot open the directory (another process
 *   holds it: `reported.code` "database_unavailable" with `holderPid`; a migration history mismatch:
 *   `reported.code` "migration_history_mismatch"), or exits before it is ready (its output, on this process's
 *   stderr, says why)
 */
export async function startPgliteHost(options: StartHostOptions): Promise<PgliteHost> {
  if (!fs.existsSync(path.join(options.dir, "PG_VERSION"))) {
    // No database yet. PGlite's initdb leaves a few hundred MB resident that are never given back (measured:
    // a host 620 MB after a first start, 150 MB after a restart), so it runs in a host of its own that
    // creates the database, applies the migrations and exits; the host that serves then opens it as on a restart.
    const initializer = await spawnHost({ ...options, onExit: undefined }, ["--initialize"]);
    await initializer.stop();
  }
  return spawnHost(options, []);
}

function spawnHost(options: StartHostOptions, extra: string[]): Promise<PgliteHost> {
  const root = path.dirname(path.resolve(options.migrationsFolder));
  const args = [
    ...PGLITE_HOST_NODE_FLAGS,
    ...(options.command ?? pgliteHostCommand(root)),
    path.resolve(options.dir),
    path.resolve(options.migrationsFolder),
    ...extra,
  ];
  // cwd: the root, so `--import tsx` resolves from its node_modules. Own process group: see above.
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  return new Promise<PgliteHost>((resolve, reject) => {
    let stopping: Promise<void> | null = null;
    let ready = false;
    let failed = false;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.once("error", (error) => reject(new PgliteHostFailedError(`The embedded database host could not start: ${error.message}`)));
    child.once("exit", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (failed) return;
      if (!ready) {
        reject(
          new PgliteHostFailedError(`The embedded database host for ${options.dir} ${how} before it was ready (its output is above).`),
        );
      } else if (!stopping) {
        options.onExit?.(`The embedded database host (process ${child.pid}) for ${options.dir} ${how}.`);
      }
    });
    child.on("message", (message: HostMessage) => {
      if (message.type === "failed") {
        failed = true; // its exit is expected now: this error says why
        reject(new PgliteHostFailedError(message.message, { code: message.code, holderPid: message.holderPid }));
        return;
      }
      if (message.type !== "ready" || ready) return;
      ready = true;
      resolve({
        pid: child.pid ?? 0,
        socketPath: message.socketPath,
        stop: (timeoutMs = 10_000) => (stopping ??= stopHost(child, exited, timeoutMs)),
      });
    });
  });
}

/** Disconnects from the host (its cue to close and exit) and waits for it, killing it after `timeoutMs`. */
async function stopHost(child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.disconnect();
  else child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  timer.unref();
  await exited;
  clearTimeout(timer);
}
