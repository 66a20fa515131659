// Shared helpers for the bench/ scripts: numeric flags, number formatting, a one-line progress display,
// a fixed-count concurrent runner and a seeded shuffle, so every script measures and prints the same way.

/** Parses `--name N` / `--name=N` flags against their defaults; anything else is an error. */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describeDatabaseUrl, openDatabase, type Database } from "@/lib/db/client";
import { seededRandom } from "./random";
export function parseFlags<K extends string>(defaults: Record<K, number>, argv = process.argv.slice(2)): Record<K, number> {
  const values: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (!name || !(name in defaults)) {
      const known = Object.keys(defaults)
        .map((flag) => `--${flag} N`)
        .join(" ");
      throw new Error(`Unknown argument "${arg}". Usage: ${known}`);
    }
    const raw = match[2] ?? argv[++i];
    const n = Number((raw ?? "").replaceAll(/[_,]/g, ""));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${raw ?? ""}"`);
    values[name] = n;
  }
  return values as Record<K, number>;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Rewrites one terminal line (only on a TTY, so captured output stays clean); call clear() when done. */
export function progress(label: string) {
  const started = performance.now();
  const tty = process.stdout.isTTY === true;
  return {
    update(done: number, total: number) {
      if (!tty) return;
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      process.stdout.write(`\r\x1b[K${label} ${fmt(done)}/${fmt(total)} (${fmt(rate)}/s)`);
    },
    clear() {
      if (tty) process.stdout.write("\r\x1b[K");
    },
  };
}

/**
 * Runs task(0..total-1) with `concurrency` workers pulling from one counter; resolves with the elapsed
 * seconds. The first failure stops the other workers from taking more work and is rethrown.
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  let next = 0;
  let done = 0;
  let failed = false;
  const started = performance.now();
  const worker = async () => {
    while (!failed && next < total) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        failed = true;
        throw error;
      }
      done++;
      if (onProgress && (done % 50 === 0 || done === total)) onProgress(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return (performance.now() - started) / 1000;
}

/** A deterministic permutation of 0..n-1 (seededRandom + Fisher–Yates), so runs compare like for like. */
export function shuffled(n: number, seed = 0x1a7c4): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = order[i] ?? i;
    order[i] = order[j] ?? j;
    order[j] = a;
  }
  return order;
}

/** Peak resident set size of this process so far, in MB (Linux reports maxRSS in KiB). */
export const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

const DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test";

export interface Backend {
  database: Database;
  label: string;
  drop(): Promise<void>;
}

/** A fresh database on the PostgreSQL server (DATABASE_URL or the local one), or in-memory PGlite when it cannot be reached. */
export async function openBackend(options: { max?: number } = {}): Promise<Backend> {
  const max = options.max ?? 10;
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER;
  const name = `latchkey_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  let version: string;
  try {
    const [row] = await admin<{ server_version: string }[]>`show server_version`;
    version = row?.server_version.split(" ")[0] ?? "?";
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end({ timeout: 0 }).catch(() => {});
    console.log(`PostgreSQL at ${describeDatabaseUrl(serverUrl)} unavailable (${(error as Error).message}); using embedded PGlite.`);
    const database = await openDatabase({ pgliteDir: "memory://" });
    return { database, label: "PGlite (embedded, in-memory)", drop: async () => {} };
  }
  const drop = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  };
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase({ url: url.toString(), max });
    return { database, label: `PostgreSQL ${version} (${url.hostname}, pool of ${max})`, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}
