import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { main } from "./index";
import type { CliIo } from "./io";

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
}

function fakeIo(answer: (req: Sent) => [number, unknown] = () => [200, {}]) {
  const out: string[] = [];
  const err: string[] = [];
  const sent: Sent[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readPipedStdin: async () => null,
    promptSecret: async () => "",
    env: { LATCHKEY_TOKEN: `lk_pub_${"a".repeat(43)}` },
    configDir: fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-cli-scan-")),
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const req: Sent = {
        method: init?.method ?? "GET",
        url: String(input),
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: init?.body as Sent["body"],
      };
      sent.push(req);
      const [status, body] = answer(req);
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    }) as typeof fetch,
  };
  return { io, out, err, sent };
}

const run = (io: CliIo, ...args: string[]) => main(["node", "latchkey", ...args], io);

const MANIFEST =
  'model_version: "1.0"\nextension:\n  id: dev.acme.spotify\n  name: Spotify\n  version: 1.2.0\nsecrets:\n  - name: spotify_api_key\n    write_mode: user\n';

/** An extension directory: files by relative path. */
function extensionDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-ext-"));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** The entry names of a .tar.gz (ustar names at each 512-byte header). */
function tarNames(gz: Uint8Array): string[] {
  const tar = zlib.gunzipSync(gz);
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = tar
      .subarray(offset, offset + 100)
      .toString("utf8")
      .replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(
      tar
        .subarray(offset + 124, offset + 136)
        .toString("utf8")
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    names.push(name);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe("latchkey scan", () => {
  const legacy = {
    "manifest.yaml": MANIFEST,
    "src/app.ts":
      'export async function search(ctx) {\n  const key = process.env.STRIPE_KEY;\n  const ok = await ctx.secrets.get("spotify_api_key");\n  return ok !== null && key;\n}\n',
    "tests/app.test.ts": "process.env.TEST_TOKEN;\n",
    "node_modules/dep/index.js": "process.env.NPM_TOKEN;\n",
    "scripts/seed.ts": "process.env.SEED_PASSWORD;\n",
    ".latchkeyignore": "scripts/\n",
  };

  it("prints each finding with its code lines, why and how to fix, and exits 1 when something blocks", async () => {
    const t = fakeIo();
    expect(await run(t.io, "scan", extensionDir(legacy))).toBe(1);
    const text = t.out.join("\n");
    expect(text).toContain("src/app.ts:2:15  BLOCK  env-credential-read  process.env.STRIPE_KEY reads STRIPE_KEY from the environment.");
    expect(text).toContain("  > 2 |   const key = process.env.STRIPE_KEY;");
    expect(text).toContain("    why: The value comes from a plaintext environment variable");
    expect(text).toContain("    fix: Declare the name in the manifest");
    expect(text).toContain("1 blocking, 0 warnings in 2 files.");
    expect(text).toContain("Publish blocked: 1 credential read bypasses the vault (src/app.ts:2:15 process.env.STRIPE_KEY).");
    expect(text).not.toMatch(/TEST_TOKEN|NPM_TOKEN|SEED_PASSWORD/);
    expect(t.err).toEqual([]);
  });

  it("exits 0 on a clean directory, and checks SDK names against the manifest", async () => {
    const clean = fakeIo();
    expect(
      await run(
        clean.io,
        "scan",
        extensionDir({
          "manifest.yaml": MANIFEST,
          "app.py": 'async def h(ctx):\n    k = await ctx.secrets.get("spotify_api_key")\n    return k is not None\n',
        }),
      ),
    ).toBe(0);
    expect(clean.out.join("\n")).toContain("0 blocking, 0 warnings in 2 files.");
    const typo = fakeIo();
    expect(
      await run(
        typo.io,
        "scan",
        extensionDir({
          "manifest.yaml": MANIFEST,
          "app.py": 'async def h(ctx):\n    return await ctx.secrets.get("spotify_apikey") is None\n',
        }),
      ),
    ).toBe(1);
    expect(typo.out.join("\n")).toContain("sdk-undeclared-secret");
  });

  it("--format json prints the report; --write-baseline accepts the findings so the next scan passes", async () => {
    const dir = extensionDir(legacy);
    const json = fakeIo();
    expect(await run(json.io, "scan", dir, "--format", "json")).toBe(1);
    const report = JSON.parse(json.out.join("\n")) as { summary: { blocking: number }; findings: { path: string; fingerprint: string }[] };
    expect(report.summary.blocking).toBe(1);
    expect(report.findings.map((f) => f.path)).toEqual(["src/app.ts"]);
    const write = fakeIo();
    expect(await run(write.io, "scan", dir, "--write-baseline")).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "latchkey-scan-baseline.json"), "utf8")).findings[0].fingerprint).toBe(
      report.findings[0]?.fingerprint,
    );
    const again = fakeIo();
    expect(await run(again.io, "scan", dir)).toBe(0);
    expect(again.out.join("\n")).toContain("0 blocking, 0 warnings, 1 accepted by the baseline in 3 files.");
  });

  it("refuses an unknown format and a missing directory with a message", async () => {
    const t = fakeIo();
    expect(await run(t.io, "scan", ".", "--format", "xml")).toBe(1);
    expect(t.err).toEqual(['Error: --format must be human, json or sarif, not "xml".']);
    const missing = fakeIo();
    expect(await run(missing.io, "scan", "/nonexistent/ext")).toBe(1);
    expect(missing.err).toEqual(["Error: /nonexistent/ext is not a directory."]);
  });
});

