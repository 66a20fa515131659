// `npm run check:standalone` (a step of .ci/run): the production build, exactly as the container image
// ships it (scripts/build-standalone.sh → .next/standalone), started and checked on PostgreSQL:
//   1. Upgrade: the code of the commit issue 14 starts from (48cec36, taken with `git archive`) creates
//      the schema from its own migrations and writes data through its own vault — demo people and
//      extensions, a user secret set then rotated, an org secret, a read, signed and anchored audit
//      checkpoints — and mints a runtime token with its signing key. The standalone server then starts on
//      that database: it applies the newer migrations and serves the old data (the secret read through
//      the runtime API with the old token, and with a token minted by the new operator command).
//   2. Smoke: /api/health, /api/ready, a page with its static files, an API error whose body carries the
//      request id of its x-request-id header and of its request-log line, /api/metrics behind its token.
//   3. SIGTERM during a burst of reads: every read answered 200 has its audit event (each read carries its
//      own user agent, which the event records), and the server exits after writing its queue.
//   4. The worker from the standalone folder: sequences what is left, serves its metrics, stops on
//      SIGTERM; then `audit:verify` (compiled, from the standalone folder) verifies the whole log.
//   5. The embedded default (no DATABASE_URL): the server runs PGlite in its database host, a child process
//      started from the standalone folder's dist-scripts/pglite-host.mjs that holds the data directory's lock;
//      `keys:status` and `audit:verify` run beside it; on SIGTERM the host exits with the server and gives
//      the directory back.
// Everything runs from a scratch working directory, so nothing depends on the repository as cwd.
// LATCHKEY_CHECK_REUSE_BUILD=1 reuses an existing standalone build; KEEP_CHECK_DIR=1 keeps the scratch folder.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { checkRun, freePort, logLines, root, scratchDatabase, standaloneFolder, waitFor } from "./check-lib.mjs";

const BASE = process.env.LATCHKEY_MIGRATIONS_BASE || "48cec36";
const run = checkRun("check-standalone");
const { check, scratch } = run;

/**
 * The upgrade writer the old tree runs: data written the way that release wrote it. Its imports name the old
 * tree's module paths (lib/audit/log, lib/db/seed-demo), not today's.
 */
const UPGRADE_WRITER = `// Written by scripts/check-standalone.mjs into the ${BASE} tree: data written the way that release wrote it.
import { and, eq } from "drizzle-orm";
import { createSequencerFromEnv } from "@/lib/audit/log";
import { SecretValue } from "@/lib/crypto";
import { openDatabase } from "@/lib/db/client";
import { extensions, installations, organizations, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/db/seed-demo";
import { env } from "@/lib/env";
import { createVaultFromEnv } from "@/lib/vault/create";

async function main() {
const config = env();
const database = await openDatabase({ url: config.DATABASE_URL });
const db = database.db;
await seedDemo(db, { oauthIssuer: "http://127.0.0.1:9" });
const vault = await createVaultFromEnv(db, config);
const [eve] = await db.select().from(users).where(eq(users.demoKey, "enduser"));
const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
const [spotify] = await db.select().from(extensions).where(eq(extensions.slug, "dev.imperal.spotify"));
if (!eve || !globex || !spotify) throw new Error("demo data missing");
const [installation] = await db.select().from(installations).where(and(eq(installations.extensionId, spotify.id), eq(installations.orgId, globex.id)));
if (!installation) throw new Error("no Spotify installation in Globex");
const ctx = { actor: { kind: "user" as const, id: eve.id }, source: { kind: "cli" as const, userAgent: "upgrade-writer" }, orgId: globex.id };
const key = { extensionId: spotify.id, scope: "user" as const, ownerId: eve.id, name: "spotify_api_key" };
await vault.set(ctx, key, SecretValue.from("sk-first-version"));
await vault.rotate(ctx, key, SecretValue.from(process.env.SPOTIFY_VALUE ?? ""));
await vault.set(ctx, { extensionId: spotify.id, scope: "org", ownerId: globex.id, name: "stripe_webhook_signing_secret" }, SecretValue.from("whsec_old"));
await vault.read({ actor: { kind: "extension", id: spotify.id }, source: { kind: "api" }, orgId: globex.id }, key);
await vault.reads.flush();
await createSequencerFromEnv(db, vault.dataKeys, config).runUntilIdle({ forceCheckpoint: true });
await database.close();
console.log(JSON.stringify({ installationId: installation.id, userId: eve.id }));
}
void main();
`;

