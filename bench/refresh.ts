// npm run bench:refresh [-- --connections N --workers N --concurrency N --pool N] — N OAuth connections
// expiring at once, refreshed by separate worker processes racing on one PostgreSQL database, against a
// loopback token endpoint that rotates refresh tokens (each one valid once, as strict providers do).
// Prints the token requests made (goal: exactly one per connection), duplicate refreshes — a refresh
// token presented a second time, which a real provider answers with invalid_grant and often by revoking
// the whole grant (goal: 0) — and the wall time; then checks every connection in the database.
// Needs PostgreSQL (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/test): PGlite
// admits one process. The throwaway database is dropped at the end.
// Then, on the embedded database (in-memory PGlite, one process): secret-read latency (p50/p99) while
// --hanging N refreshes wait at a token endpoint that holds its answers (at most 8 s, under the client's
// 10-second timeout), beside the same reads with no refresh running: a refresh must not stall requests.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { and, count, eq } from "drizzle-orm";
import pino from "pino";
import postgres from "postgres";
import { SecretValue, createLocalKeyringFromFile } from "@/lib/crypto";
import { Refresher } from "@/lib/oauth/refresh";
import { describeDatabaseUrl, openDatabase, type Db } from "@/lib/db/client";
import { auditEvents, oauthConnections } from "@/lib/db/schema";
import { openToken } from "@/lib/oauth/token-seal";
import type { DataKeys } from "@/lib/crypto/data-keys";
import { createEmptyPostgresDatabase } from "@/test/db";
import { buildVault } from "@/test/vault";
import type { WorkerConfig, WorkerMessage } from "./refresh-worker";
import { fmt, parseFlags } from "./lib";
import { PROVIDER_ID, SYSTEM, seed } from "./refresh-seed";
import { EXPIRES_IN_S, HOLD_MAX_MS, startTokenServer, type TokenServer } from "./refresh-token-server";

const flags = parseFlags({ connections: 1_000, workers: 2, concurrency: 4, pool: 4, hanging: 100, reads: 2_000 });
const DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test";
/** The background refresher's window (REFRESH_AHEAD_MS); every seeded token expires well inside it. */
const AHEAD_MS = 5 * 60_000;

/** A fresh database on the PostgreSQL server, or a clear message and exit 1 when there is none. */
async function createDatabase() {
  const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER;
  const probe = postgres(serverUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  let version: string;
  try {
    const [row] = await probe<{ server_version: string }[]>`show server_version`;
    version = row?.server_version.split(" ")[0] ?? "?";
  } catch (error) {
    console.error(
      `bench:refresh needs PostgreSQL (two worker processes share one database; embedded PGlite admits one process).\n` +
        `Cannot reach ${describeDatabaseUrl(serverUrl)}: ${(error as Error).message}. Start a server or set DATABASE_URL.`,
    );
    process.exit(1);
  } finally {
    await probe.end({ timeout: 0 }).catch(() => {});
  }
  const empty = await createEmptyPostgresDatabase(serverUrl);
  return { ...empty, label: `PostgreSQL ${version} (${new URL(serverUrl).hostname})` };
}

interface RunningWorker {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<Extract<WorkerMessage, { type: "done" }> & { at: number }>;
}

/** Starts a worker process (same Node flags as this one, so tsx and the react-server condition carry over). */
function startWorker(config: WorkerConfig, index: number): RunningWorker {
  const file = path.resolve(__dirname, "refresh-worker.ts");
  const child = spawn(process.execPath, [...process.execArgv, file, JSON.stringify(config)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`worker ${index + 1} exited with code ${code} before reporting`))),
  );
  const message = (type: WorkerMessage["type"]) =>
    Promise.race([
      new Promise<WorkerMessage & { at: number }>((resolve) => {
        const onLine = (line: string) => {
          const parsed = JSON.parse(line) as WorkerMessage;
          if (parsed.type !== type) return;
          lines.off("line", onLine);
          resolve({ ...parsed, at: performance.now() });
        };
        lines.on("line", onLine);
      }),
      exited,
    ]);
  const ready = message("ready").then(() => undefined);
  const done = message("done") as RunningWorker["done"];
  // Either may never be awaited if the other fails first; the failure is reported once, by the one awaited.
  ready.catch(() => {});
  done.catch(() => {});
  return { child, ready, done };
}

