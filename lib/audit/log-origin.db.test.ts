// The false alarm of issue 17: a log created while LATCHKEY_URL was http://localhost:4000, verified after
// the variable was dropped (so the configuration says localhost:3000), was reported as tampered at leaf
// 0. The origin is now fixed when the log is created: verification uses it, the sequencer keeps
// signing under it, and the changed URL is a note, not a problem.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditCheckpoints, auditLog } from "@/lib/db/schema";
import { parseEnv } from "@/lib/env";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { createSequencerFromEnv } from "@/lib/audit/from-env";
import { ensureLogOrigin } from "./log-origin";
import { appendEvents } from "@/test/audit-fixtures";
import { verifyFromConfig } from "./verify-command";

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
// Each test is a fresh installation: its own data dir (anchor file) and database.
let dataDir: string;
beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-origin-"));
  await database.db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, system_keys, data_keys cascade`,
  );
});

const configWith = (vars: Record<string, string>) => parseEnv({ LATCHKEY_DATA_DIR: dataDir, LOG_LEVEL: "silent", ...vars });

describe("the log's origin", () => {
  it("is fixed at creation: verifying after LATCHKEY_URL changed passes and says what changed", async () => {
    const { db } = database;
    const { dataKeys } = buildVault(db, await localKeyring());
    const at4000 = configWith({ LATCHKEY_URL: "http://localhost:4000" });
    await appendEvents(db, 6, 0, { occurredAt: new Date() });
    await createSequencerFromEnv(db, dataKeys, at4000).tick({ forceCheckpoint: true });

    // Restarted without the variable: the configuration now implies localhost:3000/audit.
    const at3000 = configWith({});
    expect(at3000.auditOrigin).toBe("localhost:3000/audit");
    const first = await verifyFromConfig(db, dataKeys, at3000);
    expect(first.report).toMatchObject({ ok: true, treeSize: 6, problems: [] });
    expect(first.origin).toMatchObject({ origin: "localhost:4000/audit", configured: "localhost:3000/audit" });
    expect(first.notes.join("\n")).toContain(
      "The configuration now names the log localhost:3000/audit (LATCHKEY_URL or LATCHKEY_AUDIT_ORIGIN changed since the log was created); the log keeps the origin it was created with, localhost:4000/audit",
    );

    // The sequencer started under the new URL goes on signing under the log's origin.
    await appendEvents(db, 3, 6, { occurredAt: new Date() });
    await createSequencerFromEnv(db, dataKeys, at3000).tick({ forceCheckpoint: true });
    const origins = await db.select({ size: auditCheckpoints.treeSize, origin: auditCheckpoints.origin }).from(auditCheckpoints);
    expect(origins.map((o) => o.origin)).toEqual(["localhost:4000/audit", "localhost:4000/audit"]);
    expect((await verifyFromConfig(db, dataKeys, at3000)).report).toMatchObject({ ok: true, treeSize: 9 });
  });

  it("is the first checkpoint's for a log signed before the origin was stored", async () => {
    const { db } = database;
    const { dataKeys } = buildVault(db, await localKeyring());
    await appendEvents(db, 2, 0, { occurredAt: new Date() });
    await createSequencerFromEnv(db, dataKeys, configWith({ LATCHKEY_URL: "https://vault.example.test" })).tick({ forceCheckpoint: true });
    await db.delete(auditLog).where(eq(auditLog.id, 1));
    const adopted = await ensureLogOrigin(db, "elsewhere.example.test/audit");
    expect(adopted).toMatchObject({ origin: "vault.example.test/audit", configured: "elsewhere.example.test/audit" });
    expect(await db.select({ origin: auditLog.origin }).from(auditLog)).toEqual([{ origin: "vault.example.test/audit" }]);
  });

  it("is the configured one for a new log, and a log with no key says how to verify it", async () => {
    const { db } = database;
    const { dataKeys } = buildVault(db, await localKeyring());
    const result = await verifyFromConfig(db, dataKeys, configWith({}));
    expect(result).toMatchObject({ keySource: "none", report: { ok: true, treeSize: 0 } });
    expect(result.notes.join("\n")).toContain("pass --key");
    expect((await ensureLogOrigin(db, "localhost:3000/audit")).note).toBeNull();
  });
});
