// Latchkey's production server: one Node HTTP server on PORT (HOSTNAME, default 0.0.0.0) in front of
// Next's request handler. What extensions call on every invocation (the runtime API: secrets, OAuth
// token, readiness, JWKS) is answered by the lean listener lib/startup.ts installs
// (lib/runtime/node-listener.ts), straight from this server; every other request goes to Next, as under
// `next start`. Same origin, same port, same answers; the lean path only skips Next's per-request work.
//
// Run from the repository after `next build` (`npm start`), or from the standalone folder, where
// scripts/build-standalone.sh puts this file beside a `server.js` that loads it (the Dockerfile's
// `node server.js`). Either way Next gets the configuration the build serialized
// (<distDir>/required-server-files.json), as Next's own standalone server.js does. SIGTERM/SIGINT are handled by lib/ops/shutdown.ts (NEXT_MANUAL_SIG_HANDLE): stop accepting,
// finish requests in flight, write queued audit events, exit.
// LATCHKEY_RUNTIME_FAST_PATH=false sends the runtime routes through Next too (for comparison).
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
process.env.NODE_ENV = "production";
process.env.NEXT_MANUAL_SIG_HANDLE = "true";
process.chdir(dir);

const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
// HOSTNAME as Next's standalone server reads it (a container sets it to 0.0.0.0); unset or empty, every
// interface, IPv6 and IPv4, as `next start` listens.
const hostname = process.env.HOSTNAME || undefined;
const distDir = process.env.NEXT_DIST_DIR || ".next";
// The configuration the build serialized, as Next's own standalone server.js hands it over: the standalone
// folder has no next.config.ts, and in the repository it is what `next build` read.
const serverFiles = path.join(dir, distDir, "required-server-files.json");
if (!fs.existsSync(serverFiles)) {
  console.error(`No production build in ${path.join(dir, distDir)}: run \`npm run build\` (or scripts/build-standalone.sh) first.`);
  process.exit(1);
}
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(fs.readFileSync(serverFiles, "utf8")).config);

const require = createRequire(import.meta.url);
const next = require("next");
const app = next({ dev: false, dir, hostname: hostname ?? "localhost", port });
const listenerKey = Symbol.for("latchkey.runtimeListener");

async function main() {
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    // The asterisk form (`OPTIONS *`, RFC 9112 §3.2.4) asks about the server itself; Next has no answer
    // for it (its URL parsing throws, a bare 500).
    if (req.url === "*") {
      res.writeHead(req.method === "OPTIONS" ? 204 : 400, { allow: "GET, HEAD, POST, PUT, DELETE, OPTIONS" }).end();
      return;
    }
    // Installed once Latchkey has started (Next runs instrumentation.ts on its first request); until
    // then, and with LATCHKEY_RUNTIME_FAST_PATH=false, every request goes to Next.
    if (globalThis[listenerKey]?.(req, res)) return;
    nextHandler(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end("Internal Server Error");
      }
    });
  });
  const keepAlive = Number.parseInt(process.env.KEEP_ALIVE_TIMEOUT ?? "", 10);
  if (Number.isFinite(keepAlive) && keepAlive >= 0) server.keepAliveTimeout = keepAlive;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  const shown = !hostname || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  console.log(`Latchkey listening on http://${shown}:${port}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
