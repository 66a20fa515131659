// Builds @latchkey/scan: one ESM file with its type declarations for Node 20.17+. @ast-grep/napi (a
// native addon shipped per platform in the registry), its Python grammar and `ignore` stay external
// dependencies, installed by npm.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: true,
  tsconfig: "tsconfig.json",
  target: "node20",
  platform: "node",
  clean: true,
  sourcemap: false,
});
