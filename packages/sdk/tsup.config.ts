// Builds @latchkey/sdk: one ESM and one CommonJS file with their type declarations, for Node 18+, Bun,
// Deno and edge runtimes (ES2022 syntax, no Node built-ins, nothing external to bundle).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  target: "es2022",
  platform: "neutral",
  tsconfig: "tsconfig.json",
  clean: true,
  sourcemap: false,
  treeshake: true,
});
