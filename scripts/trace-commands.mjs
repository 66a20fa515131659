// Part of scripts/build-standalone.sh: copies into the standalone folder the node_modules files that the
// compiled operator commands (dist-scripts/*.mjs) load, found the way Next finds the server's — with
// @vercel/nft, the file tracer Next itself ships — so `node dist-scripts/worker.mjs` runs from the
// standalone folder (and the container image) with no `npm install` there.
// Usage: node scripts/trace-commands.mjs <standalone folder>
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const { nodeFileTrace } = require("next/dist/compiled/@vercel/nft");

const root = path.resolve(import.meta.dirname, "..");
const out = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !fs.existsSync(path.join(out, "server.js"))) {
  console.error(`Usage: node scripts/trace-commands.mjs <standalone folder with server.js>; got "${process.argv[2] ?? ""}"`);
  process.exit(1);
}
const entries = fs
  .readdirSync(path.join(root, "dist-scripts"))
  .filter((file) => file.endsWith(".mjs"))
  .map((file) => path.join(root, "dist-scripts", file));
if (entries.length === 0) {
  console.error("dist-scripts/ holds no compiled commands: run `npm run build:scripts` first.");
  process.exit(1);
}
const { fileList } = await nodeFileTrace(entries, { base: root });
let copied = 0;
for (const file of fileList) {
  if (!file.startsWith(`node_modules${path.sep}`)) continue;
  const target = path.join(out, file);
  if (fs.existsSync(target)) continue;
  const source = path.join(root, file);
  const stat = fs.lstatSync(source);
  if (stat.isDirectory()) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
  else fs.copyFileSync(source, target);
  copied++;
}
console.log(`trace-commands: ${entries.length} commands, ${copied} node_modules files added to ${path.relative(root, out)}`);
