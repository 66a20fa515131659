// One process at a time on an embedded database directory. PGlite is PostgreSQL compiled into the process:
// two processes opening the same directory each run their own server over the same files, which corrupts
// them. Nothing in PGlite prevents it, so every open takes `latchkey.lock` in the directory (the owner's
// pid and start time, written with O_EXCL) and a second process is refused with a message saying who has
// it, instead of silently sharing the files. A lock whose process is gone (a crash, a kill -9; a pid now
// used by another process has another start time) is taken over.

import path from "node:path";
import { PidLockHeldError, takePidLock } from "@/lib/core/pid-lock";

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

/**
 * Takes `dir`'s lock for this process (`dir` must exist). Returns its release, which removes the lock if
 * this process still holds it (also done at process exit). A lock already held by this process is shared:
 * its release does nothing.
 *
 * @throws PgliteInUseError when another live process holds it
 */
export function lockPgliteDir(dir: string): () => void {
  try {
    return takePidLock(path.join(dir, PGLITE_LOCK_FILE));
  } catch (error) {
    if (error instanceof PidLockHeldError) throw new PgliteInUseError(dir, error.pid);
    throw error;
  }
}
