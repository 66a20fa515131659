// The pack-and-install check (`npm run check:packages`, a step of .ci/run): what leaves the repository
// works for someone who has only the tarballs. It packs @latchkey/sdk, @latchkey/scan and @latchkey/cli (each package's
// prepack builds it, and the SDK's size budget fails the pack when over), checks each tarball ships only
// what users need, installs both into a scratch project with --omit=dev, and against a real Latchkey —
// this repository's production build (`node server.mjs`, embedded database, demo data plus the fixture of
// scripts/check-packages/seed.ts) on a loopback port — runs:
//   (a) a plain Node ESM script and a CommonJS script that read a secret through the SDK (the ESM one
//       also without a global WebCrypto, as on Node 18);
//   (b) a TypeScript consumer type-check (ESM and CommonJS, no @types/node);
//   (c) `npx latchkey --help` (timed) and `latchkey login` + `latchkey token mint` with the stored URL;
//   (d) examples/spotify installed from the packed SDK: its tests, its type-check, `tsc -p .` compiling
//       it to dist/, and that JavaScript under plain `node` (no TypeScript loader) answering GET /health
//       with the minted token — the example is a real package, not something only vitest's transform runs.
// It builds the app first unless LATCHKEY_CHECK_REUSE_BUILD=1 and a build is there (CI reuses the e2e
// build). KEEP_CHECK_DIR=1 keeps the scratch folder. Every wait is bounded; it stops what it started.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-packages-"));
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const started = [];
let failures = 0;
let passes = 0;

const log = (line) => console.log(`[check-packages] ${line}`);
function check(ok, what, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${!ok && detail ? `\n     ${detail.trim().split("\n").join("\n     ")}` : ""}`);
  if (ok) passes++;
  else failures++;
  return ok;
}

/** Runs a command to completion (bounded); returns its exit code and output. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? 1, out: result.stdout ?? "", err: `${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

function mustRun(what, command, args, options) {
  const result = run(command, args, options);
  if (result.code !== 0) {
    check(false, what, `${result.out}\n${result.err}`.slice(-4000));
    finish();
  }
  return result;
}

/** A free loopback port (the kernel's pick). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a long-running process in its own process group, so stopping it stops its children too. */
function startProcess(command, args, options) {
  const logFile = fs.openSync(path.join(scratch, `${options.name}.log`), "w");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", logFile, logFile],
  });
  started.push(child);
  return child;
}

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (response.status < 500) return response;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

/** Stops what this check started and removes its scratch folder, however the process ends. */
function cleanUp() {
  for (const child of started) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (process.env.KEEP_CHECK_DIR) log(`scratch folder kept: ${scratch}`);
  else fs.rmSync(scratch, { recursive: true, force: true });
}
process.on("exit", cleanUp);

