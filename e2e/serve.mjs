// Serves a fresh production build for the e2e run: wipes the e2e data dir, starts a real OpenID Connect
// provider (node-oidc-provider, refresh-token rotation on, hour-long access tokens, /__control/* for the
// specs) on the next port, builds (the operator scripts and the embedded database host, then Next), and starts
// the app pointed at it.
import { spawnSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { startDemoProvider } from "../scripts/demo-oauth-provider.mjs";

const port = Number(process.env.E2E_PORT ?? "3210");
const appUrl = process.env.LATCHKEY_URL ?? `http://localhost:${port}`;
const dataDir = process.env.LATCHKEY_DATA_DIR ?? ".data/e2e";
fs.rmSync(dataDir, { recursive: true, force: true });

const clientSecret = randomBytes(32).toString("base64url");
const provider = await startDemoProvider({
  port: port + 1,
  control: true,
  accessTokenTtlSeconds: 3600,
  clients: [{ client_id: "latchkey-demo", client_secret: clientSecret, redirect_uris: [`${appUrl}/api/oauth/my-provider/callback`] }],
});

if (!process.env.E2E_SKIP_BUILD) {
  // dist-scripts/ too: the app runs its embedded database host from there (lib/db/pglite-host.ts).
  const scripts = spawnSync("npm", ["run", "-s", "build:scripts"], { stdio: "inherit" });
  if (scripts.status !== 0) process.exit(scripts.status ?? 1);
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
// Latchkey's own server (server.mjs): the runtime API's lean path in front of Next, as in production.
const server = spawn(process.execPath, ["server.mjs"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PORT: String(port),
    // Every interface, as `next start` listened (a HOSTNAME inherited from a container would narrow it).
    HOSTNAME: "",
    LATCHKEY_DEMO_OAUTH_ISSUER: provider.issuer,
    LATCHKEY_DEMO_OAUTH_CLIENT_SECRET: clientSecret,
    // Refreshes happen on demand only, so the specs can count them at the provider.
    LATCHKEY_OAUTH_REFRESHER: "false",
  },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => {
  void provider.close().finally(() => process.exit(code ?? 0));
});
