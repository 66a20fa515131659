// npm run bench:runtime [-- --seconds N --rounds N --concurrency N --postgres 1 --worker 1] — requests per
// second, latency and CPU per request of what extensions call on every invocation, each next to its
// baselines, in one run on one machine with one client:
// - GET /api/v1/secrets/{ref} (token, installation and membership check, vault read, read audit) and GET
//   /api/v1/readiness, answered by server.mjs's lean path (lib/runtime/node-listener.ts);
// - the bare route handler /api/v1/_bench, through Next, in the same production build and server;
// - the plain server (bench/plain-server.ts): the same read with node:http, postgres.js and jose, no audit;
// - with --postgres 1, the same read through Next's route handler (a second Latchkey server on the same
//   database with LATCHKEY_RUNTIME_FAST_PATH=false), for what the lean path saves.
// Rounds alternate between the targets so drift (CPU frequency, other load) hits them alike. The client is
// wrk (Debian's `wrk`) when it is installed — a C client that leaves the server the CPU — else fetch from
// this process, which caps every figure and is said so. CPU per request is the server process's user +
// system time over a round (and the database's: every `postgres` process on the machine, or the embedded
// database host, the server's child process that runs PGlite) divided by the requests answered. RSS is
// the server's plus, on the embedded default, its database host's. Set BENCH_SKIP_BUILD=1 to reuse the
// last build.
//
// The database is embedded PGlite by default (the zero-configuration shape); with --postgres 1 it is a
// throwaway database on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/test), dropped
// at the end (the production shape). The plain server always reads PostgreSQL: on the embedded default
// it gets a throwaway database of its own with the same secret. With --worker 1 (PostgreSQL only) the
// audit sequencer and the OAuth refresher run in `npm run worker` beside the server instead of inside it.
// PGlite allows one process at a time, so the token is minted and the secret set here first, with the
// database closed again before the server opens it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { load, memoryOf, summarize, WRK, type Sample, type Summary, type Target } from "./http-load";
import { fmt, parseFlags } from "./lib";

const flags = parseFlags({ seconds: 5, rounds: 3, concurrency: 32, port: 3320, postgres: 0, worker: 0 });
const DIST = ".next-bench-runtime";
const DATA = path.resolve(".data/bench-runtime");
const BASE = `http://127.0.0.1:${flags.port}`;
// The demo OAuth provider takes port + 1. (The default keeps clear of MariaDB's 3306.)
const PLAIN_PORT = flags.port + 2;
const NEXT_PATH_PORT = flags.port + 3;
const SECRET_VALUE = "sk-bench-spotify-key-0123456789";
const REF = "user.spotify_api_key";

// Configure this process and the servers the same way, before any lib module reads the environment.
const serverEnv = {
  ...process.env,
  LATCHKEY_DATA_DIR: DATA,
  LATCHKEY_DEMO: "true",
  LATCHKEY_URL: BASE,
  DATABASE_URL: "" as string,
  NEXT_DIST_DIR: DIST,
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
  // Makes app/api/v1/%5Fbench/route.bench.ts a route in this build only (next.config.ts's pageExtensions).
  LATCHKEY_BENCH_ROUTES: "1",
};
Object.assign(process.env, serverEnv);

