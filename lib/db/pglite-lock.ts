// One process at a time on an embedded database directory. PGlite is PostgreSQL compiled into the process:
// two processes opening the same directory each run their own server over the same files, which corrupts
// them. Nothing in PGlite prevents it, so every open takes `latchkey.lock` in the directory (the owner's
// pid and start time, written with O_EXCL) and a second process is refused with a message saying who has
// it, instead of silently sharing the files. A lock whose process is gone (a crash, a kill -9; a pid now
// used by another process has another start time) is taken over.

import fs from "node:fs";
import path from "node:path";

/** The lock file's name inside a PGlite data directory. */
export const PGLITE_LOCK_FILE = "latchkey.lock";

/** Raised when another live process holds the directory. */
export class PgliteInUseError extends Error {
  readonly code = "database_unavailable";
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (a running Latchkey app or command): ` +
        "PGlite allows one process at a time. Stop that process first, or set DATABASE_URL to use PostgreSQL, " +
        "which the app, the worker and every command share.",
    );
  }
}

/** When a process started (clock ticks since boot, from /proc on Linux), or "" where that is not known. */
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

/** This process's lock line: its pid and, where known, when it started (so a reused pid is not taken for it). */
const owner = () => `${process.pid} ${startTime(process.pid)}`.trim();

/** Whether the process a lock line names is still running (the same process, not a later one given its pid). */
function alive(line: string): boolean {
  const [pidText, started = ""] = line.trim().split(" ");
  const pid = Number.parseInt(pidText ?? "", 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return started === "" || startTime(pid) === "" || startTime(pid) === started;
}

/**
 * Takes `dir`'s lock for this process (`dir` must exist). Returns its release, which removes the lock if
 * this process still holds it (also done at process exit). A lock already held by this process is shared:
 * its release does nothing.
 *
 * @throws PgliteInUseError when another live process holds it
 */
export function lockPgliteDir(dir: string): () => void {
  const file = path.join(dir, PGLITE_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${owner()}\n`, { flag: "wx", mode: 0o600 });
      const release = () => {
        process.off("exit", release);
        try {
          if (fs.readFileSync(file, "utf8").trim() === owner()) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: string;
    try {
      holder = fs.readFileSync(file, "utf8").trim();
    } catch {
      continue; // removed meanwhile: try again
    }
    if (holder === owner()) return () => {};
    if (alive(holder)) throw new PgliteInUseError(dir, Number.parseInt(holder, 10));
    // Left by a process that is gone (or unreadable): take it over.
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}: it keeps changing.`);
}
