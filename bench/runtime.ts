// npm run bench:runtime [-- --seconds N --rounds N --concurrency N] — requests per second and latency of
// GET /api/v1/secrets/{ref} (token verification, installation and membership check, vault read, read
// audit) next to a bare route handler (/api/v1/_bench) in the same production build, served by the same
// `next start`, measured in the same run with the same client. Rounds alternate between the two so
// drift (CPU frequency, other load) hits both alike. Set BENCH_SKIP_BUILD=1 to reuse the last build.
//
// The database is embedded PGlite by default (the zero-configuration shape); with --postgres 1 it is a
// throwaway database on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/test), dropped
// at the end (the production shape). With --worker 1 (PostgreSQL only) the audit sequencer and the OAuth
// refresher run in `npm run worker` beside the server instead of inside it — the other production shape;
// every read is still audited and sequenced, on the same machine. PGlite allows one process at a time, so the token is minted and the
// secret set here first, with the database closed again before the server opens it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { fmt, parseFlags } from "./lib";

const flags = parseFlags({ seconds: 5, rounds: 3, concurrency: 32, port: 3304, postgres: 0, worker: 0 });
const DIST = ".next-bench-runtime";
const DATA = path.resolve(".data/bench-runtime");
const BASE = `http://127.0.0.1:${flags.port}`;
const SECRET_VALUE = "sk-bench-spotify-key-0123456789";

// Configure this process and the server the same way, before any lib module reads the environment.
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

/** With --postgres 1: a fresh database on the server, and how to drop it. */
async function postgresDatabase(): Promise<{ url: string; label: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
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

async function prepare(databaseUrl: string | undefined): Promise<{ token: string; ref: string }> {
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
  fs.rmSync(DATA, { recursive: true, force: true });
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
      { installationId: install.id, userId: eve.id, scopes: ["secrets:read"], ttlSeconds: 900 },
    );
    return { token: minted.token, ref: "user.spotify_api_key" };
  } finally {
    await database.close();
  }
}

function build() {
  if (process.env.BENCH_SKIP_BUILD === "1" && fs.existsSync(path.join(DIST, "BUILD_ID"))) {
    console.log(`Reusing the build in ${DIST}.`);
    return;
  }
  console.log(`Building into ${DIST} (next build)…`);
  const result = spawnSync("npx", ["next", "build"], { env: serverEnv, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

async function start(): Promise<ChildProcess> {
  // A server left on the port would answer instead of ours (with another database and key).
  const occupied = await fetch(`${BASE}/api/v1/_bench`).then(
    () => true,
    () => false,
  );
  if (occupied) throw new Error(`port ${flags.port} is already in use; stop that server or pass --port N`);
  const server = spawn("npx", ["next", "start", "-p", String(flags.port), "-H", "127.0.0.1"], {
    env: serverEnv,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${BASE}/api/v1/_bench`);
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop(server);
  throw new Error("the server did not come up within 60 s");
}

async function stop(server: ChildProcess) {
  // The server runs in its own process group (npx → next → workers): end exactly that group, and make
  // sure it is gone before the next run starts on the same port.
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
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!signal(0)) return;
  }
  signal("SIGKILL");
}

interface Sample {
  requests: number;
  seconds: number;
  latencies: number[];
}

/** `concurrency` clients, each sending its next request as soon as the previous answer is read. */
async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  check: (status: number, body: string) => void,
): Promise<Sample> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const client = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const response = await fetch(url, { headers });
      const body = await response.text();
      latencies.push(performance.now() - t0);
      check(response.status, body);
    }
  };
  await Promise.all(Array.from({ length: flags.concurrency }, client));
  return { requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

function summarize(samples: Sample[]) {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const requests = samples.reduce((n, s) => n + s.requests, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { rps: requests / seconds, requests, p50: pct(50), p99: pct(99) };
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
  const pg = flags.postgres ? await postgresDatabase() : null;
  if (pg) serverEnv.DATABASE_URL = pg.url;
  Object.assign(process.env, serverEnv);
  const storage = pg?.label ?? "embedded PGlite";
  try {
    await run(pg?.url, storage);
  } finally {
    await pg?.drop();
  }
}

async function run(databaseUrl: string | undefined, storage: string) {
  const { token, ref } = await prepare(databaseUrl);
  build();
  const background = flags.worker && databaseUrl ? startWorker() : null;
  if (background) Object.assign(serverEnv, { LATCHKEY_AUDIT_SEQUENCER: "false", LATCHKEY_OAUTH_REFRESHER: "false" });
  const server = await start();
  try {
    const secretUrl = `${BASE}/api/v1/secrets/${ref}`;
    const auth = { authorization: `Bearer ${token}` };
    const expectSecret = (status: number, body: string) => {
      if (status !== 200 || !body.includes(SECRET_VALUE)) throw new Error(`secrets endpoint answered ${status}: ${body.slice(0, 200)}`);
    };
    const expectBare = (status: number) => {
      if (status !== 200) throw new Error(`bare handler answered ${status}`);
    };
    await exampleAgainstServer(token);
    console.log(`Warming up (2 s each)…`);
    await load(`${BASE}/api/v1/_bench`, {}, 2, expectBare);
    await load(secretUrl, auth, 2, expectSecret);
    const bare: Sample[] = [];
    const secrets: Sample[] = [];
    for (let round = 1; round <= flags.rounds; round++) {
      bare.push(await load(`${BASE}/api/v1/_bench`, {}, flags.seconds, expectBare));
      secrets.push(await load(secretUrl, auth, flags.seconds, expectSecret));
      console.log(`  round ${round}/${flags.rounds} done`);
    }
    const b = summarize(bare);
    const s = summarize(secrets);
    const line = (label: string, r: ReturnType<typeof summarize>) =>
      `${label.padEnd(34)} ${fmt(r.rps).padStart(7)} req/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(6)} ms   (${fmt(r.requests)} requests)`;
    console.log("");
    console.log(
      `Runtime API bench: ${flags.concurrency} concurrent clients, ${flags.rounds} alternating rounds of ${flags.seconds} s each,`,
    );
    console.log(`next start (production build ${DIST}), ${storage}, local keyring, same machine as the client.`);
    console.log(
      background
        ? "Audit sequencer and OAuth refresher in `npm run worker` beside the server."
        : "Audit sequencer and OAuth refresher inside the server (the default).",
    );
    console.log(line("bare route handler /api/v1/_bench", b));
    console.log(line(`GET /api/v1/secrets/${ref}`, s));
    console.log(`ratio secrets / bare: ${fmt(s.rps / b.rps, 2)} (goal >= 0.7)`);
  } finally {
    await stop(server);
    if (background) await stop(background);
  }
}

/** `npm run worker` on the same database, in its own process group like the server. */
function startWorker(): ChildProcess {
  return spawn("npx", ["tsx", "--conditions=react-server", "scripts/worker.ts"], {
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