/** Production mode: PostgreSQL, a sign-in configured, demo mode off; the local keyring from the environment. */
function serverEnvironment(database, baseUrl, metricsToken) {
  return {
    DATABASE_URL: database.url,
    LATCHKEY_URL: baseUrl,
    LATCHKEY_DATA_DIR: path.join(scratch, "data"),
    LATCHKEY_MASTER_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    GITHUB_ID: "check-standalone",
    GITHUB_SECRET: "check-standalone-secret",
    LATCHKEY_DEMO: "false",
    LATCHKEY_METRICS_TOKEN: metricsToken,
    LATCHKEY_OAUTH_REFRESHER: "false",
    // Reads' audit events wait up to 30 s (default 1 s), so the SIGTERM below always finds them queued.
    LATCHKEY_AUDIT_READ_FLUSH_MS: "30000",
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

/** 1. The old code writes the data and mints a token; returns what the later steps read back. */
async function writeOldData({ database, serverEnv }) {
  const old = path.join(scratch, "old");
  fs.mkdirSync(old);
  run.mustRun(`git archive ${BASE}`, "git", ["archive", "--format=tar", "-o", path.join(scratch, "old.tar"), BASE]);
  run.mustRun("unpack the old tree", "tar", ["-xf", path.join(scratch, "old.tar"), "-C", old]);
  fs.symlinkSync(path.join(root, "node_modules"), path.join(old, "node_modules"));
  const spotifyValue = `sk-from-${BASE}-${randomBytes(6).toString("hex")}`;
  fs.writeFileSync(path.join(old, "upgrade-writer.ts"), UPGRADE_WRITER);
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  const written = run.mustRun(
    `${BASE} writes data with its own code and migrations`,
    tsx,
    ["--conditions=react-server", "upgrade-writer.ts"],
    {
      cwd: old,
      env: { ...serverEnv, SPOTIFY_VALUE: spotifyValue, LOG_LEVEL: "warn" },
    },
  );
  const { installationId, userId } = JSON.parse(written.out.trim().split("\n").at(-1) ?? "{}");
  const [{ count: oldMigrations }] = await database.sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
  const [{ count: oldEvents }] = await database.sql`select count(*)::int as count from audit_events`;
  check(Boolean(installationId) && oldEvents > 0, `${BASE} wrote its data: ${oldMigrations} migrations applied, ${oldEvents} audit events`);
  const oldMint = run.mustRun(
    `${BASE} mints a runtime token`,
    tsx,
    ["--conditions=react-server", "lib/runtime/mint-main.ts", "--installation", installationId, "--user", userId],
    { cwd: old, env: { ...serverEnv, LOG_LEVEL: "warn" } },
  );
  const oldToken = oldMint.out.trim().split("\n").at(-1) ?? "";
  return { spotifyValue, installationId, userId, oldMigrations, oldToken };
}

/** 2. Smoke: health, readiness and migrations, a page and its script, an API error, metrics. */
async function smoke({ baseUrl, database, metricsToken }, oldMigrations) {
  const health = await fetch(`${baseUrl}/api/health`);
  check(
    health.status === 200 && (await health.json()).status === "ok" && /^[0-9a-f-]{36}$/.test(health.headers.get("x-request-id") ?? ""),
    "GET /api/health: 200 {status: ok} with an x-request-id",
  );
  const ready = await fetch(`${baseUrl}/api/ready`);
  const readyBody = await ready.json();
  check(
    ready.status === 200 && readyBody.status === "ready" && readyBody.checks.migrations === "ok",
    "GET /api/ready: 200 ready (database, every migration applied, keyring unwraps)",
    JSON.stringify(readyBody),
  );
  const [{ count: newMigrations }] = await database.sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
  check(newMigrations > oldMigrations, `the new code applied its migrations on start (${oldMigrations} → ${newMigrations})`);
  const page = await fetch(`${baseUrl}/signin`);
  const html = await page.text();
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
  const asset = script ? await fetch(`${baseUrl}${script}`) : null;
  check(
    page.status === 200 && /nonce-/.test(page.headers.get("content-security-policy") ?? "") && page.headers.has("x-request-id"),
    "GET /signin: 200, a nonce CSP and an x-request-id",
  );
  check(asset?.status === 200, `the page's script ${script ?? "(none found)"} is served from the standalone folder`);
  const asterisk = await new Promise((resolve) => {
    const target = new URL(baseUrl);
    http
      .request({ host: target.hostname, port: target.port, method: "OPTIONS", path: "*" }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on("error", (error) => resolve(error.message))
      .end();
  });
  check(asterisk === 204, `OPTIONS * (the asterisk form): 204 from server.mjs, not a 500 (got ${asterisk})`);
  const refused = await fetch(`${baseUrl}/api/v1/secrets/user.spotify_api_key`, { headers: { authorization: "Bearer not-a-token" } });
  const refusedBody = await refused.json();
  const refusedId = refused.headers.get("x-request-id");
  check(
    refused.status === 401 && refusedBody.error?.code === "invalid_token" && refusedBody.error?.request_id === refusedId,
    "an API error carries the request id of its x-request-id header",
    JSON.stringify(refusedBody),
  );
  const metricsRefused = await fetch(`${baseUrl}/api/metrics`);
  const metrics = await fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const metricsText = await metrics.text();
  check(metricsRefused.status === 401 && metrics.status === 200, "GET /api/metrics: 401 without the token, 200 with it");
  check(
    metricsText.includes('latchkey_http_requests_total{method="GET",route="/api/v1/secrets/[ref]",status="401"} 1') &&
      metricsText.includes("latchkey_audit_tree_size "),
    "metrics count requests by route pattern and status, and report the audit log",
  );
  return refusedId;
}

/** The old data, served: to the old token, and to a token the new operator command mints. */
async function oldDataServed({ baseUrl, serverEnv, standalone }, old) {
  const readSecret = (token, userAgent = "check-standalone") =>
    fetch(`${baseUrl}/api/v1/secrets/user.spotify_api_key`, { headers: { authorization: `Bearer ${token}`, "user-agent": userAgent } });
  const oldRead = await readSecret(old.oldToken);
  const oldReadBody = await oldRead.json().catch(() => null);
  check(
    oldRead.status === 200 && oldReadBody?.value === old.spotifyValue,
    `the secret ${BASE} rotated is served, to the token ${BASE} minted`,
    `${oldRead.status} ${JSON.stringify(oldReadBody)}`,
  );
  const newMint = run.run(
    "node",
    [path.join(standalone, "dist-scripts", "token-mint.mjs"), "--installation", old.installationId, "--user", old.userId],
    {
      cwd: scratch,
      env: { ...serverEnv, LOG_LEVEL: "warn" },
    },
  );
  const token = newMint.out.trim().split("\n").at(-1) ?? "";
  const newRead = newMint.code === 0 ? await readSecret(token) : null;
  check(
    newRead?.status === 200,
    "token:mint from the standalone folder (another working directory) mints a token that reads it",
    newMint.err,
  );
  return { token, readSecret };
}

/** 3. SIGTERM during a burst of reads: every read answered 200 has its audit event. */
async function sigtermBurst({ database }, server, token, readSecret) {
  const acknowledged = new Set();
  let sent = 0;
  let signalledAt = null;
  const SIGNAL_AFTER = 150;
  const burst = Array.from({ length: 16 }, async (_, worker) => {
    for (let i = 0; i < 400; i++) {
      const agent = `check-sigterm/${worker}-${i}`;
      sent++;
      try {
        const response = await readSecret(token, agent);
        await response.arrayBuffer();
        if (response.status === 200) acknowledged.add(agent);
        else if (signalledAt === null) throw new Error(`read answered ${response.status}`);
      } catch {
        if (signalledAt !== null) return; // the server stopped accepting
        throw new Error(`read ${agent} failed before the signal`);
      }
      if (acknowledged.size >= SIGNAL_AFTER && signalledAt === null) {
        signalledAt = Date.now();
        process.kill(server.pid, "SIGTERM");
      }
    }
  });
  const burstResult = await Promise.allSettled(burst);
  const exit = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve("still running after 40 s"), 40_000))]);
  check(
    burstResult.every((r) => r.status === "fulfilled") && signalledAt !== null,
    `a burst of reads: ${sent} sent, ${acknowledged.size} answered 200, SIGTERM after ${SIGNAL_AFTER}`,
    burstResult.find((r) => r.status === "rejected")?.reason,
  );
  check(exit === 143, `the server exited after draining (code ${exit}; 143 = SIGTERM handled)`, server.output().slice(-2000));
  const rows = await database.sql`select source_user_agent as agent from audit_events
where action = 'secret.read' and source_user_agent like 'check-sigterm/%'`;
  const audited = new Set(rows.map((r) => r.agent));
  const lost = [...acknowledged].filter((agent) => !audited.has(agent));
  const flushedAtShutdown = logLines(server.output())
    .filter((l) => l.msg === "shutdown: queued read-audit events written")
    .reduce((sum, l) => sum + l.written, 0);
  check(
    lost.length === 0 && flushedAtShutdown > 0,
    `every read answered 200 has its audit event (${audited.size} events for ${acknowledged.size} reads; ${flushedAtShutdown} of them written by the shutdown's flush)`,
    `lost: ${lost.slice(0, 10).join(", ")}${lost.length > 10 ? ` and ${lost.length - 10} more` : ""}`,
  );
}

