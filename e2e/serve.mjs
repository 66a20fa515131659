// Serves a fresh production build for the e2e run: wipes the e2e data dir, builds, starts.
import { spawnSync, spawn } from "node:child_process";
import fs from "node:fs";

const dataDir = process.env.LATCHKEY_DATA_DIR ?? ".data/e2e";
fs.rmSync(dataDir, { recursive: true, force: true });
if (!process.env.E2E_SKIP_BUILD) {
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = spawn("npx", ["next", "start", "-p", process.env.E2E_PORT ?? "3210"], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
