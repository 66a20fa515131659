// Worker for bench/audit.ts: recomputes the leaf hashes of a range of the bench's synthetic events
// (the same code path audit:verify runs per event) and hands them back as one packed buffer.
import { parentPort, workerData } from "node:worker_threads";
import { canonicalizer, entryLeafHash } from "@/lib/audit/entry";
import { syntheticEvent } from "./audit-events";

async function main() {
  const { from, to } = workerData as { from: number; to: number };
  const canonical = await canonicalizer();
  const out = Buffer.alloc((to - from) * 32);
  for (let i = from; i < to; i++) entryLeafHash(canonical, syntheticEvent(i)).copy(out, (i - from) * 32);
  parentPort?.postMessage(out, [out.buffer]);
}

void main();
