// `npm run audit:verify` as an operator runs it: a separate process against the database, reading the
// keyring and anchor file from its own configuration. Needs a real server (PGlite in memory cannot be
// shared with a child process), so it runs in the db:postgres project only.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalKeyringFromEnv } from "@/lib/crypto";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault } from "@/test/vault";
import { FileAnchorSink } from "./anchors";
import { Sequencer } from "./sequencer";
import { loadCheckpointSigner } from "./signing-key";
import { appendEvents } from "@/test/audit-fixtures";

const onPostgres = process.env.TEST_DB_DRIVER === "postgres";
let database: TestDatabase;
const masterKey = randomBytes(32).toString("base64");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-audit-cli-"));
const ORIGIN = "localhost:3000/audit";

function runVerify(appUrl = "http://localhost:3000") {
  const result = spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/audit-verify.ts"], {
    encoding: "utf8",
    timeout: 60_000,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      LATCHKEY_MASTER_KEY: masterKey,
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_URL: appUrl,
      LATCHKEY_DEMO: "true",
      LOG_LEVEL: "silent",
    },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.runIf(onPostgres)("npm run audit:verify", () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    const { db } = database;
    const { dataKeys } = buildVault(db, createLocalKeyringFromEnv(masterKey));
    const sequencer = new Sequencer({
      db,
      signer: () => loadCheckpointSigner(db, dataKeys, ORIGIN),
      sinks: [new FileAnchorSink(path.join(dataDir, "anchors.jsonl"))],
    });
    await appendEvents(db, 12, 0, { occurredAt: new Date() });
    await sequencer.tick({ forceCheckpoint: true });
    await appendEvents(db, 9, 12, { occurredAt: new Date() });
    await sequencer.tick({ forceCheckpoint: true });
  });
  afterAll(async () => {
    await database.close();
  });

  it("passes an untouched log and exits 0", () => {
    const { code, out } = runVerify();
    expect(out).toContain("21 leaves, 2 checkpoints, 2 confirmed anchors");
    expect(out).toContain("OK: every event, checkpoint and anchor verifies.");
    expect(code).toBe(0);
  });

  it("does not call the history tampered after LATCHKEY_URL changed: it says so and verifies under the log's origin", () => {
    const { code, out, err } = runVerify("http://audit.example.test:4000");
    expect(err).not.toContain("TAMPERED");
    expect(out).toContain("Verified audit log localhost:3000/audit");
    expect(out).toContain("Note: The configuration now names the log audit.example.test:4000/audit");
    expect(out).toContain("OK: every event, checkpoint and anchor verifies.");
    expect(code).toBe(0);
  });

  it("exits 1 naming the first bad leaf after an edit straight in the database", async () => {
    await database.db.execute(
      sql`update audit_events set outcome = 'failure' where id = (select event_id from audit_leaves where leaf_index = 14)`,
    );
    const { code, err } = runVerify();
    expect(err).toContain("TAMPERED: altered at leaf 14");
    expect(code).toBe(1);
  });
});
