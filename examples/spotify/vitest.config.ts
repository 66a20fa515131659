// The example's own tests (`npm test` here): its handlers and routes on MockSecretStore. The
// integration test against Latchkey's runtime API (*.db.test.ts) needs the Latchkey repository and runs
// from its root.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["*.test.ts"], exclude: ["*.db.test.ts", "node_modules/**"], environment: "node" },
});
