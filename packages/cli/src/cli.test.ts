import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CliCommand } from "./command";
import { commands } from "./commands";
import { main } from "./index";
import type { CliIo } from "./io";

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fake terminal and server: records requests, answers from a handler. */
function fakeIo(
  options: { stdin?: string | null; prompt?: string; env?: Record<string, string>; answer?: (req: Sent) => [number, unknown] } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const sent: Sent[] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readPipedStdin: async () => options.stdin ?? null,
    promptSecret: async (message) => {
      prompts.push(message);
      return options.prompt ?? "";
    },
    env: options.env ?? {},
    configDir: fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-cli-test-")),
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const req: Sent = {
        method: init?.method ?? "GET",
        url: String(input),
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: typeof init?.body === "string" ? init.body : undefined,
      };
      sent.push(req);
      const [status, body] = options.answer?.(req) ?? [200, {}];
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    }) as typeof fetch,
  };
  return { io, out, err, sent, prompts };
}

const run = (io: CliIo, ...args: string[]) => main(["node", "latchkey", ...args], io);
const token = `lk_pub_${"a".repeat(43)}`;

describe("latchkey credentials set", () => {
  it("reads the value from piped stdin (without its trailing newline) and sends it in the body only", async () => {
    const t = fakeIo({
      stdin: "s3cret-value\n",
      env: { LATCHKEY_TOKEN: token },
      answer: () => [200, { label: "Zoom OAuth Client Secret", version: 1 }],
    });
    expect(await run(t.io, "--url", "http://lk.test/", "credentials", "set", "dev.x.zoom", "zoom_client_secret")).toBe(0);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]?.method).toBe("PUT");
    expect(t.sent[0]?.url).toBe("http://lk.test/api/v1/publisher/extensions/dev.x.zoom/credentials/zoom_client_secret");
    expect(JSON.parse(t.sent[0]?.body ?? "{}")).toEqual({ value: "s3cret-value", rotate: false });
    expect(t.sent[0]?.headers.Authorization).toBe(`Bearer ${token}`);
    expect(t.out).toEqual(["Saved Zoom OAuth Client Secret (ext.zoom_client_secret)."]);
    expect(t.out.join() + t.err.join()).not.toContain("s3cret-value");
  });

  it("prompts without echo when stdin is a terminal", async () => {
    const t = fakeIo({ stdin: null, prompt: "typed", env: { LATCHKEY_TOKEN: token }, answer: () => [200, { label: "L", version: 2 }] });
    expect(await run(t.io, "credentials", "set", "ext", "zoom_client_id", "--rotate")).toBe(0);
    expect(t.prompts).toEqual(["Value for ext.zoom_client_id:"]);
    expect(JSON.parse(t.sent[0]?.body ?? "{}")).toEqual({ value: "typed", rotate: true });
    expect(t.out).toEqual(["Rotated L (ext.zoom_client_id)."]);
  });

  it("refuses a value given on the command line without sending anything", async () => {
    const t = fakeIo({ env: { LATCHKEY_TOKEN: token } });
    expect(await run(t.io, "credentials", "set", "ext", "zoom_client_secret", "oops-in-history")).toBe(1);
    expect(t.sent).toEqual([]);
    expect(t.err[0]).toMatch(/^Error: Values are never read from the command line/);
  });

  it("exits non-zero with the server's message", async () => {
    const message = "Missing required partner credentials: Zoom OAuth Client ID.\nConfigure them in the Publisher Dashboard.";
    const t = fakeIo({ env: { LATCHKEY_TOKEN: token }, answer: () => [409, { error: { code: "publish_blocked", message } }] });
    expect(await run(t.io, "publish", "dev.x.zoom")).toBe(1);
    expect(t.err).toEqual([`Error: ${message}`]);
  });
});

describe("latchkey manifest push", () => {
  it("prints every manifest error with its line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-manifest-"));
    const file = path.join(dir, "m.yaml");
    fs.writeFileSync(file, "model_version: 1\n");
    const errors = [{ path: "model_version", line: 1, column: 16, message: 'must be "1.0"' }];
    const t = fakeIo({
      env: { LATCHKEY_TOKEN: token },
      answer: () => [422, { error: { code: "invalid_manifest", message: "The manifest has 1 error.", details: { errors } } }],
    });
    expect(await run(t.io, "manifest", "push", file)).toBe(1);
    expect(t.sent[0]?.headers["Content-Type"]).toBe("application/yaml");
    expect(t.sent[0]?.body).toBe("model_version: 1\n");
    expect(t.err).toEqual(["Error: The manifest has 1 error.", '  model_version (line 1:16): must be "1.0"']);
  });
});

