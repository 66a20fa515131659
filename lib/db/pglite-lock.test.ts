// One process at a time on an embedded database directory: a second live process is refused with its
// pid named; a lock left by a process that is gone, or whose pid now belongs to another process, is
// taken over; the holder's release removes it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockPgliteDir, PGLITE_LOCK_FILE, PgliteInUseError } from "./pglite-lock";

// A live process other than this one: the test runner that started this worker.
const other = { pid: process.ppid };
const dirs: string[] = [];
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-lock-"));
  dirs.push(dir);
  return dir;
};
const lockOf = (dir: string) => path.join(dir, PGLITE_LOCK_FILE);

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database's directory lock", () => {
  it("is held by this process until released, and shared within it", () => {
    const dir = freshDir();
    const release = lockPgliteDir(dir);
    expect(fs.readFileSync(lockOf(dir), "utf8")).toMatch(new RegExp(`^${process.pid}\\b`));
    const again = lockPgliteDir(dir);
    again();
    expect(fs.existsSync(lockOf(dir))).toBe(true);
    release();
    expect(fs.existsSync(lockOf(dir))).toBe(false);
  });

  it("refuses while another live process holds it, naming that process", () => {
    const dir = freshDir();
    fs.writeFileSync(lockOf(dir), `${other.pid}\n`);
    expect(() => lockPgliteDir(dir)).toThrow(PgliteInUseError);
    expect(() => lockPgliteDir(dir)).toThrow(`is in use by process ${other.pid}`);
    expect(fs.readFileSync(lockOf(dir), "utf8")).toBe(`${other.pid}\n`);
  });

  it("takes over a lock whose process is gone, or whose pid now runs another process", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const dir = freshDir();
    fs.writeFileSync(lockOf(dir), `${gone}\n`);
    lockPgliteDir(dir)();
    const reused = freshDir();
    // The live process's pid, but another start time: the process that wrote it is not this one.
    fs.writeFileSync(lockOf(reused), `${other.pid} 1\n`);
    const release = lockPgliteDir(reused);
    expect(fs.readFileSync(lockOf(reused), "utf8")).toMatch(new RegExp(`^${process.pid}\\b`));
    release();
  });
});
