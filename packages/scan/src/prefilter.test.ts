import { parse, Lang, registerDynamicLanguage } from "@ast-grep/napi";
import python from "@ast-grep/lang-python";
import { describe, expect, it } from "vitest";
import { CORPUS, SPOTIFY_MANIFEST } from "./corpus/cases";
import { configQuiet, envQuiet, groupsFor } from "./prefilter";
import { sdkQuiet } from "./quiet-sdk";
import { newScanStats, scanFilesWith } from "./scan";
import type { DeclaredName, SourceFile } from "./types";

// The prefilter may only skip work that cannot report: for every file below, the findings with it are
// the findings without it (every code file parsed, every rule group run). The files are the labelled
// corpus, files with the trigger words only in comments and strings, and the shapes the quiet proofs
// accept next to small changes of them that must report.

function same(files: SourceFile[], declared: DeclaredName[] | null = SPOTIFY_MANIFEST) {
  const on = scanFilesWith(files, { declared }, { prefilter: true });
  const off = scanFilesWith(files, { declared }, { prefilter: false });
  expect(on.findings).toEqual(off.findings);
  return on;
}

const HANDLER = `import type { Ctx } from "../types";

// Reads secrets through the vault (ctx.secrets.get), never process.env.API_KEY.
export async function search(ctx: Ctx, params: { query: string }) {
  const apiKey = await ctx.secrets.get("spotify_api_key");
  if (apiKey === null) return { ok: false, error: "Spotify key isn't set" };
  const url = \`https://api.spotify.com/v1/search?q=\${encodeURIComponent(params.query)}\`;
  const response = await ctx.fetch(url, { headers: { authorization: \`Bearer \${apiKey}\` } });
  if (!response.ok) return { ok: false, error: \`Spotify answered \${response.status}\` };
  const body = (await response.json()) as { tracks?: { items?: unknown[] } };
  return { ok: true, data: body.tracks?.items ?? [], level: process.env.LOG_LEVEL ?? "info" };
}
`;

const PY_HANDLER = `from dataclasses import dataclass
import httpx

async def search(ctx, params):
    api_key = await ctx.secrets.get("spotify_api_key")
    if api_key is None:
        return ActionResult.error("Spotify key isn't set", retryable=False)
    async with httpx.AsyncClient() as c:
        r = await c.get("https://api.spotify.com/v1/search", headers={"Authorization": f"Bearer {api_key}"}, params={"q": params.query})
    return ActionResult.success({"tracks": r.json().get("tracks", {}).get("items", [])})
`;

const CONFIG = `const config = require("./config.json");

module.exports = {
  port: Number(process.env.PORT || 8080),
  env: process.env.NODE_ENV || "development",
  apiUrl: config.apiUrl,
  pageSize: config.get ? config.get("page_size") : 50,
};
`;