/** A fresh database on the PostgreSQL server, and how to drop it. */
async function postgresDatabase(): Promise<{ url: string; label: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
  const name = `latchkey_bench_rt_${randomBytes(5).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `PostgreSQL (${url.hostname})`,
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** Seeds the demo data in a database, sets Eve's Spotify key and mints her a read + readiness token. */
async function prepare(databaseUrl: string | undefined): Promise<string> {
  const { env } = await import("@/lib/env");
  const { openDatabase } = await import("@/lib/db/client");
  const { seedDemo } = await import("@/lib/demo/seed");
  const { extensions, installations, users } = await import("@/lib/db/schema");
  const { createVaultFromEnv } = await import("@/lib/vault/create");
  const { SecretValue } = await import("@/lib/crypto");
  const { SigningKeys } = await import("@/lib/runtime/signing-keys");
  const { mintRuntimeToken } = await import("@/lib/runtime/dispatch");
  const { noConnections } = await import("@/lib/runtime/oauth-broker");
  const config = env();
  const database = await openDatabase({ url: databaseUrl, pgliteDir: config.pgliteDir });
  try {
    await seedDemo(database.db);
    const [install] = await database.db
      .select({ id: installations.id, extensionId: installations.extensionId })
      .from(installations)
      .innerJoin(extensions, eq(extensions.id, installations.extensionId))
      .where(eq(extensions.slug, "dev.imperal.spotify"));
    const [eve] = await database.db.select().from(users).where(eq(users.demoKey, "enduser"));
    if (!install || !eve) throw new Error("demo data has no Spotify installation for Eve");
    const vault = await createVaultFromEnv(database.db, config);
    await vault.set(
      { actor: { kind: "user", id: eve.id }, source: { kind: "cli", userAgent: "bench:runtime" } },
      { extensionId: install.extensionId, scope: "user", ownerId: eve.id, name: "spotify_api_key" },
      SecretValue.from(SECRET_VALUE),
    );
    const keys = new SigningKeys({ db: database.db, dataKeys: vault.dataKeys, maxTokenTtlSeconds: 900 });
    const minted = await mintRuntimeToken(
      { db: database.db, vault, keys, baseUrl: BASE, tokenTtlSeconds: 900, oauth: noConnections },
      { installationId: install.id, userId: eve.id, scopes: ["secrets:read", "readiness:read"], ttlSeconds: 900 },
    );
    await vault.reads.close();
    return minted.token;
  } finally {
    await database.close();
  }
}

function build() {
  if (process.env.BENCH_SKIP_BUILD === "1" && fs.existsSync(path.join(DIST, "BUILD_ID"))) {
    console.log(`Reusing the build in ${DIST}.`);
    return;
  }
  console.log(`Building into ${DIST} (next build, and dist-scripts/ for the embedded database host)…`);
  const scripts = spawnSync("npm", ["run", "-s", "build:scripts"], { env: serverEnv, stdio: ["ignore", "ignore", "inherit"] });
  if (scripts.status !== 0) throw new Error(`npm run build:scripts failed (exit ${scripts.status})`);
  const result = spawnSync("npx", ["next", "build"], { env: serverEnv, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

/** Starts `node <args>` (its own process group, so stop() ends it and its children) and waits for `probe`. */
async function start(label: string, args: string[], env: NodeJS.ProcessEnv, probe: string): Promise<ChildProcess> {
  // A server left on the port would answer instead of ours (with another database and key).
  const occupied = await fetch(probe).then(
    () => true,
    () => false,
  );
  if (occupied) throw new Error(`${new URL(probe).host} is already in use; stop that server or pass --port N`);
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited (code ${child.exitCode}) before it answered`);
    try {
      const response = await fetch(probe);
      if (response.status < 500) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop(child);
  throw new Error(`${label} did not come up within 90 s`);
}

/** Latchkey's server (server.mjs) on `port` over the bench's build. */
const latchkey = (port: number, extra: Record<string, string> = {}) =>
  start(
    `Latchkey on ${port}`,
    ["server.mjs"],
    { ...serverEnv, PORT: String(port), HOSTNAME: "127.0.0.1", ...extra },
    `http://127.0.0.1:${port}/api/v1/_bench`,
  );

async function stop(server: ChildProcess) {
  const pid = server.pid;
  if (!pid) return;
  const signal = (name: NodeJS.Signals | 0) => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  signal("SIGTERM");
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!signal(0)) return;
  }
  signal("SIGKILL");
}

/** The Spotify example, through the SDK over real HTTP, against the server about to be measured. */
async function exampleAgainstServer(token: string) {
  const { createClient } = await import("@/lib/sdk");
  const { searchMyLibrary } = await import("@/examples/spotify/handlers");
  const client = createClient({ baseUrl: BASE, token, devMode: false });
  let sentKey: string | null = null;
  const result = await searchMyLibrary(
    {
      secrets: client.secrets,
      webhookUrl: (p) => client.webhookUrl(p),
      fetch: async (_url, init) => {
        sentKey = new Headers(init?.headers).get("authorization");
        return Response.json({ tracks: { items: [{ id: "t1", name: "Bench Track" }] } });
      },
    },
    { query: "bench" },
  );
  if (!result.ok || sentKey !== `Bearer ${SECRET_VALUE}`)
    throw new Error("the example extension did not get the user's key from the server");
  const write = await client.secrets.set("spotify_api_key", "x").catch((e: unknown) => e);
  if (!(write instanceof Error) || !("code" in write) || write.code !== "insufficient_scope") {
    throw new Error("a read-only token was able to write");
  }
  console.log(
    "Example extension (examples/spotify) against the running server through the SDK: searched with the user's key; write refused.",
  );
}

