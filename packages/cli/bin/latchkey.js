#!/usr/bin/env node
// The `latchkey` executable: loads the compiled CLI from dist/ (shipped in the package; in the Latchkey
// repository, built by `npm run build`). It exists before any build so that npm links the command at
// install time even in a fresh clone, and says what to do when dist/ is not there yet.
import { existsSync } from "node:fs";

const entry = new URL("../dist/latchkey.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("latchkey is not built yet: run `npm run build:packages` in the Latchkey repository.\n");
  process.exit(1);
}
await import(entry.href);