/** 4. The worker from the standalone folder, then audit:verify. */
async function workerAndVerify({ database, serverEnv, standalone, metricsToken }) {
  const workerMetricsPort = await freePort();
  const worker = run.start("node", [path.join(standalone, "dist-scripts", "worker.mjs")], {
    name: "worker",
    env: { ...serverEnv, LATCHKEY_WORKER_METRICS_PORT: String(workerMetricsPort) },
  });
  const workerMetrics = await waitFor(`http://127.0.0.1:${workerMetricsPort}/metrics`, 30_000, (r) => r.status === 401);
  const workerMetricsOk = workerMetrics
    ? await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
    : null;
  check(workerMetricsOk?.status === 200, "the worker serves its metrics behind the token", worker.output().slice(-2000));
  let unsequenced = -1;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    [{ count: unsequenced }] = await database.sql`select count(*)::int as count from audit_events e
  where not exists (select 1 from audit_leaves l where l.event_id = e.id)`;
    if (unsequenced === 0) break;
  }
  check(unsequenced === 0, "the worker sequenced every audit event");
  process.kill(worker.pid, "SIGTERM");
  const workerExit = await Promise.race([
    worker.exited,
    new Promise((resolve) => setTimeout(() => resolve("still running after 30 s"), 30_000)),
  ]);
  check(workerExit === 0, `the worker stopped cleanly on SIGTERM (code ${workerExit})`, worker.output().slice(-2000));
  const command = (name, args, env) => run.run("node", [path.join(standalone, "dist-scripts", name), ...args], { cwd: scratch, env });
  const archive = command("audit-archive.mjs", ["--dry-run"], { ...serverEnv, LATCHKEY_AUDIT_RETENTION: "standard" });
  check(archive.out.includes("Nothing is past retention: retention standard"), "audit:archive runs", archive.out + archive.err);
  const verify = run.run("node", [path.join(standalone, "dist-scripts", "audit-verify.mjs")], {
    cwd: scratch,
    env: { ...serverEnv, LOG_LEVEL: "warn" },
    timeoutMs: 120_000,
  });
  check(
    verify.code === 0 && verify.out.includes("OK"),
    "audit:verify: every event, checkpoint and anchor verifies",
    `${verify.out}${verify.err}`.slice(-3000),
  );
}

