// Shared helpers of the production checks (scripts/check-standalone.mjs, scripts/check-multi.mjs): one
// line per check, bounded child processes in their own process groups (stopped however the check ends),
// free loopback ports, a scratch PostgreSQL database, and the standalone build to run.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

export const root = path.resolve(import.meta.dirname, "..");

/** Thrown by `abort`: a check failed that the rest of the run depends on. */
class Aborted extends Error {}

/** Runs a command to completion (bounded); returns its exit code and output. */
function runBounded(command, args, options) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? 1, out: result.stdout ?? "", err: `${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/**
 * Starts a long-running process in its own process group, output to <scratch>/<name>.log. Returns the
 * child with `exited` (a promise of its exit code or signal) and `output()` (its log so far).
 */
function startLogged(scratch, command, args, options) {
  const file = path.join(scratch, `${options.name}.log`);
  const fd = fs.openSync(file, "a");
  const child = spawn(command, args, {
    cwd: options.cwd ?? scratch,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  fs.closeSync(fd);
  child.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  child.output = () => fs.readFileSync(file, "utf8");
  return child;
}

/** A check run: `check()` prints ok/FAIL lines, `finish()` prints the tally and exits. */
export function checkRun(name) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `latchkey-${name}-`));
  const started = [];
  const cleanups = [];
  let failures = 0;
  let passes = 0;
  const log = (line) => console.log(`[${name}] ${line}`);

  function check(ok, what, detail = "") {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}${!ok && detail ? `\n     ${String(detail).trim().split("\n").join("\n     ")}` : ""}`);
    if (ok) passes++;
    else failures++;
    return ok;
  }

  const run = (command, args, options = {}) => runBounded(command, args, options);

  /** Records a failure and stops the run (caught by `main`, which still cleans up). */
  function abort(what, detail) {
    check(false, what, detail);
    throw new Aborted(what);
  }

  function mustRun(what, command, args, options) {
    const result = run(command, args, options);
    if (result.code !== 0) abort(what, `${result.out}\n${result.err}`.slice(-4000));
    return result;
  }

  /** Starts a long-running process (see startLogged); stopped when the run ends. */
  function start(command, args, options) {
    const child = startLogged(scratch, command, args, options);
    started.push(child);
    return child;
  }

  /** Stops what this run started, drops its databases, removes its scratch folder, however the process ends. */
  function cleanUp() {
    for (const child of started) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (process.env.KEEP_CHECK_DIR) log(`scratch folder kept: ${scratch}`);
    else fs.rmSync(scratch, { recursive: true, force: true });
  }

  async function finish() {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    console.log(`${name}: ${passes} passed, ${failures} failed`);
    process.exit(failures === 0 ? 0 : 1);
  }

  /** Runs the checks, then cleans up and exits 0 only if every check passed. */
  async function main(body) {
    try {
      await body();
    } catch (error) {
      if (!(error instanceof Aborted)) check(false, "the check itself failed", error instanceof Error ? error.stack : String(error));
    }
    await finish();
  }

  process.on("exit", cleanUp);
  process.on("SIGINT", () => process.exit(130));
  process.on("SIGTERM", () => process.exit(143));
  return { scratch, log, check, run, mustRun, abort, start, main, onFinish: (fn) => cleanups.push(fn), failures: () => failures };
}

/** A free loopback port (the kernel's pick). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers below 500 (or `accept` says so), at most `timeoutMs`; the answer or null. */
export async function waitFor(url, timeoutMs, accept = (response) => response.status < 500) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (accept(response)) return response;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

/**
 * A new database on the local PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * with a client on it; `drop()` removes it.
 */
export async function scratchDatabase(label) {
  const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const server = new URL(serverUrl);
  if (!["127.0.0.1", "localhost", "::1"].includes(server.hostname))
    throw new Error(`refusing to create check databases on ${server.hostname}`);
  const name = `latchkey_${label}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 1 }).catch(() => {});
      if (process.env.KEEP_CHECK_DIR) return void console.log(`[${label}] database kept: ${url}`);
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/**
 * The standalone folder to run: built with scripts/build-standalone.sh unless LATCHKEY_CHECK_REUSE_BUILD=1
 * and one is there (CI builds once and runs every check on it).
 */
export function standaloneFolder(run) {
  const dist = process.env.NEXT_DIST_DIR ?? ".next";
  const folder = path.join(root, dist, "standalone");
  const ready = fs.existsSync(path.join(folder, "server.js")) && fs.existsSync(path.join(folder, "dist-scripts", "worker.mjs"));
  if (process.env.LATCHKEY_CHECK_REUSE_BUILD === "1" && ready) {
    run.log(`reusing the standalone build in ${path.relative(root, folder)}`);
  } else {
    run.log("building (scripts/build-standalone.sh)…");
    run.mustRun("scripts/build-standalone.sh", "bash", [path.join(root, "scripts", "build-standalone.sh")]);
  }
  return folder;
}

/** The JSON lines of a pino log (other lines skipped). */
export function logLines(text) {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    })
    .filter(Boolean);
}
