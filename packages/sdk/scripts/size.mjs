// The SDK's size budget: prints what an extension downloads (each built file, raw and gzipped) and
// exits 1 when a bundle an extension loads is over 30 kB, so growth is seen at review, not in a
// cold start. Run after `npm run build` (npm pack runs both).
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 30 * 1024;
const dist = path.join(import.meta.dirname, "..", "dist");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

let over = false;
for (const file of ["index.js", "index.cjs", "index.d.ts"]) {
  let source;
  try {
    source = readFileSync(path.join(dist, file));
  } catch {
    console.error(`dist/${file} is missing: run \`npm run build -w @latchkey/sdk\` first.`);
    process.exit(1);
  }
  const checked = !file.endsWith(".d.ts");
  const tooBig = checked && source.byteLength > BUDGET_BYTES;
  over ||= tooBig;
  console.log(
    `@latchkey/sdk dist/${file.padEnd(10)} ${kb(source.byteLength).padStart(8)} (gzip ${kb(gzipSync(source).byteLength)})` +
      (checked ? ` budget ${kb(BUDGET_BYTES)}${tooBig ? "  OVER BUDGET" : ""}` : ""),
  );
}
if (over) {
  console.error(`@latchkey/sdk is over its ${kb(BUDGET_BYTES)} budget.`);
  process.exit(1);
}