/** Whether a process with this pid runs. */
function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** 5. The embedded default: the database host beside the server, commands beside both, both gone on SIGTERM. */
async function embeddedDefault({ standalone, serverEnv }) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = path.join(scratch, "embedded");
  const env = { ...serverEnv, DATABASE_URL: "", LATCHKEY_DATA_DIR: dataDir, LATCHKEY_URL: baseUrl };
  const server = run.start("node", [path.join(standalone, "server.js")], {
    name: "embedded",
    env: { ...env, PORT: String(port), HOSTNAME: "127.0.0.1" },
  });
  const ready = await waitFor(`${baseUrl}/api/ready`, 90_000, (r) => r.status === 200);
  if (!ready) run.abort("the standalone server answers /api/ready on the embedded database", server.output().slice(-3000));
  const lockFile = path.join(dataDir, "pglite", "latchkey.lock");
  const hostPid = Number.parseInt(fs.readFileSync(lockFile, "utf8"), 10);
  const stat = fs.readFileSync(`/proc/${hostPid}/stat`, "utf8");
  const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  const cmdline = fs.readFileSync(`/proc/${hostPid}/cmdline`, "utf8").split("\0");
  check(
    hostPid !== server.pid && parent === server.pid && cmdline.includes(path.join(standalone, "dist-scripts", "pglite-host.mjs")),
    `the embedded database's lock is held by the server's child ${hostPid}, dist-scripts/pglite-host.mjs from the standalone folder`,
    `server ${server.pid}, host's parent ${parent}, host: ${cmdline.join(" ")}`,
  );
  for (const command of ["keys-status", "audit-verify"]) {
    const result = run.run("node", [path.join(standalone, "dist-scripts", `${command}.mjs`)], {
      cwd: scratch,
      env: { ...env, LOG_LEVEL: "warn" },
      timeoutMs: 120_000,
    });
    check(
      result.code === 0,
      `${command.replace("-", ":")} runs beside the embedded server, through its host's socket`,
      `${result.out}${result.err}`.slice(-2000),
    );
  }
  process.kill(server.pid, "SIGTERM");
  const exit = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve("still running after 40 s"), 40_000))]);
  let hostGone = false;
  for (const deadline = Date.now() + 15_000; !hostGone && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    hostGone = !running(hostPid) && !fs.existsSync(lockFile);
  }
  check(
    exit === 143 && hostGone,
    `on SIGTERM the server (code ${exit}) and then its database host exit, releasing the lock`,
    server.output().slice(-2000),
  );
}