async function main() {
  fs.rmSync(DATA, { recursive: true, force: true });
  // The plain server reads PostgreSQL: the bench's database in --postgres mode, else one of its own.
  const pg = await postgresDatabase();
  const embedded = !flags.postgres;
  try {
    await run(pg, embedded);
  } finally {
    await pg.drop();
  }
}

/** A started child's pid (a child that has one is running). */
function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error("a server did not start");
  return child.pid;
}

const expectSecret = (status: number, body: string) => {
  if (status !== 200 || !body.includes(SECRET_VALUE)) throw new Error(`secrets endpoint answered ${status}: ${body.slice(0, 200)}`);
};
const expectOk = (status: number, body: string) => {
  if (status !== 200) throw new Error(`answered ${status}: ${body.slice(0, 200)}`);
};

/** What is measured, in the order rounds visit them: the plain server, the bare route, read, readiness, read through Next. */
function targetsFor(
  servers: { main: number; host: number | null; plain: number; throughNext: number | null },
  tokens: { token: string; plain: string },
  embedded: boolean,
) {
  const auth = { authorization: `Bearer ${tokens.token}` };
  const onMain = { pid: servers.main, postgres: !embedded, dbPid: servers.host ?? undefined };
  const targets: Target[] = [
    {
      label: "plain server, same read (no audit)",
      url: `http://127.0.0.1:${PLAIN_PORT}/api/v1/secrets/${REF}`,
      headers: { authorization: `Bearer ${tokens.plain}` },
      pid: servers.plain,
      postgres: true,
      check: expectSecret,
    },
    { label: "bare Next route handler", url: `${BASE}/api/v1/_bench`, headers: {}, ...onMain, check: expectOk },
    { label: `GET /api/v1/secrets/${REF}`, url: `${BASE}/api/v1/secrets/${REF}`, headers: auth, ...onMain, check: expectSecret },
    { label: "GET /api/v1/readiness", url: `${BASE}/api/v1/readiness`, headers: auth, ...onMain, check: expectOk },
  ];
  if (servers.throughNext !== null) {
    targets.push({
      label: "same read through Next's route handler",
      url: `http://127.0.0.1:${NEXT_PATH_PORT}/api/v1/secrets/${REF}`,
      headers: auth,
      pid: servers.throughNext,
      postgres: true,
      check: expectSecret,
    });
  }
  return targets;
}

/** Warms every target up, then runs `flags.rounds` rounds visiting each in turn. */
async function measure(targets: Target[]): Promise<Summary[]> {
  if (!WRK) console.log("wrk is not installed (apt-get install wrk): loading from this process with fetch, which caps every figure.");
  console.log(`Warming up (2 s each)…`);
  for (const target of targets) await load(target, 2, flags.concurrency);
  const samples: Sample[][] = targets.map(() => []);
  for (let round = 1; round <= flags.rounds; round++) {
    for (const [i, target] of targets.entries()) samples[i]?.push(await load(target, flags.seconds, flags.concurrency));
    console.log(`  round ${round}/${flags.rounds} done`);
  }
  return samples.map(summarize);
}

function report(
  targets: Target[],
  summaries: Summary[],
  context: { storage: string; worker: boolean; embedded: boolean; idleRss: Rss | null; rss: Rss | null },
) {
  const line = (label: string, r: Summary, target: Target) =>
    `${label.padEnd(44)} ${fmt(r.rps).padStart(6)} req/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(6)} ms   ` +
    `CPU/request ${fmt(r.appMs, 2)}${r.dbMs ? ` + ${fmt(r.dbMs, 2)} ${target.postgres ? "PostgreSQL" : "database host"}` : ""} ms`;
  console.log("");
  console.log(
    `Runtime API bench: ${WRK ? "wrk" : "fetch"}, ${flags.concurrency} connections, ${flags.rounds} alternating rounds of ${flags.seconds} s each, ` +
      `same machine as the client.`,
  );
  console.log(`Latchkey: server.mjs over the production build ${DIST}, ${context.storage}, local keyring.`);
  console.log(
    context.worker
      ? "Audit sequencer and OAuth refresher in `npm run worker` beside the server."
      : "Audit sequencer and OAuth refresher inside the server (the default).",
  );
  targets.forEach((target, i) => {
    const summary = summaries[i];
    if (summary) console.log(line(target.label, summary, target));
  });
  const [plain, bare, read, readiness, next] = summaries;
  if (!plain || !bare || !read || !readiness) return;
  console.log("");
  console.log(`read / plain server: ${fmt(read.rps / plain.rps, 2)} req/s (goal >= 0.5), p99 ${fmt(read.p99 / plain.p99, 2)}x (goal <= 2)`);
  console.log(`readiness / read: ${fmt(readiness.rps / read.rps, 2)} req/s (goal >= 1: readiness no dearer than a read)`);
  console.log(
    `read / bare Next route handler: ${fmt(read.rps / bare.rps, 2)}${context.embedded ? " (goal >= 0.7 on the embedded default)" : ""}`,
  );
  if (next) console.log(`read, lean path / through Next: ${fmt(read.rps / next.rps, 2)}`);
  if (context.idleRss !== null) {
    console.log(`Latchkey RSS idle: ${rssText(context.idleRss)}${context.embedded ? " (goal <= 300 on the embedded default)" : ""}`);
  }
  if (context.rss !== null) console.log(`Latchkey RSS after the run: ${rssText(context.rss)}`);
}

