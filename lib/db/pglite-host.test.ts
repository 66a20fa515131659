// The app's embedded database in a process of its own (lib/db/pglite-host.ts): the lock holder is the host,
// not the opener; a long query keeps the host busy while the opener's event loop goes on turning (the same
// query in-process stops it); a command runs beside it; a second opener joins through the host's socket;
// the opener hears of a host that dies; and a host whose app is SIGKILLed exits and gives the directory back.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/lib/db/schema";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { openDatabase, type Database } from "./client";
import { BRIDGE_SOCKET } from "./pglite-bridge";
import { lockPgliteDir, PGLITE_LOCK_FILE } from "./pglite-lock";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lk-host-"));
const pgliteDir = path.join(dataDir, "pglite");
const settings = { LATCHKEY_DATA_DIR: dataDir, DATABASE_URL: "", LATCHKEY_DEMO: "true", LOG_LEVEL: "silent" };
const hostExits: string[] = [];
let hostExited: (description: string) => void = () => {};
let app: Database;
let fx: RuntimeFixture;

beforeAll(async () => {
  app = await openDatabase({
    pgliteDir,
    embedded: "host",
    onHostExit: (description) => {
      hostExits.push(description);
      hostExited(description);
    },
  });
  fx = await seedRuntimeFixture(app.db);
}, 60_000);
afterAll(async () => {
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const lockHolder = () => Number.parseInt(fs.readFileSync(path.join(pgliteDir, PGLITE_LOCK_FILE), "utf8"), 10);

/** Whether a process with this pid runs (signal 0 tests without sending anything). */
/** Whether the process runs: it exists and has not exited (an exited child not yet reaped is a zombie, state Z). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** How many times this process's event loop comes round (a setImmediate chain) while `work` is pending. */
async function turnsWhile(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const spin = () => {
    if (done) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await work;
  done = true;
  return turns;
}

function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...settings } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const longQuery = sql`select count(*) from generate_series(1, 1000000)`;

describe("the app's embedded database host", () => {
  it("is another process: it holds the directory's lock and serves the socket, and its long query leaves the app's event loop turning", async () => {
    expect(app.driver).toBe("pglite-host");
    expect(app.hostPid).toBeGreaterThan(0);
    expect(app.hostPid).not.toBe(process.pid);
    expect(lockHolder()).toBe(app.hostPid);
    expect(fs.statSync(path.join(pgliteDir, BRIDGE_SOCKET)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(pgliteDir).mode & 0o777).toBe(0o700);

    // Through the host the loop keeps turning while PGlite counts; with PGlite in this process it cannot
    // turn even once, since the query runs on this thread from start to end.
    expect(await turnsWhile(app.db.execute(longQuery))).toBeGreaterThan(1000);
    const inProcess = await openDatabase({ pgliteDir: "memory://" });
    try {
      expect(inProcess.driver).toBe("pglite");
      expect(await turnsWhile(inProcess.db.execute(longQuery))).toBeLessThanOrEqual(1);
    } finally {
      await inProcess.close();
    }
  }, 60_000);

  it("lets `npm run token:mint` run beside the app, through the host's socket", async () => {
    const minted = await run("npx", [
      "tsx",
      "--conditions=react-server",
      "lib/runtime/mint-main.ts",
      "--installation",
      fx.alphaOrg1,
      "--user",
      fx.u1,
    ]);
    expect(minted.stderr).toContain(`Runtime token for installation ${fx.alphaOrg1}`);
    expect(minted.status).toBe(0);
    const events = await app.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "runtime_token.mint"), eq(auditEvents.orgId, fx.org1)));
    expect(events).toHaveLength(1);
  }, 60_000);

  it("lets a second opener in through the host's socket only (a second app is refused at start-up for that)", async () => {
    const second = await openDatabase({ pgliteDir, embedded: "host" });
    try {
      expect(second.driver).toBe("pglite-shared");
      expect(second.hostPid).toBeUndefined();
      expect(lockHolder()).toBe(app.hostPid);
    } finally {
      await second.close();
    }
  }, 60_000);

  it("tells the app when its host dies, naming how", async () => {
    const pid = app.hostPid ?? 0;
    const heard = new Promise<string>((resolve) => (hostExited = resolve));
    process.kill(pid, "SIGKILL");
    expect(await heard).toBe(`The embedded database host (process ${pid}) for ${pgliteDir} was killed by SIGKILL.`);
    expect(hostExits).toHaveLength(1);
  });

  it("exits and gives the directory back when the app that started it is SIGKILLed", async () => {
    const opener = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=react-server", "lib/db/fixtures/open-through-host.ts", pgliteDir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: opener.stdout }).once("line", resolve);
      opener.once("exit", (code) => reject(new Error(`the opener exited (${code}) before it opened the database`)));
    });
    const { hostPid } = JSON.parse(line) as { hostPid: number };
    // The directory was left locked by the killed host above: the new host took it over.
    expect(lockHolder()).toBe(hostPid);
    expect(hostPid).not.toBe(opener.pid);
    // The host is the opener's child, not ours, so no exit event of its reaches this process; but it inherits
    // the opener's stdout, this test's pipe, which ends only once every process holding it has exited.
    const pipeClosed = new Promise<void>((resolve) => opener.stdout.on("end", resolve));
    opener.kill("SIGKILL");
    await pipeClosed;
    expect(running(hostPid)).toBe(false);
    expect(fs.existsSync(path.join(pgliteDir, PGLITE_LOCK_FILE))).toBe(false);
    lockPgliteDir(pgliteDir)();
  }, 60_000);
});
