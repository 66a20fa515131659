// Shared set-up for the audit log's database tests: a sequencer over a test database with a local
// keyring, a file anchor in a temp dir, and a quick way to append events.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { buildVault, localKeyring } from "@/test/vault";
import type { LocalChain } from "@/test/anvil";
import { FileAnchorSink, type AnchorSink } from "@/lib/audit/anchors";
import { ChainAnchorReader, ChainAnchorSink, loadChainAccount, type ChainSettings } from "@/lib/audit/chain";
import { insertEventRows } from "@/lib/audit/event-json";
import { toAuditRow, type AuditEventInput } from "@/lib/audit/events";
import { Sequencer, type SequencerOptions } from "@/lib/audit/sequencer";
import { loadCheckpointSigner, type KeySource } from "@/lib/audit/signing-key";

export const ORIGIN = "test.latchkey.example/audit";

export async function auditFixture(db: Db, options: Partial<SequencerOptions> & { extraSinks?: AnchorSink[] } = {}) {
  const keyring = await localKeyring();
  const { vault, dataKeys } = buildVault(db, keyring);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-anchors-"));
  const anchorFile = path.join(dir, "anchors.jsonl");
  const fileSink = new FileAnchorSink(anchorFile);
  const makeSequencer = (more: Partial<SequencerOptions> = {}) =>
    new Sequencer({
      db,
      signer: () => loadCheckpointSigner(db, dataKeys, ORIGIN),
      sinks: [fileSink, ...(options.extraSinks ?? [])],
      ...options,
      ...more,
    });
  return { keyring, vault, dataKeys, anchorFile, fileSink, sequencer: makeSequencer(), makeSequencer };
}

/**
 * A chain anchor on the local test chain: the log's anchoring key (created and sealed like in
 * production), funded there, with its sink and reader. Confirmed after 3 blocks; every checkpoint is
 * anchored unless `intervalMs` says otherwise.
 */
export async function chainAnchor(db: Db, keys: KeySource, chain: LocalChain, overrides: Partial<ChainSettings> = {}) {
  const settings: ChainSettings = {
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    confirmations: 3,
    intervalMs: 0,
    timeoutMs: 60_000,
    ...overrides,
  };
  const account = await loadChainAccount(db, keys, { create: true });
  if (!account) throw new Error("no chain account");
  await chain.fund(account.address);
  return {
    settings,
    account,
    sink: new ChainAnchorSink(settings, async () => account),
    reader: new ChainAnchorReader(settings, account.address),
  };
}

export function sampleEvent(i: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: { kind: "user", id: `user-${i % 3}` },
    source: { kind: "ui", ip: "127.0.0.1", userAgent: "vitest" },
    action: i % 2 === 0 ? "secret.set" : "secret.rotate",
    target: `ext.key_${i}`,
    details: { byteLength: 10 + i },
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    ...overrides,
  };
}

export async function appendEvents(db: Db, count: number, from = 0, overrides: Partial<AuditEventInput> = {}) {
  const rows = Array.from({ length: count }, (_, i) => toAuditRow(sampleEvent(from + i, overrides)));
  return (await insertEventRows(db, rows)).map((id) => ({ id }));
}

/**
 * A fresh log of 20 events in three signed, anchored checkpoints (sizes 8, 16, 20), recent enough that
 * nothing is stale: the starting point of the verification tests.
 */
export async function seedThreeCheckpoints(db: Db) {
  await db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, audit_daily_counts, audit_sequencer_state, system_keys, data_keys cascade`,
  );
  const fixture = await auditFixture(db);
  const recent = Date.now() - 60_000;
  for (const [from, count] of [
    [0, 8],
    [8, 8],
    [16, 4],
  ] as const) {
    await appendEvents(db, count, from, { occurredAt: new Date(recent + from * 1000) });
    await fixture.sequencer.tick({ forceCheckpoint: true });
  }
  return { fixture, publicKey: (await fixture.sequencer.signer()).publicKey };
}