/** Resident memory in MB: the server's and, on the embedded default, its database host's. */
type Rss = { server: number; host: number | null };
const rssText = ({ server, host }: Rss) =>
  host === null ? `${fmt(server)} MB (server)` : `${fmt(server + host)} MB (server ${fmt(server)} + database host ${fmt(host)})`;
/** The server's RSS and its database host's (null when there is none, or it is gone). */
function rssOf(server: number, host: number | null): Rss | null {
  const serverRss = memoryOf(server);
  return serverRss === null ? null : { server: serverRss, host: host === null ? null : memoryOf(host) };
}

/** The embedded database host's pid: the process holding the data directory's lock (lib/db/pglite-lock.ts). */
function hostPid(serverPid: number): number | null {
  const lock = path.join(DATA, "pglite", "latchkey.lock");
  const pid = fs.existsSync(lock) ? Number.parseInt(fs.readFileSync(lock, "utf8"), 10) : Number.NaN;
  // With LATCHKEY_PGLITE_IN_PROCESS=true the server holds it itself.
  return Number.isSafeInteger(pid) && pid !== serverPid ? pid : null;
}

async function run(pg: { url: string; label: string }, embedded: boolean) {
  serverEnv.DATABASE_URL = embedded ? "" : pg.url;
  Object.assign(process.env, serverEnv);
  const token = await prepare(embedded ? undefined : pg.url);
  const plainToken = embedded ? await prepare(pg.url) : token;
  build();
  const background = flags.worker && !embedded ? startWorker() : null;
  if (background) Object.assign(serverEnv, { LATCHKEY_AUDIT_SEQUENCER: "false", LATCHKEY_OAUTH_REFRESHER: "false" });
  const servers: ChildProcess[] = [];
  try {
    const main = await latchkey(flags.port);
    servers.push(main);
    // Idle: started, migrated and seeded, no load yet (a few seconds for start-up work to settle).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const host = embedded ? hostPid(pidOf(main)) : null;
    if (embedded && host === null) console.log("The server holds the embedded database itself (LATCHKEY_PGLITE_IN_PROCESS).");
    const idleRss = rssOf(pidOf(main), host);
    const plain = await start(
      "the plain server",
      ["--import", "tsx", "--conditions=react-server", "bench/plain-server.ts"],
      { ...serverEnv, DATABASE_URL: pg.url, PORT: String(PLAIN_PORT) },
      `http://127.0.0.1:${PLAIN_PORT}/`,
    );
    servers.push(plain);
    const throughNext = embedded ? null : await latchkey(NEXT_PATH_PORT, { LATCHKEY_RUNTIME_FAST_PATH: "false" });
    if (throughNext) servers.push(throughNext);
    const targets = targetsFor(
      { main: pidOf(main), host, plain: pidOf(plain), throughNext: throughNext ? pidOf(throughNext) : null },
      { token, plain: plainToken },
      embedded,
    );
    await exampleAgainstServer(token);
    const summaries = await measure(targets);
    const storage = embedded
      ? host === null
        ? "embedded PGlite in the server's process"
        : "embedded PGlite in its database host"
      : pg.label;
    report(targets, summaries, { storage, worker: background !== null, embedded, idleRss, rss: rssOf(pidOf(main), host) });
  } finally {
    for (const server of servers.reverse()) await stop(server);
    if (background) await stop(background);
  }
}

/** `npm run worker` on the same database, in its own process group like the server. */
function startWorker(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/worker.ts"], {
    env: serverEnv,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
