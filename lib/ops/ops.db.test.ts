// What an operator and a load balancer see: /api/ready's verdicts (database, migrations, keyring through
// a real unwrap that is cached briefly, shutdown), and the Prometheus metrics a vault read, write and
// the audit sequencer leave behind, served only to the metrics token.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditHealth } from "@/lib/audit/health";
import { appendEvents, auditFixture } from "@/test/audit-fixtures";
import { KeyringUnavailableError, SecretValue, type Keyring } from "@/lib/crypto";
import { findMigrationsFolder } from "@/lib/db/migrations";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, extensionContext, localKeyring, seedOwners, uiContext } from "@/test/vault";
import { metrics } from "@/lib/core/metrics";
import { authorizeMetrics, MetricsError, renderMetrics } from "./metrics-auth";
import { ReadinessProbe } from "./readiness";

let database: TestDatabase;
// One keyring for the file: the vault's own keys (fingerprints) are sealed under the first one used.
let ring: Keyring;
const silent = pino({ level: "silent" });

beforeAll(async () => {
  database = await openTestDatabase();
  ring = await localKeyring();
});
afterAll(async () => {
  await database.close();
});

/** A keyring that counts unwraps and can be switched off, as a KMS outage would. */
function switchableKeyring(inner: Keyring) {
  const state = { down: false, unwraps: 0 };
  const keyring: Keyring = {
    kind: inner.kind,
    currentKekId: () => inner.currentKekId(),
    generateDataKey: (context) => inner.generateDataKey(context),
    rewrapDataKey: (wrapped, kekId, context) => inner.rewrapDataKey(wrapped, kekId, context),
    listKeks: () => inner.listKeks(),
    async unwrapDataKey(wrapped, kekId, context) {
      state.unwraps++;
      if (state.down) throw new KeyringUnavailableError("KMS Decrypt failed for arn:aws:kms:eu-west-1:111122223333:key/abcd: timeout");
      return inner.unwrapDataKey(wrapped, kekId, context);
    },
  };
  return { keyring, state };
}

