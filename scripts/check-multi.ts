// `npm run check:multi` (a step of .ci/run): more than one machine. Two app instances and one worker —
// the standalone build, exactly as the image ships it — share one PostgreSQL database behind a small
// round-robin proxy on loopback (as a load balancer would: a refused connection goes to the next
// instance). Under read, write and refresh load, instance B is killed with SIGKILL half-way; then:
//   - audit verification of the whole log passes (the compiled audit:verify);
//   - no duplicate refresh: OAuth connections expiring every few seconds are refreshed by the background
//     refreshers of all three processes and on demand through the runtime API, against a token endpoint
//     that rotates refresh tokens and counts any presented twice. (A rotation the killed instance received
//     but never stored is reported apart: a crash mid-refresh, not two refreshers racing.)
//   - versions gapless: a secret written concurrently through both instances has versions 1..n with
//     none missing, and every write acknowledged (200) is among them with its audit event;
//   - nothing acknowledged is lost: every read answered 200 by the surviving instance has its audit event
//     (reads are audited in batches flushed every second, so the killed instance can take at most its
//     last second of read events with it — counted and bounded here; SIGTERM loses none, see
//     scripts/check-standalone.mjs), every acknowledged write is stored.
// Run with tsx (it seeds through lib/); LATCHKEY_CHECK_REUSE_BUILD=1 reuses the standalone build.
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { SecretValue } from "@/lib/crypto";
import { openDatabase } from "@/lib/db/client";
import { extensions, installations, oauthConnections, organizations, secretVersions, secrets, users } from "@/lib/db/schema";
import { parseEnv } from "@/lib/env";
import { openToken, sealTokens } from "@/lib/oauth/token-seal";
import { createVaultFromEnv } from "@/lib/vault/create";
import { checkRun, freePort, scratchDatabase, standaloneFolder, waitFor } from "./check-lib.mjs";
import { CLIENT, startProxy, startTokenServer } from "./check-multi-servers";

const LOAD_MS = 24_000;
const KILL_AT_MS = 10_000;
const CONNECTIONS = 24;
const TOKEN_LIFETIME_S = 4;
const FLUSH_WINDOW_MS = 2_000;

const run = checkRun("check-multi");
const { check, log } = run;

type TokenServer = Awaited<ReturnType<typeof startTokenServer>>;
type Db = Awaited<ReturnType<typeof openDatabase>>["db"];
type Vault = Awaited<ReturnType<typeof createVaultFromEnv>>;
type Started = ReturnType<typeof run.start>;
/** An acknowledged read and write of the load, with the instance that answered. */
type Read = { agent: string; upstream: string; at: number };
type Write = { version: number; bytes: number; upstream: string };

/** The demo data the load works on, plus Eve's API key and a secret value to read back. */
async function demoData(db: Db, vault: Vault) {
  const one = async <T>(rows: Promise<T[]>, what: string): Promise<T> => {
    const [row] = await rows;
    if (!row) throw new Error(`demo data missing: ${what}`);
    return row;
  };
  const eve = await one(db.select().from(users).where(eq(users.demoKey, "enduser")), "Eve");
  const globex = await one(db.select().from(organizations).where(eq(organizations.slug, "globex")), "Globex");
  const ext = (slug: string) => one(db.select().from(extensions).where(eq(extensions.slug, slug)), slug);
  const [spotify, calendar, providerExt] = await Promise.all([
    ext("dev.imperal.spotify"),
    ext("dev.kiket.ext.my-calendar"),
    ext("dev.kiket.ext.my-oauth"),
  ]);
  const installationOf = (extensionId: string) =>
    one(
      db
        .select()
        .from(installations)
        .where(and(eq(installations.extensionId, extensionId), eq(installations.orgId, globex.id))),
      "installation",
    );
  const [spotifyInstall, calendarInstall] = await Promise.all([installationOf(spotify.id), installationOf(calendar.id)]);
  const eveCtx = {
    actor: { kind: "user" as const, id: eve.id },
    source: { kind: "cli" as const, userAgent: "check-multi" },
    orgId: globex.id,
  };
  const apiKeyValue = `sk-multi-${randomBytes(6).toString("hex")}`;
  await vault.set(
    eveCtx,
    { extensionId: spotify.id, scope: "user", ownerId: eve.id, name: "spotify_api_key" },
    SecretValue.from(apiKeyValue),
  );
  return { eve, globex, spotify, providerExt, spotifyInstall, calendarInstall, apiKeyValue };
}

/**
 * Connections to the token endpoint, all due for a refresh within seconds: Eve's (asked for on demand
 * through My Calendar) and more people's (refreshed in the background).
 */
