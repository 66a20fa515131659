// npm run demo — the embedded default, built and served the way production is: scripts/build-standalone.sh,
// then the standalone server on PORT (default 3000) with PGlite and the local keyring under .data/, demo
// sign-in and demo data, and demo mode's OpenID Connect provider on PORT + 1. `PORT=4000 npm run demo`
// needs nothing else: the public URL defaults to http://localhost:<PORT> (lib/env.ts).
// The server's own start-up output is held back until it answers, so the first line printed after start
// says where to open and whom to sign in as; everything the server prints follows it.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? "3000");
if (!Number.isInteger(port) || port < 1 || port > 65534) {
  process.stderr.write(`PORT must be a port number below 65535 (the demo OAuth provider takes the next one); got "${process.env.PORT}".\n`);
  process.exit(1);
}
const url = (process.env.LATCHKEY_URL || `http://localhost:${port}`).replace(/\/+$/, "");
// Where lib/env.ts puts the demo provider: its own setting, else the public URL's port + 1.
const provider =
  process.env.LATCHKEY_DEMO_OAUTH_ISSUER ||
  `http://127.0.0.1:${process.env.LATCHKEY_DEMO_OAUTH_PORT || Number(new URL(url).port || (url.startsWith("https:") ? 443 : 80)) + 1}`;
const dist = process.env.NEXT_DIST_DIR ?? ".next";

const build = spawnSync("bash", [path.join(root, "scripts", "build-standalone.sh")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = spawn(process.execPath, [path.join(root, dist, "standalone", "server.js")], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    ...process.env,
    PORT: String(port),
    // The standalone server binds HOSTNAME (a container sets it to its own name): every interface, as `next start` did.
    HOSTNAME: process.env.LATCHKEY_DEMO_HOST ?? "0.0.0.0",
    // It runs from its own folder; the data stays in the repository's .data/ across rebuilds.
    LATCHKEY_DATA_DIR: path.resolve(root, process.env.LATCHKEY_DATA_DIR ?? ".data"),
  },
});

let held = [];
const forward = (stream) => (chunk) => (held ? held.push([stream, chunk]) : stream.write(chunk));
server.stdout.on("data", forward(process.stdout));
server.stderr.on("data", forward(process.stderr));
const release = () => {
  for (const [stream, chunk] of held ?? []) stream.write(chunk);
  held = null;
};
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => {
  release();
  process.exit(code ?? (signal ? 1 : 0));
});

const deadline = Date.now() + 120_000;
while (held && Date.now() < deadline) {
  try {
    const ready = await fetch(`http://127.0.0.1:${port}/api/ready`, { signal: AbortSignal.timeout(5000) });
    if (ready.status === 200) break;
  } catch {
    // not listening yet
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
if (held) {
  process.stdout.write(
    `Latchkey demo is ready: open ${url} and sign in as Eve Enduser (end user) — or Pat Publisher (publisher), Ada Admin (admin), ` +
      `Dana Developer (developer). Demo OAuth provider: ${provider}. Ctrl+C stops both.\n`,
  );
  release();
}
