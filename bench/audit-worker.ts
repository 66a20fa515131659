// Worker for bench/audit.ts: builds its share of the bench's synthetic events up front (outside the
// timed region), says "ready", and on "go" recomputes their leaf hashes chunk by chunk — the same
// per-event code audit:verify runs — posting each chunk as one packed buffer (32 bytes a leaf) as soon
// as it is done, so the main thread folds leaves into the tree while the workers hash the next chunks.
import { parentPort, workerData } from "node:worker_threads";
import { canonicalizer, entryLeafDigest, type EntryEvent } from "@/lib/audit/entry";
import { syntheticEvent } from "./audit-events";

export interface WorkerPlan {
  /** This worker takes chunks worker, worker + workers, worker + 2·workers, … */
  worker: number;
  workers: number;
  chunkSize: number;
  total: number;
}

export interface ChunkMessage {
  chunk: number;
  hashes: Uint8Array;
}

async function main() {
  const port = parentPort;
  if (!port) throw new Error("bench/audit-worker.ts runs only as a worker thread");
  const { worker, workers, chunkSize, total } = workerData as WorkerPlan;
  const canonical = await canonicalizer();
  const chunks: { chunk: number; events: EntryEvent[] }[] = [];
  for (let chunk = worker; chunk * chunkSize < total; chunk += workers) {
    const from = chunk * chunkSize;
    const to = Math.min(total, from + chunkSize);
    chunks.push({ chunk, events: Array.from({ length: to - from }, (_, i) => syntheticEvent(from + i)) });
  }
  port.once("message", () => {
    for (const { chunk, events } of chunks) {
      const hashes = Buffer.alloc(events.length * 32);
      for (let i = 0; i < events.length; i++) hashes.write(entryLeafDigest(canonical, events[i] as EntryEvent), i * 32, 32, "latin1");
      port.postMessage({ chunk, hashes } satisfies ChunkMessage, [hashes.buffer]);
    }
  });
  port.postMessage("ready");
}

void main();