async function seedConnections(db: Db, vault: Vault, tokens: TokenServer, data: Awaited<ReturnType<typeof demoData>>) {
  const { eve, globex, providerExt } = data;
  const people = await db
    .insert(users)
    .values(Array.from({ length: CONNECTIONS - 1 }, (_, i) => ({ email: `multi-${i}@example.test`, name: `Multi ${i}` })))
    .returning({ id: users.id });
  const dek = await vault.dataKeys.forWrite();
  const now = Date.now();
  const connectionRows = [eve.id, ...people.map((p) => p.id)].map((ownerId, i) => {
    const id = randomUUID();
    const sealed = sealTokens(dek, { id, ownerKind: "user", ownerId }, 1, { accessToken: `at_seed_${i}`, refreshToken: tokens.issue(id) });
    return {
      id,
      ownerKind: "user" as const,
      ownerId,
      orgId: globex.id,
      providerId: "my-provider",
      providerName: "My Service",
      clientExtensionId: providerExt.id,
      scopes: ["openid", "email", "calendar.read"],
      status: "active" as const,
      dekId: sealed.dekId,
      accessToken: sealed.accessToken,
      refreshToken: sealed.refreshToken,
      expiresAt: new Date(now + 1000 + i * 100),
      issuedAt: new Date(now - 3000),
      tokenVersion: 1,
      connectedBy: ownerId,
    };
  });
  await db.insert(oauthConnections).values(connectionRows);
}

