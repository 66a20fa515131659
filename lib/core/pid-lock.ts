// A lock file that names its owner: the process id and, on Linux, when that process started (so a pid
// reused by a later process is not taken for the owner). Written with O_EXCL; a lock whose process is gone
// (a crash, a kill -9) is taken over instead of blocking for ever. Used for the embedded database's
// directory (lib/db/pglite-lock.ts) and the local key file (lib/crypto/local-keyring.ts).
import fs from "node:fs";

/** Another live process holds the lock. */
export class PidLockHeldError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`${file} is held by process ${pid}`);
    this.name = "PidLockHeldError";
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

/** This process's lock line: its pid and, where known, when it started. */
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
 * Takes the lock file `file` for this process (its directory must exist). Returns its release, which
 * removes the file if this process still holds it (also done at process exit). A lock this process already
 * holds is shared: that release does nothing.
 * @throws PidLockHeldError when another live process holds it
 */
export function takePidLock(file: string): () => void {
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
    if (alive(holder)) throw new PidLockHeldError(file, Number.parseInt(holder, 10));
    // Left by a process that is gone (or unreadable): take it over.
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}: it keeps changing.`);
}
