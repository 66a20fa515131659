import { defineConfig, devices } from "@playwright/test";

// End-to-end tests drive Debian's Chromium against a production build of the app, served on its own
// port with a fresh embedded database in demo mode.
const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  timeout: 30_000,
  use: {
    baseURL,
    trace: "on-first-retry",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-quic",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"], testIgnore: /auth\.setup\.ts/ },
  ],
  webServer: {
    command: "node e2e/serve.mjs",
    url: `${baseURL}/signin`,
    // The production build type-checks too; on a loaded 2-core machine it can take several minutes.
    timeout: 900_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe",
    env: {
      E2E_PORT: String(port),
      LATCHKEY_URL: baseURL,
      LATCHKEY_DATA_DIR: `.data/e2e-${port}`,
      LATCHKEY_DEMO: "true",
      DATABASE_URL: "",
      // Specs act as the one proxy in front of the app: a spec that sends X-Forwarded-For is a client of its
      // own for the per-address rate limits (e2e/security.spec.ts), so it cannot use up everyone else's.
      LATCHKEY_TRUSTED_PROXY_HOPS: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      // One request-log line per request would bury the test report; warnings and errors still show.
      LOG_LEVEL: "warn",
    },
  },
});