/** The load: readers, writers and on-demand token requests through the proxy, with B killed half-way. */
async function load(baseUrl: string, b: Started, tokens: { spotify: string; calendar: string }, apiKeyValue: string) {
  const started = Date.now();
  const end = started + LOAD_MS;
  const reads: { agent: string; upstream: string; at: number }[] = [];
  const writes: { version: number; bytes: number; upstream: string }[] = [];
  const stats = { reads: 0, writes: 0, tokens: 0, tokenFailures: 0, failed: 0 };
  let killedAt = 0;
  const call = (method: string, ref: string, token: string, agent: string, body?: unknown) =>
    fetch(`${baseUrl}${ref}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "user-agent": agent, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  const loop = async (work: (n: number) => Promise<void>) => {
    for (let n = 0; Date.now() < end; n++) {
      try {
        await work(n);
      } catch {
        stats.failed++; // not acknowledged: nothing is expected of it
      }
    }
  };
  const readers = Array.from({ length: 6 }, (_, r) =>
    loop(async (n) => {
      const agent = `check-multi/read-${r}-${n}`;
      const answer = await call("GET", "/api/v1/secrets/user.spotify_api_key", tokens.spotify, agent);
      const body = (await answer.json().catch(() => null)) as { value?: string } | null;
      stats.reads++;
      if (answer.status === 200 && body?.value === apiKeyValue)
        reads.push({ agent, upstream: answer.headers.get("x-check-upstream") ?? "", at: Date.now() });
    }),
  );
  const writers = Array.from({ length: 2 }, (_, w) =>
    loop(async (n) => {
      const value = `rt-${w}-${n}-${randomBytes(4).toString("hex")}`;
      const answer = await call("PUT", "/api/v1/secrets/user.spotify_refresh_token", tokens.spotify, `check-multi/write-${w}-${n}`, {
        value,
      });
      const body = (await answer.json().catch(() => null)) as { version?: number } | null;
      stats.writes++;
      if (answer.status === 200 && typeof body?.version === "number") {
        writes.push({ version: body.version, bytes: Buffer.byteLength(value), upstream: answer.headers.get("x-check-upstream") ?? "" });
      }
    }),
  );
  const onDemand = loop(async (n) => {
    const answer = await call("POST", "/api/v1/oauth/token", tokens.calendar, `check-multi/token-${n}`, {
      provider: "my-oauth",
      scopes: ["calendar.read"],
    });
    await answer.arrayBuffer();
    if (answer.status === 200) stats.tokens++;
    else stats.tokenFailures++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  const killer = (async () => {
    await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
    killedAt = Date.now();
    process.kill(-(b.pid as number), "SIGKILL");
  })();
  await Promise.all([...readers, ...writers, onDemand, killer]);
  return { started, reads, writes, stats, killedAt };
}

/** What the load's figures say: B was killed, both instances served, the refreshers kept up. */
async function checkLoad(result: Awaited<ReturnType<typeof load>>, b: Started, tokens: TokenServer, portA: number, portB: number) {
  const { stats, started, killedAt, reads, writes } = result;
  log(
    `load: ${stats.reads} reads, ${stats.writes} writes, ${stats.tokens} on-demand tokens (${stats.tokenFailures} refused), ${stats.failed} requests failed in flight; ${tokens.stats.granted} refreshes granted`,
  );
  check(String(await b.exited) === "SIGKILL", `instance B was killed with SIGKILL after ${((killedAt - started) / 1000).toFixed(1)} s`);
  const fromA = reads.filter((r) => r.upstream === String(portA)).length;
  const fromB = reads.filter((r) => r.upstream === String(portB)).length;
  check(
    fromA > 100 && fromB > 100 && writes.length > 20,
    `both instances served (reads: ${fromA} by A, ${fromB} by B; ${writes.length} writes acknowledged)`,
  );
  check(
    tokens.stats.granted >= CONNECTIONS * 2,
    `the refreshers refreshed under load (${tokens.stats.granted} refreshes of ${CONNECTIONS} connections)`,
  );
}

/** Stops A gracefully (its queued read events are written), lets the worker sequence everything, stops it. */
async function drain(a: Started, worker: Started, sql: Awaited<ReturnType<typeof scratchDatabase>>["sql"]) {
  process.kill(a.pid as number, "SIGTERM");
  check((await a.exited) === 143, "instance A drained and stopped on SIGTERM");
  let waiting = -1;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const [row] = await sql<{ waiting: number }[]>`select count(*)::int as waiting from audit_events e
    where not exists (select 1 from audit_leaves l where l.event_id = e.id)`;
    waiting = row?.waiting ?? -1;
    if (waiting === 0) break;
  }
  check(waiting === 0, "the worker sequenced every audit event");
  process.kill(worker.pid as number, "SIGTERM");
  check((await worker.exited) === 0, "the worker stopped cleanly on SIGTERM");
}

/** No duplicate refresh; every stored refresh token is the live one. */
async function checkRefreshes(db: Db, vault: Vault, tokens: TokenServer, killedAt: number) {
  const crash = tokens.duplicates.filter((d) => d.spentAt >= killedAt - 1000 && d.spentAt <= killedAt + 50);
  const racing = tokens.duplicates.filter((d) => !crash.includes(d));
  check(
    racing.length === 0 && tokens.stats.unknown === 0 && tokens.stats.badClient === 0,
    `no refresh token was presented twice (${tokens.duplicates.length} duplicates, ${crash.length} of them rotations lost with the killed instance)`,
    JSON.stringify(racing.slice(0, 5)),
  );
  const stored = await db.select().from(oauthConnections).where(eq(oauthConnections.providerId, "my-provider"));
  let stale = 0;
  for (const row of stored) {
    if (row.status !== "active") continue;
    const refreshToken = await openToken(vault.dataKeys, row, "refresh_token", row.refreshToken);
    if (refreshToken !== tokens.live.get(row.id)) stale++;
  }
  const expired = stored.filter((r) => r.status !== "active").length;
  check(
    stale === 0 && expired <= crash.length,
    `every active connection holds its latest refresh token (${expired} expired, all by a lost rotation)`,
  );
}

/** Versions gapless; every acknowledged write stored with its event. */
async function checkWrites(
  database: Awaited<ReturnType<typeof scratchDatabase>>,
  db: Db,
  key: { extensionId: string; ownerId: string },
  writes: Write[],
) {
  const { sql } = database;
  const [secret] = await db
    .select()
    .from(secrets)
    .where(and(eq(secrets.extensionId, key.extensionId), eq(secrets.ownerId, key.ownerId), eq(secrets.name, "spotify_refresh_token")));
  const versions = secret ? await db.select().from(secretVersions).where(eq(secretVersions.secretId, secret.id)) : [];
  const numbers = versions.map((v) => v.version).sort((x, y) => x - y);
  check(
    numbers.length > 0 && numbers.every((v, i) => v === i + 1) && secret?.latestVersion === numbers.length,
    `versions of the concurrently written secret are gapless (1..${numbers.at(-1) ?? 0})`,
  );
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const missing = writes.filter((w) => byVersion.get(w.version)?.byteLength !== w.bytes);
  const setEvents = await sql<{ version: number }[]>`select (details->>'version')::int as version from audit_events
  where action = 'secret.set' and target = 'user.spotify_refresh_token'`;
  const audited = new Set(setEvents.map((e) => e.version));
  check(
    missing.length === 0 && writes.every((w) => audited.has(w.version)),
    `every acknowledged write (${writes.length}) is stored with its audit event`,
    JSON.stringify(missing.slice(0, 5)),
  );
}

/** Reads: none lost from the surviving instance; at most the killed one's last flush window. */
async function checkReads(
  database: Awaited<ReturnType<typeof scratchDatabase>>,
  reads: Read[],
  portA: number,
  portB: number,
  killedAt: number,
) {
  const { sql } = database;
  const fromA = reads.filter((r) => r.upstream === String(portA)).length;
  const fromB = reads.filter((r) => r.upstream === String(portB)).length;
  const readEvents = await sql<{ agent: string }[]>`select source_user_agent as agent from audit_events
  where action = 'secret.read' and source_user_agent like 'check-multi/read-%'`;
  const readAudited = new Set(readEvents.map((e) => e.agent));
  const lost = reads.filter((r) => !readAudited.has(r.agent));
  const lostFromA = lost.filter((r) => r.upstream === String(portA));
  const outsideWindow = lost.filter((r) => r.upstream === String(portB) && r.at < killedAt - FLUSH_WINDOW_MS);
  check(lostFromA.length === 0, `every read acknowledged by the surviving instance has its audit event (${fromA} reads)`);
  check(
    outsideWindow.length === 0,
    `the killed instance lost only its last flush window of read events (${lost.length} of its ${fromB} reads, all within ${FLUSH_WINDOW_MS / 1000} s of the kill)`,
    JSON.stringify(outsideWindow.slice(0, 5)),
  );
}

/** The environment of both instances and the worker. */
function instanceEnv(database: { url: string }, baseUrl: string, tokens: TokenServer, metricsToken: string): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    LATCHKEY_URL: baseUrl,
    // One data dir for all, as a shared volume: the file anchor sink is written by whichever process leads.
    LATCHKEY_DATA_DIR: path.join(run.scratch, "data"),
    LATCHKEY_MASTER_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    LATCHKEY_DEMO: "true",
    LATCHKEY_DEMO_OAUTH_ISSUER: tokens.base,
    LATCHKEY_DEMO_OAUTH_CLIENT_SECRET: CLIENT.secret,
    LATCHKEY_OAUTH_REFRESH_INTERVAL_MS: "1000",
    LATCHKEY_METRICS_TOKEN: metricsToken,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

void run.main(async () => {
  const standalone = standaloneFolder(run);
  const database = await scratchDatabase("multi");
  run.onFinish(() => database.drop());
  const tokens = await startTokenServer(TOKEN_LIFETIME_S);
  run.onFinish(async () => tokens.close());
  const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${proxyPort}`;
  const metricsToken = randomBytes(16).toString("hex");
  const env = instanceEnv(database, baseUrl, tokens, metricsToken);
  const instance = (name: string, port: number) =>
    run.start("node", [path.join(standalone, "server.js")], { name, env: { ...env, PORT: String(port), HOSTNAME: "127.0.0.1" } });

  // Instance A migrates and seeds; then the data the load needs is added through lib/, as operators would.
  const a = instance("instance-a", portA);
  if ((await waitFor(`http://127.0.0.1:${portA}/api/ready`, 90_000, (r: Response) => r.status === 200))?.status !== 200) {
    run.abort("instance A becomes ready", a.output().slice(-3000));
  }
  const config = parseEnv(env);
  const db = (await openDatabase({ url: database.url, max: 4 })).db;
  const vault = await createVaultFromEnv(db, config);
  const data = await demoData(db, vault);
  await seedConnections(db, vault, tokens, data);
  const { eve, spotify, spotifyInstall, calendarInstall } = data;
  const mint = (installationId: string) => {
    const minted = run.run(
      "node",
      [path.join(standalone, "dist-scripts", "token-mint.mjs"), "--installation", installationId, "--user", eve.id],
      {
        env: { ...env, LOG_LEVEL: "warn" },
      },
    );
    if (minted.code !== 0) run.abort("token:mint", minted.err);
    return minted.out.trim().split("\n").at(-1) ?? "";
  };
  const spotifyToken = mint(spotifyInstall.id);
  const calendarToken = mint(calendarInstall.id);

  const b = instance("instance-b", portB);
  const worker = run.start("node", [path.join(standalone, "dist-scripts", "worker.mjs")], { name: "worker", env });
  if ((await waitFor(`http://127.0.0.1:${portB}/api/ready`, 90_000, (r: Response) => r.status === 200))?.status !== 200) {
    run.abort("instance B becomes ready", b.output().slice(-3000));
  }
  const proxy = await startProxy(proxyPort, [portA, portB]);
  run.onFinish(async () => proxy.close());
  check(true, `two instances (:${portA}, :${portB}) and a worker on one database, behind a round-robin proxy on :${proxyPort}`);

  // The load.
  const result = await load(baseUrl, b, { spotify: spotifyToken, calendar: calendarToken }, data.apiKeyValue);
  await checkLoad(result, b, tokens, portA, portB);
  await drain(a, worker, database.sql);

  // Audit verification.
  const verify = run.run("node", [path.join(standalone, "dist-scripts", "audit-verify.mjs")], {
    env: { ...env, LOG_LEVEL: "warn" },
    timeoutMs: 120_000,
  });
  check(verify.code === 0 && verify.out.includes("OK"), "audit:verify: the whole log verifies", `${verify.out}${verify.err}`.slice(-3000));

  await checkRefreshes(db, vault, tokens, result.killedAt);
  await checkWrites(database, db, { extensionId: spotify.id, ownerId: eve.id }, result.writes);
  await checkReads(database, result.reads, portA, portB, result.killedAt);
});
