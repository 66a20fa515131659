// A loopback HTTP witness for tests, speaking what HttpWitnessSink and HttpWitnessReader expect: POST a
// checkpoint record (JSON) to have it kept, GET the latest one kept. Like a real witness it never goes
// back: a smaller tree, or the same size with another root, is refused (409) and the one it holds stays.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AnchorRecord } from "@/lib/audit/anchors";

export interface TestWitness {
  url: string;
  /** The record it holds, if any. */
  latest(): AnchorRecord | null;
  close(): Promise<void>;
}

export async function startWitness(): Promise<TestWitness> {
  let held: AnchorRecord | null = null;
  const server = http.createServer((req, res) => {
    if (req.method === "GET") {
      if (!held) res.writeHead(404).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(held));
      return;
    }
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const record = JSON.parse(body) as AnchorRecord;
      if (held && (record.tree_size < held.tree_size || (record.tree_size === held.tree_size && record.root_hash !== held.root_hash))) {
        res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify({ error: "would roll back" }));
        return;
      }
      held = record;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ reference: `witness-${record.tree_size}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/witness`,
    latest: () => held,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