/** Everything the database holds after the run, checked connection by connection. */
async function verify(db: Db, dataKeys: DataKeys, server: TokenServer, runStartedAt: number) {
  const rows = await db.select().from(oauthConnections).where(eq(oauthConnections.providerId, PROVIDER_ID));
  const problems: string[] = [];
  const note = (id: string, what: string) => problems.push(`${id}: ${what}`);
  for (const row of rows) {
    if (row.status !== "active") note(row.id, `status ${row.status} (${row.lastError ?? "no error recorded"})`);
    if (row.tokenVersion !== 2) note(row.id, `token_version ${row.tokenVersion}, expected 2`);
    if (row.refreshFailures !== 0) note(row.id, `${row.refreshFailures} refresh failures (${row.lastError ?? ""})`);
    const aheadS = row.expiresAt && row.lastRefreshedAt ? (row.expiresAt.getTime() - row.lastRefreshedAt.getTime()) / 1000 : NaN;
    if (!(Math.abs(aheadS - EXPIRES_IN_S) < 5))
      note(row.id, `expires_at ${row.expiresAt?.toISOString() ?? "null"}, not ~1 h after its refresh`);
    if (!row.lastRefreshedAt || row.lastRefreshedAt.getTime() < runStartedAt) note(row.id, "not refreshed during the run");
    // The rotated refresh token must have been stored: the one the provider holds as unspent.
    const stored = await openToken(dataKeys, row, "refresh_token", row.refreshToken).catch((e: unknown) => `unopenable: ${String(e)}`);
    if (stored !== server.live.get(row.id)) note(row.id, "stored refresh token is not the provider's current one");
    if (row.refreshLeaseHolder !== null || row.refreshLeaseUntil !== null)
      note(row.id, `refresh lease still held by ${row.refreshLeaseHolder}`);
  }
  const [audited] = await db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "oauth.refresh"), eq(auditEvents.target, `oauth:${PROVIDER_ID}`)));
  return { rows: rows.length, problems, auditedRefreshes: audited?.n ?? 0 };
}

type WorkerReport = Awaited<RunningWorker["done"]>;

/** Starts the workers, lets them go at once, and waits for their reports (with the wall time from "go"). */
async function runWorkers(config: WorkerConfig, workers: RunningWorker[]) {
  for (let i = 0; i < flags.workers; i++) workers.push(startWorker(config, i));
  await Promise.all(workers.map((w) => w.ready));
  // Both start from one "go", after their start-up (tsx, pool, migrations check) is over.
  const runStartedAt = Date.now();
  const started = performance.now();
  for (const w of workers) w.child.stdin?.end("go\n");
  const reports = await Promise.all(workers.map((w) => w.done));
  const wallSeconds = (Math.max(...reports.map((r) => r.at)) - started) / 1000;
  return { runStartedAt, reports, wallSeconds };
}

/** Prints what the provider counted and what each worker reports. */
function printRun(server: TokenServer, reports: WorkerReport[], wallSeconds: number) {
  const { stats } = server;
  const refreshed = reports.reduce((sum, r) => sum + r.counts.refreshed, 0);
  const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
  console.log(
    `\nToken requests made:  ${fmt(stats.requests)}  (goal: exactly ${fmt(flags.connections)}) ${mark(stats.requests === flags.connections)}`,
  );
  console.log(
    `Duplicate refreshes:  ${fmt(stats.duplicates)}  (goal: 0; a spent refresh token presented again) ${mark(stats.duplicates === 0)}`,
  );
  if (stats.unknown + stats.badClient + stats.badRequest > 0) {
    console.log(
      `  other refused requests: ${stats.unknown} unknown token, ${stats.badClient} bad client auth, ${stats.badRequest} malformed`,
    );
  }
  console.log(
    `Wall time:            ${fmt(wallSeconds, 2)} s from "go" to the last worker done = ${fmt(refreshed / wallSeconds)} refreshes/s`,
  );
  reports.forEach((r, i) => {
    const c = r.counts;
    const other = [
      c.expired && `${c.expired} expired`,
      c.retry_later && `${c.retry_later} retry later`,
      c.not_refreshable && `${c.not_refreshable} not refreshable`,
      r.errors && `${r.errors} errors`,
      r.warnings && `${r.warnings} warnings`,
    ].filter(Boolean);
    console.log(
      `  worker ${i + 1}: refreshed ${fmt(c.refreshed)}, skipped ${fmt(c.fresh)} (held or already done by the other) in ${r.passes} passes, ${fmt(r.seconds, 2)} s` +
        (other.length > 0 ? `; ${other.join(", ")}` : ""),
    );
    if (r.firstProblem) console.log(`    first problem logged: ${r.firstProblem.slice(0, 300)}`);
  });
  return refreshed;
}

/** Prints the check of the database afterwards, then shows that the duplicate counter is live. */
async function printAfterwards(db: Db, dataKeys: DataKeys, server: TokenServer, runStartedAt: number, refreshed: number) {
  const check = await verify(db, dataKeys, server, runStartedAt);
  console.log(
    `\nDatabase afterwards: ${fmt(check.rows)} connections; ${check.problems.length === 0 ? "all active, token_version 2, expiring ~1 h after their refresh, holding the provider's current refresh token, lease released" : `${fmt(check.problems.length)} PROBLEMS`}`,
  );
  for (const problem of check.problems.slice(0, 10)) console.log(`  ${problem}`);
  if (check.problems.length > 10) console.log(`  … and ${fmt(check.problems.length - 10)} more`);
  console.log(`  oauth.refresh audit events: ${fmt(check.auditedRefreshes)} (one per refresh: ${fmt(refreshed)})`);

  // The duplicate counter is live: a spent token presented once more is caught and refused.
  const spent = server.spentToken();
  if (spent) {
    const before = server.stats.duplicates;
    const replay = await server.replay(spent);
    console.log(
      `Reuse detection check: replaying one spent refresh token → HTTP ${replay.status} ${replay.body.error ?? ""}, duplicate counter ${before} → ${server.stats.duplicates}`,
    );
  }
}

