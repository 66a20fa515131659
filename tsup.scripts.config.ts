// Compiles the operator commands (worker, keys:*, audit:verify, audit:archive, token:mint) and the
// embedded database's host (the app's child process, lib/db/pglite-host.ts) into dist-scripts/ as part of
// `npm run build`, so they run with plain `node` from a pruned install (`npm ci --omit=dev`): our
// sources (the `@/` alias) are bundled with the `react-server` condition the server modules are written
// for, and every package stays external, loaded from node_modules as the app loads it.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    worker: "scripts/worker.ts",
    "keys-status": "scripts/keys-status.ts",
    "keys-rotate": "scripts/keys-rotate.ts",
    "keys-retire": "scripts/keys-retire.ts",
    "audit-verify": "scripts/audit-verify.ts",
    "audit-archive": "scripts/audit-archive.ts",
    "token-mint": "lib/runtime/mint-main.ts",
    "pglite-host": "lib/db/pglite-host-main.ts",
  },
  outDir: "dist-scripts",
  format: ["esm"],
  outExtension: () => ({ js: ".mjs" }),
  platform: "node",
  target: "node20",
  splitting: true,
  skipNodeModulesBundle: true,
  // `server-only` throws unless resolved with the react-server condition (which tsx was given before):
  // bundling it resolves it once, at build time, to its empty module.
  noExternal: ["server-only"],
  esbuildOptions(options) {
    options.conditions = ["react-server"];
  },
  clean: true,
});