function finish() {
  console.log(`check-packages: ${passes} passed, ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
}
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

// 1. Build and pack. The build runs the SDK's size budget, which fails it when over; npm pack then only
// packs (its prepack would build again and mix the build's output into the JSON it prints).
const packDir = path.join(scratch, "tarballs");
fs.mkdirSync(packDir);
log(
  mustRun("build the packages (and the SDK's size budget)", "npm", ["run", "-s", "build:packages"])
    .out.trim()
    .split("\n")
    .filter((l) => l.startsWith("@latchkey/sdk"))
    .join("\n"),
);
const packed = JSON.parse(
  mustRun("npm pack", "npm", [
    "pack",
    "--json",
    "--ignore-scripts",
    "--pack-destination",
    packDir,
    "-w",
    "@latchkey/sdk",
    "-w",
    "@latchkey/scan",
    "-w",
    "@latchkey/cli",
  ]).out,
);
const expectedFiles = {
  "@latchkey/sdk": ["README.md", "dist/index.cjs", "dist/index.d.cts", "dist/index.d.ts", "dist/index.js", "package.json"],
  "@latchkey/cli": ["README.md", "bin/latchkey.js", "dist/latchkey.js", "package.json"],
  "@latchkey/scan": ["README.md", "dist/index.d.ts", "dist/index.js", "package.json"],
};
const tarballs = {};
for (const pkg of packed) {
  tarballs[pkg.name] = path.join(packDir, pkg.filename);
  const files = pkg.files.map((f) => f.path).sort();
  check(
    JSON.stringify(files) === JSON.stringify(expectedFiles[pkg.name]),
    `${pkg.name} ships only ${expectedFiles[pkg.name]?.join(", ")}`,
    `it ships ${files.join(", ")}`,
  );
  log(`${pkg.filename}: ${(pkg.size / 1024).toFixed(1)} kB packed, ${(pkg.unpackedSize / 1024).toFixed(1)} kB unpacked`);
}

// 2. A scratch consumer with only the tarballs, installed as production dependencies.
const consumer = path.join(scratch, "consumer");
fs.mkdirSync(consumer);
fs.writeFileSync(
  path.join(consumer, "package.json"),
  JSON.stringify({ name: "latchkey-consumer", version: "1.0.0", private: true }, null, 2),
);
mustRun(
  "npm install --omit=dev of the tarballs",
  "npm",
  // The CLI depends on @latchkey/scan (its `scan` command and `publish --source`): installed from its tarball too.
  ["install", "--omit=dev", "--no-audit", "--no-fund", tarballs["@latchkey/sdk"], tarballs["@latchkey/scan"], tarballs["@latchkey/cli"]],
  {
    cwd: consumer,
  },
);
const sdkDir = path.join(consumer, "node_modules", "@latchkey", "sdk");
check(!fs.existsSync(path.join(sdkDir, "node_modules")), "@latchkey/sdk installs no dependency of its own");

// 3. A real Latchkey: the production build on a loopback port, embedded database, demo data + fixture.
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const secretValue = `sk-check-${randomBytes(6).toString("hex")}`;
const serverEnv = {
  LATCHKEY_URL: baseUrl,
  LATCHKEY_DATA_DIR: path.join(scratch, "data"),
  DATABASE_URL: "",
  LATCHKEY_DEMO: "true",
  LATCHKEY_DEMO_OAUTH_PORT: String(await freePort()),
  LATCHKEY_OAUTH_REFRESHER: "false",
  LOG_LEVEL: "warn",
  NEXT_TELEMETRY_DISABLED: "1",
};
const distDir = path.join(root, process.env.NEXT_DIST_DIR ?? ".next");
if (process.env.LATCHKEY_CHECK_REUSE_BUILD === "1" && fs.existsSync(path.join(distDir, "BUILD_ID"))) {
  log(`reusing the production build in ${path.relative(root, distDir)}`);
} else {
  log("building the app (next build)…");
  mustRun("next build", "npx", ["next", "build"], { env: { NEXT_TELEMETRY_DISABLED: "1" } });
}
const seeded = mustRun("seed the check's fixture", "npx", ["tsx", "--conditions=react-server", "scripts/check-packages/seed.ts"], {
  env: { ...serverEnv, CHECK_SECRET_VALUE: secretValue },
});
const { apiToken, installationId } = JSON.parse(seeded.out.trim().split("\n").at(-1) ?? "{}");
startProcess(process.execPath, ["server.mjs"], {
  name: "latchkey",
  cwd: root,
  env: { ...serverEnv, PORT: String(port), HOSTNAME: "127.0.0.1" },
});
if (!check(Boolean(await waitFor(`${baseUrl}/api/v1/openapi.json`, 180_000)), `Latchkey answers on ${baseUrl}`)) finish();

// 4. The CLI from the tarball: help (timed), login with a non-default URL, token mint using the stored URL.
const cliEnv = { LATCHKEY_CONFIG_DIR: path.join(scratch, "cli-config"), LATCHKEY_URL: "", LATCHKEY_TOKEN: "" };
const help = run("npx", ["--no-install", "latchkey", "--help"], { cwd: consumer, env: cliEnv });
check(help.code === 0 && help.out.includes("token") && help.out.includes("login"), "npx latchkey --help", help.err);
const bin = path.join(consumer, "node_modules", ".bin", "latchkey");
const times = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  run(bin, ["--help"], { cwd: consumer, env: cliEnv });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[5] ?? 0;
log(`latchkey --help: median ${median.toFixed(0)} ms, fastest ${(times[0] ?? 0).toFixed(0)} ms over 10 runs (npx adds its own start-up)`);
check(median < 1000, "latchkey --help answers in under a second");

const login = run("npx", ["--no-install", "latchkey", "login", "--url", baseUrl], { cwd: consumer, env: cliEnv, input: `${apiToken}\n` });
check(login.code === 0 && login.out.includes("Dana Developer"), `latchkey login --url ${baseUrl}`, `${login.out}${login.err}`);
const mint = run("npx", ["--no-install", "latchkey", "token", "mint", "--installation", installationId], { cwd: consumer, env: cliEnv });
const runtimeToken = mint.out.trim();
check(
  mint.code === 0 && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(runtimeToken),
  "latchkey token mint (the stored URL, no --url)",
  `${mint.out}${mint.err}`,
);
const issuer = JSON.parse(Buffer.from(runtimeToken.split(".")[1] ?? "", "base64url").toString("utf8") || "{}").iss;
check(issuer === baseUrl, `the minted token is issued by ${baseUrl}`, `iss = ${issuer}`);

// (a) Plain Node scripts, ESM and CommonJS, reading the secret through the SDK.
const readScript = (importLine) => `${importLine}
const client = createClient({ baseUrl: process.env.LATCHKEY_URL, token: process.env.LATCHKEY_TOKEN });
const main = async () => {
  const value = await client.secrets.get("spotify_api_key");
  if (value !== process.env.EXPECTED_VALUE) throw new Error("spotify_api_key did not read back as stored");
  const readiness = await client.readiness();
  if (!readiness.ready) throw new Error("not ready: " + JSON.stringify(readiness.missing));
  const forbidden = await client.secrets.set("spotify_api_key", "x").catch((e) => e);
  if (!(forbidden instanceof SecretWriteForbiddenError)) throw new Error("a write_mode: user secret was writable");
  const headers = await signLatchkeyDelivery({ id: "d1", timestamp: Math.floor(Date.now() / 1000), payload: "{}", secret: "s" });
  if (!(await verifyLatchkeyDelivery("{}", headers, "s")).ok) throw new Error("webhook verification failed");
  console.log("read spotify_api_key through @latchkey/sdk");
};
main().catch((error) => { console.error(error); process.exit(1); });
`;
fs.writeFileSync(
  path.join(consumer, "read-secret.mjs"),
  readScript('import { createClient, SecretWriteForbiddenError, signLatchkeyDelivery, verifyLatchkeyDelivery } from "@latchkey/sdk";'),
);
fs.writeFileSync(
  path.join(consumer, "read-secret.cjs"),
  readScript('const { createClient, SecretWriteForbiddenError, signLatchkeyDelivery, verifyLatchkeyDelivery } = require("@latchkey/sdk");'),
);
const sdkEnv = { LATCHKEY_URL: baseUrl, LATCHKEY_TOKEN: runtimeToken, EXPECTED_VALUE: secretValue };
for (const [what, args] of [
  ["Node ESM script reads a secret", ["read-secret.mjs"]],
  ["Node CommonJS script reads a secret", ["read-secret.cjs"]],
  ["Node ESM script without a global WebCrypto (as on Node 18)", ["--no-experimental-global-webcrypto", "read-secret.mjs"]],
]) {
  const result = run(process.execPath, args, { cwd: consumer, env: sdkEnv });
  check(result.code === 0 && result.out.includes("read spotify_api_key"), what, `${result.out}${result.err}`);
}

// (b) A TypeScript consumer, ESM and CommonJS, with no @types/node: the declarations stand alone.
const tsDir = path.join(consumer, "ts");
fs.mkdirSync(tsDir);
const tsBody = `
declare const token: string;
const client: LatchkeyClient = createClient({ baseUrl: "https://latchkey.example", token });
export async function read(): Promise<string | null> {
  try {
    return await client.secrets.get("spotify_api_key");
  } catch (error) {
    if (error instanceof NeedsReauthorizationError) return error.connectUrl;
    throw error;
  }
}
export const store: SecretStore = new MockSecretStore({ spotify_api_key: "sk" }, { declared: ["spotify_api_key"] });
export const verdict: Promise<VerifyResult> = verifyStripeSignature("{}", "t=1,v1=00", "whsec");
// @ts-expect-error baseUrl must be a string: the declarations are real types, not any.
createClient({ baseUrl: 1, token });
`;
fs.writeFileSync(
  path.join(tsDir, "esm.mts"),
  `import { createClient, MockSecretStore, NeedsReauthorizationError, verifyStripeSignature, type LatchkeyClient, type SecretStore, type VerifyResult } from "@latchkey/sdk";\n${tsBody}`,
);
fs.writeFileSync(
  path.join(tsDir, "cjs.cts"),
  `import { createClient, MockSecretStore, NeedsReauthorizationError, verifyStripeSignature, type LatchkeyClient, type SecretStore, type VerifyResult } from "@latchkey/sdk";\n${tsBody}`,
);
fs.writeFileSync(
  path.join(tsDir, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2022", "dom"],
        types: [],
        noEmit: true,
      },
      include: ["*.mts", "*.cts"],
    },
    null,
    2,
  ),
);
const typecheck = run(process.execPath, [tsc, "-p", tsDir], { cwd: consumer });
check(typecheck.code === 0, "TypeScript consumer type-checks (ESM and CommonJS, no @types/node)", typecheck.out + typecheck.err);

// (d) examples/spotify installed from the packed SDK: tests, type-check, and a run against Latchkey.
const example = path.join(scratch, "spotify");
fs.cpSync(path.join(root, "examples", "spotify"), example, {
  recursive: true,
  filter: (source) => !source.includes(`${path.sep}node_modules`) && !source.includes(`${path.sep}dist`) && !source.endsWith(".db.test.ts"),
});
mustRun("npm install of examples/spotify with the packed SDK", "npm", ["install", "--no-audit", "--no-fund", tarballs["@latchkey/sdk"]], {
  cwd: example,
});
const exampleTests = run("npx", ["--no-install", "vitest", "run"], { cwd: example });
check(
  exampleTests.code === 0,
  "examples/spotify: npm test on the packed SDK",
  exampleTests.out.slice(-3000) + exampleTests.err.slice(-2000),
);
const exampleTypes = run("npm", ["run", "typecheck"], { cwd: example });
check(exampleTypes.code === 0, "examples/spotify: type-check (with its tests) against the packed SDK", exampleTypes.out + exampleTypes.err);
const exampleBuild = run("npm", ["run", "build"], { cwd: example });
check(
  exampleBuild.code === 0 && fs.existsSync(path.join(example, "dist", "server.js")),
  "examples/spotify: tsc -p . compiles it to dist/",
  exampleBuild.out + exampleBuild.err,
);
const examplePort = await freePort();
startProcess(process.execPath, [path.join("dist", "server.js")], {
  name: "spotify",
  cwd: example,
  env: { LATCHKEY_URL: baseUrl, LATCHKEY_TOKEN: runtimeToken, PORT: String(examplePort) },
});
const health = await waitFor(`http://127.0.0.1:${examplePort}/health`, 60_000);
const healthBody = health ? await health.json().catch(() => null) : null;
check(
  health?.status === 200 && healthBody?.ready === true,
  "examples/spotify: its compiled JavaScript under plain node answers GET /health ready",
  JSON.stringify(healthBody),
);

finish();