/** [name, path, code]: each a change of a shape above, or a file naming the triggers only in text. */
const CRAFTED: [string, string, string][] = [
  // Trigger words only in comments and strings.
  ["words in comments", "src/a.ts", '// process.env.API_KEY, require("dotenv"), ctx.secrets.get("x"), eval(code)\nexport const a = 1;\n'],
  ["words in strings", "src/b.ts", 'export const help = "set config.apiKey or process.env.SECRET_TOKEN; secrets.get(\\"x\\")";\n'],
  ["words in a template", "src/c.ts", "export const t = `${1} process.env.STRIPE_KEY settings.clientSecret`;\n"],
  ["Python words in a docstring", "d.py", '"""Reads os.environ["API_KEY"] and ctx.secrets.get("x") via dotenv."""\nx = 1\n'],
  [
    "token and a block-comment exception, no triggers",
    "src/t.ts",
    `/* latchkey-allow-plaintext-credential: test fixture */\nexport const k = "ghp_${"Tk3Vb8Nw1Qz6".repeat(3)}";\n`,
  ],
  // The shapes the proofs accept, whole.
  ["handler", "src/handlers/h.ts", HANDLER],
  ["Python handler", "py/h.py", PY_HANDLER],
  ["config module", "src/config/c.js", CONFIG],
  // Environment reads the text proof must not hide.
  ["credential env read", "src/e1.ts", "export const k = process.env.STRIPE_SECRET_KEY;\n"],
  ["env read across a comment", "src/e2.ts", "export const k = process. // the key\n  env.STRIPE_SECRET_KEY;\n"],
  ["env read across a block comment", "src/e3.ts", "export const k = process./* x */env.API_TOKEN;\n"],
  ["env key next to a credential read", "src/e4.ts", "export const c = {\n  env: process.env.API_TOKEN,\n};\n"],
  ["dynamic env read", "src/e5.ts", "export const v = (n: string) => process.env[n];\n"],
  ["env destructuring", "src/e6.ts", "const { API_KEY, PORT } = process.env;\nexport { API_KEY, PORT };\n"],
  ["Deno env read", "src/e7.ts", 'export const k = Deno.env.get("API_KEY");\n'],
  ["public Vite env read", "src/e8.ts", "export const u = import.meta.env.VITE_PUBLIC_URL;\n"],
  ["env key after a commented line", "src/e9.ts", "const a = { // ,\n  env: 1 };\nexport const k = process.env.API_TOKEN;\n"],
  ["env read after a comment line ending in a word", "src/e10.ts", "export const k = process.\n// see x\nenv.API_TOKEN;\n"],
  ["env read after a comment line ending in a comma", "src/e11.ts", "export const k = process.//,\nenv.API_TOKEN;\n"],
  ["env as a variable and a key", "src/e12.ts", "const env = { env: 1 };\nexport const k = env.env + process.env.PORT;\n"],
  // Config reads the text proof must not hide.
  ["credential config property", "src/c1.ts", "import config from './config';\nexport const s = config.spotify.clientSecret;\n"],
  ["credential config getter", "src/c2.ts", 'import settings from "./settings";\nexport const k = settings.get("api_key");\n'],
  ["credential config subscript", "src/c3.ts", 'import cfg from "./cfg";\nexport const t = cfg["token"];\n'],
  ["getter with a comment", "src/c4.ts", 'import config from "./config";\nexport const k = config.get(/* key */ "api_key");\n'],
  ["property after a comment", "src/c5.ts", "import config from './config';\nexport const k = config./* x */apiKey;\n"],
  ["generic getter", "src/c6.ts", 'import config from "./config";\nexport const k = config.get<string>("api_key");\n'],
  ["optional getter call", "src/c7.ts", 'import config from "./config";\nexport const k = config.get?.("api_key");\n'],
  ["template subscript", "src/c8.ts", "import config from './config';\nexport const k = config[`api_key`];\n"],
  ["escaped property", "src/c9.ts", "import config from './config';\nexport const k = config.\\u0061piKey;\n"],
  ["getter on the next line", "src/c10.ts", 'import config from "./config";\nexport const k = config.get\n  ("client_secret");\n'],
  ["tagged getter", "src/c11.ts", "import config from './config';\nexport const k = config.get`api_key`;\n"],
  [
    "getter in a condition",
    "src/c12.ts",
    'import config from "./config";\nexport const k = config.get ? config.get("api_token") : null;\n',
  ],
  // Dynamic module loads the trigger words must still see.
  ["concatenated require", "src/i1.js", 'const lang = process.argv[2];\nmodule.exports = require("./locale/" + lang);\n'],
  ["empty require", "src/i2.js", "module.exports = require();\n"],
  ["spaced dynamic require", "src/i3.js", "const name = 'x';\nmodule.exports = require (name);\n"],
  ["concatenated import()", "src/i4.ts", 'export const load = (x: string) => import("./pages/" + x);\n'],
  // Handlers the SDK proof must leave to the data-flow analysis.
  ["logs the key", "src/s1.ts", HANDLER.replace("const url =", "console.log(apiKey);\n  const url =")],
  ["returns the key", "src/s2.ts", HANDLER.replace('error: "Spotify key isn\'t set"', "error: apiKey")],
  ["keeps the key in module state", "src/s3.ts", `let cached = "";\n${HANDLER.replace("const url =", "cached = apiKey;\n  const url =")}`],
  ["sends the key", "src/s4.ts", HANDLER.replace("ctx.fetch(url,", "res.json(url,")],
  ["key through a pass-through call", "src/s5.ts", HANDLER.replace("ctx.fetch(url, {", "ctx.fetch(url, String({")],
  ["arrow in the arguments", "src/s6.ts", HANDLER.replace("headers: {", "transform: () => apiKey, headers: {")],
  ["method in the arguments", "src/s7.ts", HANDLER.replace("headers: {", "get h() { return apiKey; }, headers: {")],
  ["undeclared name", "src/s8.ts", HANDLER.replace('"spotify_api_key"', '"spotify_apikey"')],
  ["write of a user secret", "src/s9.ts", HANDLER.replace("const url =", 'await ctx.secrets.set("spotify_api_key", "x");\n  const url =')],
  [
    "derived value logged",
    "src/s10.ts",
    HANDLER.replace("const url =", "const prefix = apiKey.slice(0, 4);\n  console.log(prefix);\n  const url ="),
  ],
  [
    "null check that returns the key",
    "src/s11.ts",
    HANDLER.replace("if (apiKey === null) return {", "if (apiKey === null) return { k: apiKey,"),
  ],
  ["key as a parameter too", "src/s12.ts", HANDLER.replace("params: { query: string }", "params: { query: string }, apiKey = ''")],
  ["module-level read", "src/s13.ts", 'export const apiKey = await ctx.secrets.get("spotify_api_key");\nconsole.log(apiKey);\n'],
  [
    "read in a class method",
    "src/s14.ts",
    'export class A {\n  async h(ctx) {\n    this.key = await ctx.secrets.get("spotify_api_key");\n  }\n}\n',
  ],
  [
    "nested handler sharing the name",
    "src/s15.ts",
    HANDLER.replace(
      "const url =",
      'const helper = async () => { const apiKey = await ctx.secrets.get("spotify_api_key"); };\n  console.log(helper);\n  const url =',
    ),
  ],
  ["read with a type annotation", "src/s16.ts", HANDLER.replace("const apiKey =", "const apiKey: string | null =")],
  ["logger inside the arguments", "src/s17.ts", HANDLER.replace("headers: {", "log: console.log(apiKey), headers: {")],
  ["Python prints the key", "p1.py", PY_HANDLER.replace("    async with", "    print(api_key)\n    async with")],
  ["Python returns the key", "p2.py", PY_HANDLER.replace('"Spotify key isn\'t set"', "api_key")],
  [
    "Python logs inside the with block",
    "p3.py",
    PY_HANDLER.replace("        r = await", "        logger.info(api_key)\n        r = await"),
  ],
  [
    "Python global",
    "p4.py",
    `CACHED = None\n${PY_HANDLER.replace("    api_key =", "    global CACHED\n    api_key =").replace("    async with", "    CACHED = api_key\n    async with")}`,
  ],
  ["Python cached function", "p5.py", PY_HANDLER.replace("async def search", "@lru_cache\nasync def search")],
  ["Python keeps the key on self", "p6.py", PY_HANDLER.replace("    async with", "    self.key = api_key\n    async with")],
  ["Python f-string with a conversion", "p7.py", PY_HANDLER.replace("{api_key}", "{api_key!r}").replace("c.get(", "print(")],
  ["Python undeclared name", "p8.py", PY_HANDLER.replace('"spotify_api_key"', '"spotify_key"')],
  ["Python comprehension argument", "p9.py", PY_HANDLER.replace("params={", "items=[api_key for _ in range], params={")],
];