describe(`readiness on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("is ready when the database answers, migrations are current and the keyring unwraps; the unwrap is reused for 10 s", async () => {
    const { db } = database;
    const { keyring, state } = switchableKeyring(ring);
    const { vault } = buildVault(db, keyring);
    const owners = await seedOwners(db);
    await vault.set(
      uiContext(owners.userId),
      { extensionId: owners.extensionId, scope: "user", ownerId: owners.userId, name: "api_key" },
      SecretValue.from("sk-live-1"),
    );
    let now = 1_000_000;
    let draining = false;
    const probe = new ReadinessProbe({
      db: async () => db,
      keyring: async () => keyring,
      migrationsFolder: findMigrationsFolder(),
      draining: () => draining,
      log: silent,
      now: () => now,
    });

    expect(await probe.check()).toEqual({ ready: true, checks: { database: "ok", migrations: "ok", keyring: "ok", shutdown: "ok" } });
    expect(state.unwraps).toBe(1);
    // A load balancer every second: the database is asked each time, the keyring not again for 10 s.
    for (let i = 0; i < 9; i++) {
      now += 1000;
      await probe.check();
    }
    expect(state.unwraps).toBe(1);

    // The KMS goes away: within the next 10 s the verdict turns, saying only "unavailable" (no key id).
    state.down = true;
    now += 1000;
    const down = await probe.check();
    expect(down).toEqual({ ready: false, checks: { database: "ok", migrations: "ok", keyring: "unavailable", shutdown: "ok" } });
    expect(state.unwraps).toBe(2);
    // A failure is re-checked after 2 s, so recovery shows quickly.
    state.down = false;
    now += 2000;
    expect((await probe.check()).ready).toBe(true);

    draining = true;
    expect((await probe.check()).checks.shutdown).toBe("shutting down");
  });

  it("names the migrations a database has not applied yet", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-next-release-"));
    fs.cpSync(findMigrationsFolder(), folder, { recursive: true });
    const journalFile = path.join(folder, "meta", "_journal.json");
    const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { idx: number; when: number; tag: string }[] };
    const last = journal.entries.at(-1);
    journal.entries.push({
      ...(last ?? { idx: 0, when: 0, tag: "" }),
      idx: (last?.idx ?? 0) + 1,
      when: (last?.when ?? 0) + 1000,
      tag: "0099_next_release",
    });
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    fs.writeFileSync(path.join(folder, "0099_next_release.sql"), "select 1;");
    const probe = new ReadinessProbe({
      db: async () => database.db,
      keyring: async () => ring,
      migrationsFolder: folder,
      draining: () => false,
      log: silent,
    });
    expect((await probe.check()).checks.migrations).toBe("1 pending: 0099_next_release");
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it("says the database is unreachable when it does not answer", async () => {
    const probe = new ReadinessProbe({
      db: async () => {
        throw new Error("connect ECONNREFUSED 10.0.0.5:5432");
      },
      keyring: async () => ring,
      migrationsFolder: findMigrationsFolder(),
      draining: () => false,
      log: silent,
    });
    const report = await probe.check();
    expect(report.ready).toBe(false);
    expect(report.checks).toMatchObject({ database: "unreachable", migrations: "unknown" });
  });
});

/** The value of one sample in Prometheus text output (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

describe(`metrics on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("count vault operations, keyring calls and data-key cache lookups", async () => {
    const { db } = database;
    const { vault, cache, reads } = buildVault(db, ring);
    const owners = await seedOwners(db);
    const address = { extensionId: owners.extensionId, scope: "user" as const, ownerId: owners.userId, name: "spotify_api_key" };
    // A first write makes this process's data key (one generate call) and loads the vault's own keys.
    await vault.set(uiContext(owners.userId), { ...address, name: "warm_up" }, SecretValue.from("w"));
    const before = await renderMetrics();
    await vault.set(uiContext(owners.userId), address, SecretValue.from("sk-test"));
    expect((await vault.read(extensionContext(owners.extensionId), address))?.reveal()).toBe("sk-test");
    cache.clear(); // the next read has to unwrap through the keyring
    await vault.read(extensionContext(owners.extensionId), address);
    await vault.read(extensionContext(owners.extensionId), { ...address, name: "never_set" });
    await expect(vault.set(uiContext(owners.userId), address, SecretValue.from("x".repeat(70_000)))).rejects.toThrow();
    const after = await renderMetrics();
    const delta = (name: string, labels: Record<string, string>) => sample(after.body, name, labels) - sample(before.body, name, labels);

    expect(after.contentType).toContain("text/plain");
    expect(delta("latchkey_vault_operations_total", { operation: "set", outcome: "ok" })).toBe(1);
    expect(delta("latchkey_vault_operations_total", { operation: "set", outcome: "secret_value_too_large" })).toBe(1);
    expect(delta("latchkey_vault_operations_total", { operation: "read", outcome: "ok" })).toBe(2);
    expect(delta("latchkey_vault_operations_total", { operation: "read", outcome: "not_found" })).toBe(1);
    // Steady state: writes seal under the data key already held; only the read after the cache was
    // emptied asks the keyring.
    expect(delta("latchkey_keyring_calls_total", { keyring: "local", operation: "generate_data_key", outcome: "ok" })).toBe(0);
    expect(delta("latchkey_keyring_calls_total", { keyring: "local", operation: "unwrap_data_key", outcome: "ok" })).toBe(1);
    expect(delta("latchkey_dek_cache_lookups_total", { result: "hit" })).toBe(1);
    expect(delta("latchkey_dek_cache_lookups_total", { result: "miss" })).toBe(1);
    expect(delta("latchkey_vault_operation_duration_seconds_count", { operation: "read" })).toBe(3);
    // The reads' audit events are written now, not by the recorder's timer during the next test.
    await reads.flush();
  });

  it("report the audit sequencer's lag and each anchor sink from the database", async () => {
    const { db } = database;
    const fixture = await auditFixture(db);
    await fixture.sequencer.runUntilIdle({ forceCheckpoint: true });
    const sequenced = await auditHealth(db, ["file", "witness"]);
    expect(sequenced.unsequenced).toBe(0);
    expect(sequenced.lagSeconds).toBe(0);
    const file = sequenced.anchors.find((a) => a.sink === "file");
    expect(file?.confirmedTreeSize).toBe(sequenced.treeSize);
    expect(sequenced.anchors.find((a) => a.sink === "witness")).toEqual({
      sink: "witness",
      pending: 0,
      failed: 0,
      confirmedTreeSize: null,
      confirmedAgeSeconds: null,
    });

    const written = new Date();
    await appendEvents(db, 3, 0, { occurredAt: written });
    const later = new Date(written.getTime() + 42_000);
    const waiting = await auditHealth(db, ["file"], later);
    expect(waiting.unsequenced).toBe(3);
    expect(waiting.lagSeconds).toBeCloseTo(42, 0);

    metrics().setAuditProbe(() => auditHealth(db, ["file"], later));
    const text = (await renderMetrics()).body;
    expect(sample(text, "latchkey_audit_unsequenced_events")).toBe(3);
    expect(sample(text, "latchkey_audit_sequencer_lag_seconds")).toBeCloseTo(42, 0);
    expect(sample(text, "latchkey_audit_anchored_tree_size", { sink: "file" })).toBe(sequenced.treeSize);
    expect(sample(text, "latchkey_audit_anchors", { sink: "file", status: "failed" })).toBe(0);
  });

  it("are served only to the metrics token", () => {
    const token = "m3tr1cs-t0ken-for-prometheus";
    expect(() => authorizeMetrics(`Bearer ${token}`, token)).not.toThrow();
    const refusal = (header: string | null, configured: string | undefined) => {
      try {
        authorizeMetrics(header, configured);
      } catch (error) {
        if (error instanceof MetricsError) return [error.status, error.code, error.message, error.responseHeaders()];
      }
      return null;
    };
    expect(refusal(`Bearer ${token}`, undefined)).toEqual([
      404,
      "metrics_disabled",
      "Metrics are off: set LATCHKEY_METRICS_TOKEN to serve them.",
      {},
    ]);
    expect(refusal(null, token)).toEqual([
      401,
      "unauthorized",
      "Send the metrics token as Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.",
      { "WWW-Authenticate": 'Bearer realm="latchkey-metrics"' },
    ]);
    expect(refusal(`Bearer ${token}x`, token)?.slice(0, 3)).toEqual([
      401,
      "unauthorized",
      "The metrics token is not the one in LATCHKEY_METRICS_TOKEN.",
    ]);
    expect(refusal(`Basic ${Buffer.from(`x:${token}`).toString("base64")}`, token)?.[1]).toBe("unauthorized");
  });
});