async function main() {
  const target = await createDatabase();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-refresh-"));
  const keyFile = path.join(keyDir, "master.key");
  const server = await startTokenServer();
  const database = await openDatabase({ url: target.url, max: 8 });
  const workers: RunningWorker[] = [];
  try {
    const { db } = database;
    console.log(
      `bench:refresh on ${target.label}: ${fmt(flags.connections)} connections expiring at once, ${flags.workers} worker processes ` +
        `(refreshDue concurrency ${flags.concurrency}, pool of ${flags.pool} each), token endpoint latency 5–20 ms, ${os.cpus().length} CPU cores, Node ${process.version}\n`,
    );
    const { vault, dataKeys, reads } = buildVault(db, await createLocalKeyringFromFile(keyFile), { logger: pino({ level: "silent" }) });
    const seedStart = performance.now();
    await seed(db, vault, dataKeys, server, flags.connections);
    await reads.flush();
    console.log(`Seeded ${fmt(flags.connections)} connections in ${fmt((performance.now() - seedStart) / 1000, 1)} s`);

    const config: WorkerConfig = {
      databaseUrl: target.url,
      keyFile,
      pool: flags.pool,
      concurrency: flags.concurrency,
      aheadMs: AHEAD_MS,
      limit: flags.connections,
    };
    const { runStartedAt, reports, wallSeconds } = await runWorkers(config, workers);
    const refreshed = printRun(server, reports, wallSeconds);
    await printAfterwards(db, dataKeys, server, runStartedAt, refreshed);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    server.close();
    await database.close();
    await target.drop();
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
  await embeddedLatency();
}

/** p50 and p99 of latencies in milliseconds (nearest rank). */
function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return `p50 ${fmt(at(50), 2)} ms, p99 ${fmt(at(99), 2)} ms`;
}

/**
 * Secret reads through the vault (one at a time, audited like any read) on in-memory PGlite: first with
 * nothing else running, then while `--hanging` background refreshes wait at a token endpoint that holds
 * its answers. The refreshes hold a lease each, not a transaction, so the reads should not notice them.
 */
async function embeddedLatency() {
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-refresh-embedded-"));
  const slow = await startTokenServer({ hold: true });
  const database = await openDatabase({ pgliteDir: "memory://" });
  const silent = pino({ level: "silent" });
  try {
    const { db } = database;
    const { vault, dataKeys, reads } = buildVault(db, await createLocalKeyringFromFile(path.join(keyDir, "master.key")), {
      logger: silent,
    });
    const { extensionId } = await seed(db, vault, dataKeys, slow, flags.hanging);
    const address = { extensionId, scope: "ext" as const, ownerId: extensionId, name: "bench_api_key" };
    await vault.set(SYSTEM, address, SecretValue.from(`sk-${randomBytes(16).toString("hex")}`));
    const readAll = async () => {
      const samples: number[] = [];
      for (let i = 0; i < flags.reads; i++) {
        const started = performance.now();
        if (!(await vault.read(SYSTEM, address))) throw new Error("the bench secret read back as unset");
        samples.push(performance.now() - started);
      }
      return samples;
    };
    await readAll(); // warm-up: DEK cache, prepared plans, JIT
    const idle = await readAll();

    const refresher = new Refresher({ db, vault, baseUrl: "http://latchkey.bench", logger: silent });
    const pass = refresher.refreshDue({ aheadMs: AHEAD_MS, limit: flags.hanging, concurrency: flags.hanging });
    const hangingAtStart = await slow.heldAtLeast(flags.hanging, HOLD_MAX_MS / 2);
    const started = performance.now();
    const busy = await readAll();
    const busySeconds = (performance.now() - started) / 1000;
    const hangingAtEnd = slow.held();
    slow.release();
    const counts = await pass;
    await reads.flush();

    console.log(`\nEmbedded database (PGlite, in-memory), ${fmt(flags.reads)} secret reads one at a time (vault.read, audited):`);
    console.log(`  no refresh running:                              ${percentiles(idle)}`);
    console.log(
      `  while ${fmt(flags.hanging)} refreshes hang at the token endpoint:   ${percentiles(busy)}  ` +
        `(${fmt(hangingAtStart)} provider calls held when the reads began, ${fmt(hangingAtEnd)} still held after ${fmt(busySeconds, 2)} s of reads; ` +
        `answers held at most ${HOLD_MAX_MS / 1000} s)`,
    );
    console.log(`  then released: ${fmt(counts.refreshed)} refreshed, ${fmt(slow.stats.duplicates)} duplicates`);
  } finally {
    slow.release();
    slow.close();
    await database.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
