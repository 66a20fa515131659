// Corpus cases about the SDK and what follows it: names the manifest does not declare (block), code the
// scanner cannot see through (warn), and secrets kept beyond the handler, logged or returned (warn).
import { B, W, type CorpusCase } from "./support";

export const SDK_CASES: CorpusCase[] = [
  // ── names through the SDK (block) ────────────────────────────────────────────────────────────
  {
    name: "undeclared name (typo)",
    path: "src/search.ts",
    code: 'export async function s(ctx) {\n  const k = await ctx.secrets.get("spotify_apikey");\n  return k !== null;\n}',
    expect: [B("sdk-undeclared-secret")],
  },
  {
    name: "undeclared name (Python)",
    path: "pay.py",
    code: 'async def pay(ctx, params):\n    sk = await ctx.secrets.get("stripe_key")\n    return sk is not None',
    expect: [B("sdk-undeclared-secret")],
  },
  {
    name: "spec: extension writes a user-mode secret",
    path: "app.py",
    code: 'async def some_handler(ctx, params):\n    await ctx.secrets.set("spotify_api_key", "abc")  # raises SecretWriteForbidden',
    expect: [B("sdk-user-secret-write")],
  },
  {
    name: "scoped write of a user-mode secret",
    path: "src/h.ts",
    code: 'export async function h(latchkey, value) {\n  await latchkey.secrets.set("user.spotify_api_key", value);\n}',
    expect: [B("sdk-user-secret-write")],
  },
  {
    name: "extension writes a partner credential",
    path: "src/h.ts",
    code: 'export async function h(ctx, v) {\n  await ctx.secrets.set("ext.spotify_client_id", v);\n}',
    expect: [B("sdk-user-secret-write")],
  },
  {
    name: "extension deletes a user-mode secret",
    path: "hooks.py",
    code: 'async def reset(ctx):\n    await ctx.secrets.delete("stripe_webhook_signing_secret")',
    expect: [B("sdk-user-secret-write")],
  },
  {
    name: "undeclared scope",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const v = await ctx.secrets.get("org.spotify_api_key");\n  return v !== null;\n}',
    expect: [B("sdk-undeclared-secret")],
  },

  // ── what the scanner cannot see through (warn) ───────────────────────────────────────────────
  {
    name: "issue: process.env[expr]",
    path: "src/env.ts",
    code: "export const read = (name: string) => process.env[name];",
    expect: [W("dynamic-env-access")],
  },
  { name: "whole environment", path: "src/debug.ts", code: "console.log(Object.keys(process.env));", expect: [W("dynamic-env-access")] },
  { name: "issue: getattr(os, name)", path: "env.py", code: "import os\nvalue = getattr(os, name)", expect: [W("dynamic-env-access")] },
  { name: "os.environ[expr]", path: "env.py", code: "import os\nvalue = os.environ[key]", expect: [W("dynamic-env-access")] },
  { name: "dict(os.environ)", path: "env.py", code: "import os\nsnapshot = dict(os.environ)", expect: [W("dynamic-env-access")] },
  { name: "issue: eval", path: "src/run.js", code: "export const run = (code) => eval(code);", expect: [W("dynamic-code")] },
  { name: "issue: new Function", path: "src/tpl.ts", code: 'const render = new Function("data", body);', expect: [W("dynamic-code")] },
  { name: "issue: exec", path: "plugin.py", code: "exec(source, namespace)", expect: [W("dynamic-code")] },
  {
    name: "issue: dynamic import of a computed name",
    path: "src/plugins.ts",
    code: "export const load = (name: string) => import(`./plugins/${name}`);",
    expect: [W("dynamic-import")],
  },
  {
    name: "importlib with a computed name",
    path: "plugins.py",
    code: "import importlib\nmod = importlib.import_module(name)",
    expect: [W("dynamic-import")],
  },
  {
    name: "issue: child process inherits the environment",
    path: "src/git.ts",
    code: 'import { spawn } from "node:child_process";\nspawn("git", ["pull"]);',
    expect: [W("child-process-env")],
  },
  {
    name: "child process given all of process.env",
    path: "src/sh.js",
    code: 'const cp = require("child_process");\ncp.exec("make", { env: process.env });',
    expect: [W("child-process-env")],
  },
  {
    name: "subprocess without env",
    path: "git.py",
    code: 'import subprocess\nsubprocess.run(["git", "pull"], check=True)',
    expect: [W("child-process-env")],
  },
  { name: "os.system", path: "build.py", code: 'import os\nos.system("make")', expect: [W("child-process-env")] },

  // ── secrets kept beyond the handler, logged, returned (warn) ────────────────────────────────
  {
    name: "spec: module-level cache",
    path: "app.py",
    code: '_API_KEY_CACHE = {}\n\nasync def search_my_library(ctx, params):\n    if ctx.user.imperal_id not in _API_KEY_CACHE:\n        _API_KEY_CACHE[ctx.user.imperal_id] = await ctx.secrets.get("spotify_api_key")\n    api_key = _API_KEY_CACHE[ctx.user.imperal_id]',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "instance attribute",
    path: "client.py",
    code: 'class Client:\n    async def setup(self, ctx):\n        self.api_key = await ctx.secrets.get("spotify_api_key")',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "instance field",
    path: "src/client.ts",
    code: 'class Client {\n  async setup(ctx) {\n    this.apiKey = await ctx.secrets.get("spotify_api_key");\n  }\n}',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "module-level variable",
    path: "src/h.ts",
    code: 'let cached: string | null = null;\nexport async function h(ctx) {\n  cached = await ctx.secrets.get("spotify_api_key");\n}',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "top-level await",
    path: "src/index.ts",
    code: 'const key = await latchkey.secrets.get("spotify_api_key");\nexport { key };',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "lru_cache",
    path: "keys.py",
    code: 'from functools import lru_cache\n\n@lru_cache\nasync def key(ctx):\n    return await ctx.secrets.get("spotify_api_key")',
    expect: [W("secret-kept-beyond-handler"), W("secret-returned")],
  },
  {
    name: "stored in a cache",
    path: "src/h.ts",
    code: 'export async function h(ctx, userId) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  await cache.set(userId, apiKey);\n}',
    expect: [W("secret-kept-beyond-handler")],
  },
  {
    name: "spec: logged",
    path: "app.py",
    code: 'async def search_my_library(ctx, params):\n    api_key = await ctx.secrets.get("spotify_api_key")\n    log.info(f"calling Spotify with key {api_key[:10]}...")  # FEDERAL VIOLATION',
    expect: [W("secret-logged")],
  },
  {
    name: "spec: returned",
    path: "app.py",
    code: 'async def search_my_library(ctx, params):\n    api_key = await ctx.secrets.get("spotify_api_key")\n    return ActionResult.success({"debug_key_prefix": api_key[:5]})  # FEDERAL VIOLATION',
    expect: [W("secret-returned")],
  },
  {
    name: "console.log",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  console.log("key", apiKey);\n}',
    expect: [W("secret-logged")],
  },
  {
    name: "logger with a shorthand property",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  logger.info({ apiKey }, "calling");\n}',
    expect: [W("secret-logged")],
  },
  {
    name: "returned in an object",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  return { ok: true, key: apiKey };\n}',
    expect: [W("secret-returned")],
  },
  {
    name: "sent with res.json",
    path: "src/route.ts",
    code: 'export async function h(req, res) {\n  const token = await req.ctx.secrets.get("spotify_refresh_token");\n  res.json({ token });\n}',
    expect: [W("secret-returned")],
  },
  {
    name: "print",
    path: "debug.py",
    code: 'async def h(ctx):\n    key = await ctx.secrets.get("stripe_api_key")\n    print(key)',
    expect: [W("secret-logged")],
  },
  {
    name: "a derived prefix returned",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  const prefix = apiKey.slice(0, 5);\n  return { prefix };\n}',
    expect: [W("secret-returned")],
  },
];