await run.main(async () => {
  const standalone = standaloneFolder(run);
  const database = await scratchDatabase("standalone");
  run.onFinish(() => database.drop());
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const metricsToken = randomBytes(16).toString("hex");
  const serverEnv = serverEnvironment(database, baseUrl, metricsToken);
  const setup = { standalone, database, baseUrl, metricsToken, serverEnv };

  // What a kept scratch folder (KEEP_CHECK_DIR=1) needs to run a command on the kept database by hand.
  fs.writeFileSync(
    path.join(scratch, "server.env"),
    Object.entries(serverEnv)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
    { mode: 0o600 },
  );

  const old = await writeOldData(setup);

  // The new server starts on it.
  const server = run.start("node", [path.join(standalone, "server.js")], {
    name: "server",
    env: { ...serverEnv, PORT: String(port), HOSTNAME: "127.0.0.1" },
  });
  const up = await waitFor(`${baseUrl}/api/health`, 60_000);
  if (up?.status !== 200) run.abort(`the standalone server answers on ${baseUrl}`, server.output().slice(-3000));
  check(true, `the standalone server answers on ${baseUrl}`);

  const refusedId = await smoke(setup, old.oldMigrations);
  const { token, readSecret } = await oldDataServed(setup, old);
  // The request-log line of the refused request carries its id.
  const serverLog = logLines(server.output());
  check(
    serverLog.some((l) => l.msg === "request" && l.request_id === refusedId && l.status === 401 && l.route === "/api/v1/secrets/[ref]"),
    "the request log has one line for it, with the same request id, route and status",
  );

  await sigtermBurst(setup, server, token, readSecret);
  await workerAndVerify(setup);
  await embeddedDefault(setup);
});
