import path from "node:path";
import { defineConfig } from "vitest/config";

// Three test levels share one command. Data-layer tests (`*.db.test.ts`) run once against embedded
// PGlite and, when DATABASE_URL is set, once more against that real PostgreSQL server.
// The workspace packages are tested from their sources, so no build is needed before `vitest run`.
const alias = {
  "@": import.meta.dirname,
  "server-only": path.join(import.meta.dirname, "test/server-only-stub.ts"),
  "@latchkey/sdk": path.join(import.meta.dirname, "packages/sdk/src/index.ts"),
  "@latchkey/scan": path.join(import.meta.dirname, "packages/scan/src/index.ts"),
};
const dbDrivers = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "examples/**/*.test.ts", "packages/*/src/**/*.test.ts"],
          exclude: ["**/*.db.test.ts"],
          environment: "node",
        },
      },
      ...dbDrivers.map((driver) => ({
        resolve: { alias },
        test: {
          name: `db:${driver}`,
          include: ["lib/**/*.db.test.ts", "examples/**/*.db.test.ts"],
          environment: "node",
          env: { TEST_DB_DRIVER: driver },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});