describe("latchkey publish --source", () => {
  it("packs what ships, uploads it for the manifest's version, then publishes", async () => {
    const dir = extensionDir({
      "manifest.yaml": MANIFEST,
      "src/app.ts": "export const x = 1;\n",
      "tests/app.test.ts": "x\n",
      "node_modules/dep/index.js": "x\n",
      ".latchkeyignore": "secret-notes.txt\n",
      "secret-notes.txt": "x\n",
    });
    const t = fakeIo((req) =>
      req.url.endsWith("/publish")
        ? [200, { extension: { name: "Spotify" }, version: { version: "1.2.0" } }]
        : [
            200,
            {
              version: { version: "1.2.0" },
              scan: {
                files: { scanned: 2 },
                summary: { blocking: 0, warnings: 1, exceptions: 1, baselined: 0 },
                findings: [
                  {
                    rule: "env-credential-read",
                    severity: "warn",
                    path: "src/app.ts",
                    line: 3,
                    column: 1,
                    message: "m",
                    exception: { reason: "legacy importer" },
                  },
                ],
              },
            },
          ],
    );
    expect(await run(t.io, "--url", "http://lk.test", "publish", "--source", dir)).toBe(0);
    expect(t.sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      "PUT http://lk.test/api/v1/publisher/extensions/dev.acme.spotify/source?version=1.2.0",
      "POST http://lk.test/api/v1/publisher/extensions/dev.acme.spotify/publish",
    ]);
    expect(t.sent[0]?.headers["Content-Type"]).toBe("application/gzip");
    expect(tarNames(t.sent[0]?.body as Uint8Array).sort()).toEqual([".latchkeyignore", "manifest.yaml", "src/app.ts"]);
    expect(t.err).toEqual([
      "Uploaded 3 files for 1.2.0: 2 scanned, 0 blocking, 1 warning.",
      "warning: src/app.ts:3:1 env-credential-read: m (exception: legacy importer)",
    ]);
    expect(t.out).toEqual(["Published Spotify 1.2.0."]);
  });

  it("prints the server's refusal with every blocking finding", async () => {
    const dir = extensionDir({ "manifest.yaml": MANIFEST, "src/app.ts": "1\n" });
    const message =
      "Publish blocked: 1 credential read bypasses the vault (src/app.ts:1:1 process.env.STRIPE_KEY). Declare it in the manifest and read it with secrets.get, or mark a justified exception.";
    const t = fakeIo((req) =>
      req.url.endsWith("/publish")
        ? [
            409,
            {
              error: {
                code: "publish_blocked",
                message,
                details: {
                  findings: [
                    {
                      rule: "env-credential-read",
                      path: "src/app.ts",
                      line: 1,
                      column: 1,
                      message: "process.env.STRIPE_KEY reads STRIPE_KEY from the environment.",
                    },
                  ],
                },
              },
            },
          ]
        : [
            200,
            {
              version: { version: "1.2.0" },
              scan: { files: { scanned: 1 }, summary: { blocking: 1, warnings: 0, exceptions: 0, baselined: 0 }, findings: [] },
            },
          ],
    );
    expect(await run(t.io, "--url", "http://lk.test", "publish", "--source", dir)).toBe(1);
    expect(t.err.slice(1)).toEqual([
      `Error: ${message}`,
      "  src/app.ts:1:1 env-credential-read: process.env.STRIPE_KEY reads STRIPE_KEY from the environment.",
    ]);
  });

  it("needs an extension id when the directory has no manifest", async () => {
    const t = fakeIo();
    const dir = extensionDir({ "index.js": "1\n" });
    expect(await run(t.io, "publish", "--source", dir)).toBe(1);
    expect(t.err).toEqual([`Error: Name the extension, or put its manifest (manifest.yaml or latchkey.yaml) in ${dir}.`]);
    expect(t.sent).toEqual([]);
  });
});