describe("prefilter", () => {
  it.each(CORPUS.map((c) => [c.name, c] as const))("corpus: %s", (_name, c) => {
    same([{ path: c.path, content: c.code }], c.declared ?? SPOTIFY_MANIFEST);
  });

  it.each(CRAFTED)("crafted: %s", (_name, path, code) => {
    same([{ path, content: code }]);
    same([{ path, content: code }], null);
  });

  it("leaves the shapes it proves quiet unparsed or without the SDK analysis, and nothing else", () => {
    const stats = newScanStats();
    const files = [
      { path: "src/handlers/h.ts", content: HANDLER },
      { path: "py/h.py", content: PY_HANDLER },
      { path: "src/config/c.js", content: CONFIG },
    ];
    const report = scanFilesWith(files, { declared: SPOTIFY_MANIFEST }, { prefilter: true, stats });
    expect(report.findings).toEqual([]);
    expect(stats).toMatchObject({ parsed: 2, unparsed: 1, sdkQuiet: 2 });
    expect(groupsFor("javascript", CONFIG)).toEqual([]);
    // The handler's comment names process.env.API_KEY: the environment rules run (and find nothing).
    expect(groupsFor("typescript", HANDLER)).toEqual(["env", "sdk"]);
    expect(groupsFor("typescript", HANDLER.replace(/^\/\/.*$/m, ""))).toEqual(["sdk"]);
  });

  it("proves the environment and config rules quiet only on reads of names that are not credentials", () => {
    expect(envQuiet("const a = process.env.LOG_LEVEL ?? process.env.PORT;")).toBe(true);
    expect(envQuiet("const env = 1; const o = { env: 2 };")).toBe(true);
    expect(envQuiet("process.env.API_KEY")).toBe(false);
    expect(envQuiet("process.env[name]")).toBe(false);
    expect(envQuiet("const e = process.env;")).toBe(false);
    expect(envQuiet("// uses env")).toBe(true);
    expect(envQuiet("// reads process.env")).toBe(false);
    expect(configQuiet('config.apiUrl; config.get("page_size"); cfg["region"]')).toBe(true);
    expect(configQuiet("config.clientSecret")).toBe(false);
    expect(configQuiet('settings.getItem("auth_token")')).toBe(false);
    expect(configQuiet('cfg[ "password" ]')).toBe(false);
  });

  it("proves the SDK rules quiet on the guide's handler shape only", () => {
    registerDynamicLanguage({ python });
    const js = (code: string) => sdkQuiet("typescript", parse(Lang.TypeScript, code).root(), SPOTIFY_MANIFEST);
    const py = (code: string) => sdkQuiet("python", parse("python", code).root(), SPOTIFY_MANIFEST);
    expect(js(HANDLER)).toBe(true);
    expect(py(PY_HANDLER)).toBe(true);
    for (const [name, path, code] of CRAFTED.filter(([n]) => /key|read|write|name|handler|argument|global|cached|Python/.test(n))) {
      const reports = scanFilesWith([{ path, content: code }], { declared: SPOTIFY_MANIFEST }, { prefilter: false }).findings;
      const sdk = reports.filter((f) => /^(sdk-|secret-)/.test(f.rule));
      // A file the SDK rules report on is never proven quiet.
      if (sdk.length > 0) expect(path.endsWith(".py") ? py(code) : js(code), name).toBe(false);
    }
  });
});
