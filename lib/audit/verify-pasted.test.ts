// The /verify page's checks, as the browser runs them: an exported event is verified from its own
// entry; an edited one is rejected saying what gives it away; the log's answer is trusted only as far
// as its proof and signature go.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { leafHashOf } from "./browser-verify";
import { MemorySubtrees, inclusionProof, rootOf } from "./merkle";
import { formatCheckpoint, keyId, rawPublicKey, signNote } from "./note";
import { judge, readPasted, type InclusionAnswer } from "./verify-pasted";

const origin = "latchkey.example/audit";
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const raw = rawPublicKey(publicKey);
const key = { origin, public_key: raw.toString("base64"), key_id: keyId(origin, raw).toString("hex") };

const entryOf = (i: number) => ({
  action: "secret.set",
  actor: { id: `user-${i}`, kind: "user" },
  details: { byteLength: 10 + i },
  extension_id: null,
  id: i + 1,
  occurred_at: `2026-01-01T00:00:0${i}.000Z`,
  org_id: null,
  outcome: "success",
  source: { ip: "127.0.0.1", kind: "ui", user_agent: "vitest" },
  target: `ext.key_${i}`,
  v: 1,
});

/** A log of 5 entries, its signed checkpoint, and the answer POST /api/v1/audit/verify gives for leaf i. */
async function logOf5() {
  const entries = Array.from({ length: 5 }, (_, i) => entryOf(i));
  const leaves = await Promise.all(entries.map(async (e) => Buffer.from(await leafHashOf(e), "hex")));
  const root = rootOf(leaves);
  const note = signNote(formatCheckpoint({ origin, treeSize: 5, rootHash: root }), origin, privateKey, raw);
  const checkpoint = {
    tree_size: 5,
    root_hash: root.toString("hex"),
    note,
    origin,
    key_id: key.key_id,
    created_at: "2026-01-01T00:01:00.000Z",
  };
  const answer = (i: number): InclusionAnswer => ({
    status: "included",
    leaf_index: i,
    tree_size: 5,
    proof_path: inclusionProof(new MemorySubtrees(leaves), i, 5).map((h) => h.toString("hex")),
    checkpoint,
    anchors: [{ sink: "file", status: "confirmed", reference: "anchors.jsonl@0", block_number: null }],
    chain: null,
  });
  return { entries, leaves, answer };
}

describe("pasting an exported event on /verify", () => {
  it("verifies a SIEM export line from its entry, at its index of the signed checkpoint", async () => {
    const { entries, leaves, answer } = await logOf5();
    const line = JSON.stringify({ leaf_index: 3, leaf_hash: leaves[3]?.toString("hex"), entry: entries[3] });
    const pasted = await readPasted(line);
    expect(pasted).toMatchObject({ kind: "entry", leafHash: leaves[3]?.toString("hex"), claimedLeafIndex: 3 });
    if (pasted.kind === "invalid") throw new Error(pasted.message);
    expect(await judge(pasted, answer(3), key)).toMatchObject({
      verdict: "verified",
      leafIndex: 3,
      treeSize: 5,
      origin,
      keyId: key.key_id,
    });
  });

  it("rejects a row whose shown field was edited, naming the field", async () => {
    const { entries } = await logOf5();
    const row = { id: 3, action: "secret.set", target: "ext.key_other", entry: entries[2] };
    expect(await readPasted(JSON.stringify(row))).toEqual({
      kind: "invalid",
      message: 'This event was edited after export: its target says "ext.key_other" but the signed entry says "ext.key_2".',
    });
  });

  it("rejects an edited entry: its hash is in no leaf of the log", async () => {
    const { entries, leaves } = await logOf5();
    const edited = { leaf_index: 1, entry: { ...entries[1], outcome: "failure" } };
    const pasted = await readPasted(JSON.stringify(edited));
    if (pasted.kind === "invalid") throw new Error(pasted.message);
    expect(pasted.leafHash).not.toBe(leaves[1]?.toString("hex"));
    const verdict = await judge(pasted, null, key);
    expect(verdict).toMatchObject({ verdict: "rejected", message: expect.stringContaining("changed after it was exported") });
    // And with its stated leaf hash kept, the mismatch is caught before asking the log.
    const stated = await readPasted(JSON.stringify({ ...edited, leaf_hash: leaves[1]?.toString("hex") }));
    expect(stated).toMatchObject({ kind: "invalid", message: expect.stringContaining("not to the leaf_hash it carries") });
  });

  it("trusts the log's answer no further than its proof and signature", async () => {
    const { leaves, answer } = await logOf5();
    const pasted = await readPasted(leaves[2]?.toString("hex") ?? "");
    if (pasted.kind === "invalid") throw new Error(pasted.message);
    expect(await judge(pasted, answer(2), key)).toMatchObject({ verdict: "included", leafIndex: 2 });
    expect(await judge(pasted, answer(1), key)).toMatchObject({ verdict: "rejected", message: expect.stringContaining("does not lead") });
    const otherKey = { ...key, public_key: rawPublicKey(generateKeyPairSync("ed25519").publicKey).toString("base64") };
    expect(await judge(pasted, answer(2), otherKey)).toMatchObject({ verdict: "rejected", message: expect.stringContaining("not signed") });
  });

  it("says what is wrong with input that is no event", async () => {
    expect(await readPasted("hello")).toMatchObject({
      kind: "invalid",
      message: expect.stringContaining("neither a 64-character leaf hash nor JSON"),
    });
    expect(await readPasted("[1,2]")).toMatchObject({ kind: "invalid", message: expect.stringContaining("not a list") });
    expect(await readPasted('{"a":1}')).toMatchObject({ kind: "invalid", message: expect.stringContaining("not an exported event") });
  });
});