describe("latchkey login", () => {
  it("checks the token, then stores it readable by the user only", async () => {
    const t = fakeIo({ stdin: `${token}\n`, answer: () => [200, { user: { name: "Pat", email: "pat@x" }, publisher: { name: "Acme" } }] });
    expect(await run(t.io, "--url", "http://lk.test", "login")).toBe(0);
    expect(t.sent[0]?.url).toBe("http://lk.test/api/v1/publisher/me");
    const file = path.join(t.io.configDir, "credentials.json");
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ url: "http://lk.test", token });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // Later commands use the stored login.
    const later = fakeIo({ answer: () => [200, { extension: { name: "Z" }, version: { version: "1.0.0" } }] });
    later.io.configDir = t.io.configDir;
    expect(await run(later.io, "publish", "z")).toBe(0);
    expect(later.sent[0]?.url).toBe("http://lk.test/api/v1/publisher/extensions/z/publish");
    expect(later.sent[0]?.headers.Authorization).toBe(`Bearer ${token}`);
  });

  it("stores nothing when the server refuses the token", async () => {
    const t = fakeIo({
      stdin: "lk_pub_wrong",
      answer: () => [401, { error: { code: "unauthenticated", message: "This API token is not valid." } }],
    });
    expect(await run(t.io, "login")).toBe(1);
    expect(fs.existsSync(path.join(t.io.configDir, "credentials.json"))).toBe(false);
    expect(t.err).toEqual(["Error: This API token is not valid."]);
  });

  it("asks to log in when there is no token", async () => {
    const t = fakeIo();
    expect(await run(t.io, "credentials", "list", "z")).toBe(1);
    expect(t.err[0]).toBe("Error: Not logged in. Run `npx latchkey login` or set LATCHKEY_TOKEN.");
  });
});

describe("the command registry", () => {
  it("has one entry per subcommand, and a new one needs only its file and one line", async () => {
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    const { buildProgram } = await import("./index");
    const hello: CliCommand = {
      name: "example hello",
      register: (command, io) => command.argument("<who>").action((who: string) => io.out(`hello ${who}`)),
    };
    const t = fakeIo();
    await buildProgram(t.io, [...commands, hello]).parseAsync(["node", "latchkey", "example", "hello", "pat"]);
    expect(t.out).toEqual(["hello pat"]);
  });
});

describe("latchkey token mint", () => {
  const installation = "11111111-2222-4333-8444-555555555555";
  const minted = {
    token: "eyJhbGciOiJFUzI1NiJ9.e30.sig",
    expires_at: "2026-11-30T12:15:00.000Z",
    installation_id: installation,
    extension_id: "ext-1",
    org_id: "org-1",
    user_id: "user-1",
  };

  it("mints at the URL stored by `login --url http://localhost:4000`, not at the default localhost:3000", async () => {
    const first = fakeIo({ stdin: `${token}\n`, answer: () => [200, { user: { name: "Dana", email: "dana@x" }, publisher: null }] });
    expect(await run(first.io, "login", "--url", "http://localhost:4000")).toBe(0);
    expect(first.sent[0]?.url).toBe("http://localhost:4000/api/v1/publisher/me");

    const t = fakeIo({ answer: () => [200, minted] });
    t.io.configDir = first.io.configDir;
    expect(await run(t.io, "token", "mint", "--installation", installation)).toBe(0);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]?.method).toBe("POST");
    expect(t.sent[0]?.url).toBe(`http://localhost:4000/api/v1/publisher/installations/${installation}/runtime-token`);
    expect(t.sent[0]?.headers.Authorization).toBe(`Bearer ${token}`);
    // Only the token on stdout, so TOKEN=$(latchkey token mint …) works; the details go to stderr.
    expect(t.out).toEqual([minted.token]);
    expect(t.err[0]).toContain(`installation ${installation}`);
  });

  it("treats an empty LATCHKEY_URL as unset and still uses the stored URL", async () => {
    const first = fakeIo({ stdin: `${token}\n`, answer: () => [200, { user: { name: "Dana", email: "dana@x" }, publisher: null }] });
    expect(await run(first.io, "login", "--url", "http://localhost:4000")).toBe(0);
    const t = fakeIo({ env: { LATCHKEY_URL: "", LATCHKEY_TOKEN: "" }, answer: () => [200, minted] });
    t.io.configDir = first.io.configDir;
    expect(await run(t.io, "token", "mint", "--installation", installation)).toBe(0);
    expect(t.sent[0]?.url).toBe(`http://localhost:4000/api/v1/publisher/installations/${installation}/runtime-token`);
  });

  it("prints the server's refusal and no token", async () => {
    const message = "Test tokens are for the extension's publisher, in an organization they administer.";
    const t = fakeIo({
      env: { LATCHKEY_TOKEN: token, LATCHKEY_URL: "http://lk.test" },
      answer: () => [403, { error: { code: "installation_access_denied", message } }],
    });
    expect(await run(t.io, "token", "mint", "--installation", installation)).toBe(1);
    expect(t.out).toEqual([]);
    expect(t.err).toEqual([`Error: ${message}`]);
  });

  it("refuses --user without asking the server: an API-minted token acts as the logged-in member", async () => {
    const t = fakeIo({ env: { LATCHKEY_TOKEN: token } });
    expect(await run(t.io, "token", "mint", "--installation", installation, "--user", "someone-else")).toBe(1);
    expect(t.sent).toEqual([]);
    expect(t.err[0]).toMatch(/carry your own user/);
  });
});
