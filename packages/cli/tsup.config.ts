// Builds the `latchkey` executable: one ESM file for Node 20.17+, its dependencies (commander, the password
// prompt) left to npm, so start-up loads only what the command being run needs.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { latchkey: "src/bin.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  clean: true,
  sourcemap: false,
});
