// The embedded database while the app runs: a command opening the same data directory reaches the app's
// PGlite through the socket the app serves (lib/db/pglite-bridge.ts) instead of being refused, what it
// writes is what the app reads, and a client's transaction holds off the app's own queries until it ends
// (or its connection drops, which rolls it back).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/lib/db/schema";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { verifyRuntimeToken } from "@/lib/runtime/tokens";
import { createVaultFromEnv } from "@/lib/vault/create";
import { parseEnv } from "@/lib/env";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { openDatabase, type Database } from "./client";
import { servePglite, type PgliteBridge } from "./pglite-bridge";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lk-bridge-"));
const settings = { LATCHKEY_DATA_DIR: dataDir, DATABASE_URL: "", LATCHKEY_DEMO: "true", LOG_LEVEL: "silent" };
let app: Database;
let bridge: PgliteBridge | null;
let fx: RuntimeFixture;

beforeAll(async () => {
  app = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  bridge = (await app.share?.()) ?? null;
  fx = await seedRuntimeFixture(app.db);
  // A first open runs initdb: seconds on a busy machine.
}, 60_000);
afterAll(async () => {
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

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

const client = () => {
  if (!bridge) throw new Error("the embedded database was not shared");
  return postgres({ path: bridge.socketPath, username: "postgres", database: "postgres", prepare: false, max: 1, onnotice: () => {} });
};

describe("the embedded database shared by a running app", () => {
  it("lets `npm run token:mint` run while the app has the database open, through the app's socket", async () => {
    expect(fs.statSync(bridge?.socketPath ?? "").mode & 0o777).toBe(0o600);
    // PGlite's own files are 0666: the directory keeps other users out.
    expect(fs.statSync(path.join(dataDir, "pglite")).mode & 0o777).toBe(0o700);
    // Asynchronously: this process is the app, and must go on serving the socket meanwhile.
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
    const token = minted.stdout.trim();
    // The command's signing key and audit event are in the app's database.
    const { dataKeys } = await createVaultFromEnv(app.db, parseEnv({ ...process.env, ...settings }));
    const keys = new SigningKeys({ db: app.db, dataKeys, maxTokenTtlSeconds: 900 });
    await expect(verifyRuntimeToken(keys, token, { issuer: "http://localhost:3000" })).resolves.toMatchObject({
      installationId: fx.alphaOrg1,
      userId: fx.u1,
    });
    const events = await app.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "runtime_token.mint"), eq(auditEvents.orgId, fx.org1)));
    expect(events).toHaveLength(1);
  });

  it("holds the app's queries off while a client's transaction is open, and rolls back one whose connection drops", async () => {
    const sqlClient = client();
    await sqlClient`create table bridge_probe (n int)`;
    let appRead: Promise<number> | null = null;
    await sqlClient.begin(async (tx) => {
      await tx`insert into bridge_probe values (1)`;
      appRead = app.db
        .execute(sql`select count(*)::int as n from bridge_probe`)
        .then((r) => Number((r as unknown as { rows: { n: number }[] }).rows[0]?.n));
      await tx`insert into bridge_probe values (2)`;
    });
    // The app's count ran after the commit, never inside the client's transaction.
    expect(await appRead).toBe(2);

    const dropped = client();
    const reserved = await dropped.reserve();
    await reserved`begin`;
    await reserved`insert into bridge_probe values (3)`;
    await dropped.end({ timeout: 0 });
    const after = await app.db.execute(sql`select count(*)::int as n from bridge_probe`);
    expect((after as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(2);
    await sqlClient.end();
  });

  it("lets a command that serves its database wait for the commands that joined it before it closes", async () => {
    const joined = client();
    await joined`select 1`;
    expect(bridge?.connections).toBe(1);
    let drained = false;
    const draining = bridge?.drain().then(() => (drained = true));
    // Still served meanwhile: the joined command's pool may open another connection.
    await joined`select 2`;
    await Promise.resolve();
    expect(drained).toBe(false);
    await joined.end();
    await draining;
    expect(drained).toBe(true);
    await expect(bridge?.drain()).resolves.toBeUndefined();
  });

  it("closes a connection idle in its transaction once the wait runs out, rolling it back and letting the app in", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = new PGlite("memory://");
    await pglite.exec("create table waiting (n int)");
    const timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
    const served = await servePglite(pglite, path.join(dataDir, ".s.idle"), {
      idleInTransactionMs: 5000,
      startTimer: (ms, fire) => {
        const timer = { ms, fire, cancelled: false };
        timers.push(timer);
        return () => (timer.cancelled = true);
      },
    });
    const stuck = postgres({
      path: served.socketPath,
      username: "postgres",
      database: "postgres",
      prepare: false,
      max: 1,
      onnotice: () => {},
    });
    const reserved = await stuck.reserve();
    await reserved`begin`;
    await reserved`insert into waiting values (1)`;
    let counted: number | null = null;
    const appCount = pglite.query<{ n: number }>("select count(*)::int as n from waiting").then((r) => (counted = r.rows[0]?.n ?? null));
    await Promise.resolve();
    expect(counted).toBeNull();
    const pending = timers.filter((t) => !t.cancelled);
    expect(pending.map((t) => t.ms)).toEqual([5000]);
    pending[0]?.fire();
    await appCount;
    expect(counted).toBe(0);
    await stuck.end({ timeout: 0 });
    await served.close();
    await pglite.close();
  });
});
