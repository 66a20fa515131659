// The labelled corpus: JavaScript/TypeScript and Python snippets, each with the findings it must produce
// (rule and effective severity) or none at all. It holds every example of issue 18 and of the per-user
// secrets guide (spec/003: its V32 ERROR/PASS/WARN snippets, its "What NOT to do" list, its handlers),
// true negatives that look like positives (allow-listed names, token counts, URLs, placeholders), and
// exceptions. corpus.test.ts runs each case; `npm run bench:scan` prints precision and recall over it.
// Credential values are assembled at run time so the repository holds no string in a live token format.
import type { RuleId } from "../rules";
import type { DeclaredName } from "../types";

export interface CorpusCase {
  name: string;
  /** The file's path: its extension picks the language. */
  path: string;
  code: string;
  /** The findings it must produce, as `rule` or `rule:warn` (an exception turns a block into a warning). */
  expect: string[];
  /** The manifest's declarations; SPOTIFY_MANIFEST when absent. */
  declared?: DeclaredName[];
}

/** The Spotify extension of the guide, plus the Stripe key of its V32 PASS example. */
export const SPOTIFY_MANIFEST: DeclaredName[] = [
  { scope: "user", name: "spotify_api_key", writeMode: "user" },
  { scope: "user", name: "spotify_refresh_token", writeMode: "extension" },
  { scope: "user", name: "spotify_access_token", writeMode: "extension" },
  { scope: "user", name: "stripe_webhook_signing_secret", writeMode: "user" },
  { scope: "user", name: "stripe_api_key", writeMode: "user" },
  { scope: "ext", name: "spotify_client_id", writeMode: "user" },
];

const alnum = (seed: string, n: number) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
const STRIPE_LIVE = `sk_live_${alnum("4hQz9LmP2xR7", 24)}`;
const GITHUB_PAT = `ghp_${alnum("Tk3Vb8Nw1Qz6", 36)}`;
const AWS_KEY = `AKIA${alnum("Q7ZR4K2M", 16)}`;
const SLACK_BOT = `xoxb-${alnum("918273", 12)}-${alnum("4455667788", 13)}-${alnum("aB3dE5fG7hJ9", 24)}`;
const OPENAI = `sk-proj-${alnum("Xy7_Pq2-Lm9Zt4Rw", 96)}`;
const GOOGLE = `AIza${alnum("Sy8Hd-3kWq_1Pz", 35)}`;
const PEM_HEADER = `-----BEGIN ${"RSA"} PRIVATE KEY-----`;

const B = (rule: RuleId) => rule;
const W = (rule: RuleId) => `${rule}:warn`;

export const CORPUS: CorpusCase[] = [
  // ── environment reads (block) ────────────────────────────────────────────────────────────────
  {
    name: "issue: process.env.STRIPE_KEY",
    path: "src/app.ts",
    code: "export const stripe = new Stripe(process.env.STRIPE_KEY);",
    expect: [B("env-credential-read")],
  },
  {
    name: 'issue: process.env["STRIPE_KEY"]',
    path: "src/app.ts",
    code: 'const key = process.env["STRIPE_KEY"];',
    expect: [B("env-credential-read")],
  },
  {
    name: "issue: destructuring from process.env",
    path: "src/app.ts",
    code: "const { STRIPE_KEY } = process.env;",
    expect: [B("env-credential-read")],
  },
  {
    name: "destructuring with a rename and a default",
    path: "src/app.js",
    code: 'const { STRIPE_SECRET_KEY: sk = "", NODE_ENV } = process.env;',
    expect: [B("env-credential-read")],
  },
  {
    name: "Vite import.meta.env",
    path: "src/client.ts",
    code: "const key = import.meta.env.VITE_OPENAI_API_KEY;",
    expect: [B("env-credential-read")],
  },
  { name: "Deno.env.get", path: "mod.ts", code: 'const token = Deno.env.get("GITHUB_TOKEN");', expect: [B("env-credential-read")] },
  { name: "Bun.env", path: "server.ts", code: "const db = postgres(Bun.env.DATABASE_URL);", expect: [B("env-credential-read")] },
  {
    name: "with a fallback",
    path: "src/db.ts",
    code: 'const password = process.env.DB_PASSWORD ?? "";',
    expect: [B("env-credential-read")],
  },
  {
    name: "inside a template in a handler",
    path: "src/handler.ts",
    code: "export async function run() {\n  return fetch(url, { headers: { Authorization: `Bearer ${process.env.API_TOKEN}` } });\n}",
    expect: [B("env-credential-read")],
  },
  {
    name: "legacy read of a declared secret",
    path: "src/search.ts",
    code: "export async function search(ctx) {\n  const apiKey = process.env.SPOTIFY_API_KEY;\n  return apiKey;\n}",
    expect: [B("env-credential-read")],
  },
  {
    name: "reads the SDK's dev-mode variable directly",
    path: "src/search.ts",
    code: "const key = process.env.LATCHKEY_SECRET_SPOTIFY_API_KEY;",
    expect: [B("env-credential-read")],
  },
  {
    name: "JSX prop",
    path: "src/map.tsx",
    code: "export const Map = () => <MapView token={process.env.MAPBOX_ACCESS_TOKEN} />;",
    expect: [B("env-credential-read")],
  },
  {
    name: "CommonJS export",
    path: "lib/session.cjs",
    code: "module.exports = { secret: process.env.SESSION_SECRET };",
    expect: [B("env-credential-read")],
  },
  {
    name: "client secret",
    path: "src/oauth.ts",
    code: "const secret = process.env.GOOGLE_CLIENT_SECRET!;",
    expect: [B("env-credential-read")],
  },
  { name: "AWS access key id", path: "src/s3.ts", code: "const id = process.env.AWS_ACCESS_KEY_ID;", expect: [B("env-credential-read")] },
  { name: "basic auth", path: "src/proxy.ts", code: "const auth = process.env.PROXY_BASIC_AUTH;", expect: [B("env-credential-read")] },
  {
    name: "spec: os.environ.get",
    path: "app.py",
    code: 'import os\nsk = os.environ.get("STRIPE_KEY")',
    expect: [B("env-credential-read")],
  },
  {
    name: 'issue: os.environ["..."]',
    path: "app.py",
    code: 'import os\nsk = os.environ["STRIPE_KEY"]',
    expect: [B("env-credential-read")],
  },
  { name: "issue: os.getenv", path: "app.py", code: 'import os\nkey = os.getenv("OPENAI_API_KEY")', expect: [B("env-credential-read")] },
  {
    name: "from os import environ",
    path: "app.py",
    code: 'from os import environ\ntoken = environ.get("SLACK_BOT_TOKEN")',
    expect: [B("env-credential-read")],
  },
  {
    name: "from os import getenv",
    path: "app.py",
    code: 'from os import getenv\ndsn = getenv("DATABASE_URL")',
    expect: [B("env-credential-read")],
  },
  {
    name: "getenv with a default",
    path: "aws.py",
    code: 'import os\nsecret = os.getenv("AWS_SECRET_ACCESS_KEY", "")',
    expect: [B("env-credential-read")],
  },
  {
    name: "legacy read of a declared secret (Python)",
    path: "app.py",
    code: 'import os\n\nasync def search(ctx, params):\n    api_key = os.environ.get("SPOTIFY_API_KEY")\n    return None',
    expect: [B("env-credential-read")],
  },
  {
    name: "assigned to a library attribute",
    path: "llm.py",
    code: 'import os\nimport openai\nopenai.api_key = os.environ["OPENAI_API_KEY"]',
    expect: [B("env-credential-read")],
  },
  {
    name: "Sentry DSN",
    path: "app.py",
    code: 'import os\nsentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"))',
    expect: [B("env-credential-read")],
  },

  // ── dotenv loaders (block) ───────────────────────────────────────────────────────────────────
  { name: "import dotenv/config", path: "src/index.ts", code: 'import "dotenv/config";\nexport {};', expect: [B("dotenv-load")] },
  { name: "require dotenv", path: "index.js", code: 'require("dotenv").config();', expect: [B("dotenv-load")] },
  {
    name: "dotenv default import",
    path: "src/index.ts",
    code: 'import dotenv from "dotenv";\ndotenv.config();',
    expect: [B("dotenv-load")],
  },
  { name: "python-dotenv", path: "app.py", code: "from dotenv import load_dotenv\nload_dotenv()", expect: [B("dotenv-load")] },
  {
    name: "python-decouple",
    path: "settings.py",
    code: 'from decouple import config\nSECRET = config("SECRET_KEY")',
    expect: [B("dotenv-load")],
  },

  // ── config objects (block) ───────────────────────────────────────────────────────────────────
  {
    name: 'issue: ctx.config.get("spotify.client_id")',
    path: "src/app.ts",
    code: 'export async function search(ctx) {\n  const id = ctx.config.get("spotify.client_id");\n  return id;\n}',
    expect: [B("config-credential-read")],
  },
  {
    name: "spec: stale legacy ctx.config read",
    path: "app.py",
    code: 'async def search_my_library(ctx, params):\n    api_key = ctx.config.get("spotify.client_id")  # reads the old, plaintext store\n    if not api_key:\n        return ActionResult.error("Spotify credentials not configured")',
    expect: [B("config-credential-read")],
  },
  {
    name: "nested config property",
    path: "src/pay.ts",
    code: "const sk = config.stripe.secretKey;",
    expect: [B("config-credential-read")],
  },
  {
    name: "this.config",
    path: "src/client.ts",
    code: "class C { run() { return this.config.apiKey; } }",
    expect: [B("config-credential-read")],
  },
  {
    name: "Django settings",
    path: "views.py",
    code: "from django.conf import settings\nkey = settings.STRIPE_SECRET_KEY",
    expect: [B("config-credential-read")],
  },
  { name: "Flask app.config", path: "app.py", code: 'signer = Signer(app.config["SECRET_KEY"])', expect: [B("config-credential-read")] },
  {
    name: "runtime config object",
    path: "src/gh.ts",
    code: "const token = runtimeConfig.githubToken;",
    expect: [B("config-credential-read")],
  },
  {
    name: "self.ctx.config",
    path: "ext.py",
    code: 'class Ext:\n    def key(self):\n        return self.ctx.config.get("api_key")',
    expect: [B("config-credential-read")],
  },
  { name: "config subscript", path: "src/db.js", code: 'const pw = config["db_password"];', expect: [B("config-credential-read")] },
  { name: "cfg.get", path: "oauth.py", code: 'secret = cfg.get("client_secret")', expect: [B("config-credential-read")] },

  // ── caches and key-value stores (block) ──────────────────────────────────────────────────────
  {
    name: "spec: Redis hash read",
    path: "app.py",
    code: 'async def h(ctx):\n    token = await redis.hget("user_settings", "api_token")',
    expect: [B("store-credential-read")],
  },
  {
    name: "issue: Redis hash read (JS)",
    path: "src/app.ts",
    code: 'const token = await redis.hget("user_settings", "api_token");',
    expect: [B("store-credential-read")],
  },
  {
    name: "cache key template",
    path: "src/cache.ts",
    code: "const t = await cache.get(`token:${userId}`);",
    expect: [B("store-credential-read")],
  },
  {
    name: "redis client alias",
    path: "store.py",
    code: 'import redis\nr = redis.Redis()\nkey = r.get("github_token")',
    expect: [B("store-credential-read")],
  },
  {
    name: "localStorage",
    path: "src/ui.tsx",
    code: 'const t = localStorage.getItem("access_token");',
    expect: [B("store-credential-read")],
  },
  {
    name: "Keyv alias",
    path: "src/kv.ts",
    code: 'const kv = new Keyv();\nconst k = await kv.get("openai_api_key");',
    expect: [B("store-credential-read")],
  },
  {
    name: "f-string cache key",
    path: "tokens.py",
    code: 'async def f(uid):\n    return await cache.get(f"user:{uid}:refresh_token")',
    expect: [B("store-credential-read")],
  },
  {
    name: "Workers KV binding",
    path: "src/worker.ts",
    code: 'export default { async fetch(req, env) { return new Response(await env.KV.get("slack_token")); } };',
    expect: [B("store-credential-read")],
  },

  // ── other secret stores (block) ──────────────────────────────────────────────────────────────
  {
    name: "AWS Secrets Manager client",
    path: "src/aws.ts",
    code: 'import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";',
    expect: [B("secret-store-client")],
  },
  {
    name: "node-vault",
    path: "vault.js",
    code: 'const vault = require("node-vault")({ endpoint: "http://127.0.0.1:8200" });',
    expect: [B("secret-store-client")],
  },
  {
    name: "keytar",
    path: "src/keychain.ts",
    code: 'import keytar from "keytar";\nconst p = await keytar.getPassword("svc", "me");',
    expect: [B("secret-store-client")],
  },
  {
    name: "SSM client",
    path: "src/ssm.ts",
    code: 'import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";',
    expect: [B("secret-store-client")],
  },
  {
    name: "aws-sdk v2 SecretsManager",
    path: "aws.js",
    code: "const sm = new AWS.SecretsManager({ region });",
    expect: [B("secret-store-client")],
  },
  {
    name: "hvac",
    path: "vault.py",
    code: 'import hvac\nclient = hvac.Client(url="http://127.0.0.1:8200")',
    expect: [B("secret-store-client")],
  },
  {
    name: "boto3 secretsmanager",
    path: "aws.py",
    code: 'import boto3\nsm = boto3.client("secretsmanager")',
    expect: [B("secret-store-client")],
  },
  {
    name: "Python keyring",
    path: "kc.py",
    code: 'import keyring\npw = keyring.get_password("svc", "me")',
    expect: [B("secret-store-client")],
  },
  { name: "Google Secret Manager", path: "gcp.py", code: "from google.cloud import secretmanager", expect: [B("secret-store-client")] },
  {
    name: "Azure Key Vault",
    path: "src/az.ts",
    code: 'import { SecretClient } from "@azure/keyvault-secrets";',
    expect: [B("secret-store-client")],
  },

  // ── hard-coded credentials (block) ───────────────────────────────────────────────────────────
  {
    name: "Stripe live key",
    path: "src/pay.ts",
    code: `const stripe = new Stripe("${STRIPE_LIVE}");`,
    expect: [B("hardcoded-credential")],
  },
  { name: "GitHub token (Python)", path: "gh.py", code: `TOKEN = "${GITHUB_PAT}"`, expect: [B("hardcoded-credential")] },
  {
    name: "private key in a template",
    path: "src/sign.ts",
    code: `const key = \`${PEM_HEADER}\nMIIEow...\n-----END RSA PRIVATE KEY-----\`;`,
    expect: [B("hardcoded-credential")],
  },
  { name: "AWS key in JSON config", path: "config/aws.json", code: `{ "accessKeyId": "${AWS_KEY}" }`, expect: [B("hardcoded-credential")] },
  {
    name: "Slack token in a shipped .env",
    path: ".env",
    code: `SLACK_BOT_TOKEN=${SLACK_BOT}\nPORT=8080`,
    expect: [B("hardcoded-credential")],
  },
  { name: "OpenAI project key", path: "llm.py", code: `client = OpenAI(api_key="${OPENAI}")`, expect: [B("hardcoded-credential")] },
  { name: "Google API key", path: "src/maps.js", code: `const MAPS = "${GOOGLE}";`, expect: [B("hardcoded-credential")] },

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

  // ── exceptions ───────────────────────────────────────────────────────────────────────────────
  {
    name: "spec: bypass marker (the guide's spelling)",
    path: "app.py",
    code: 'import os\n# imperal-allow-plaintext-credential: legacy bootstrap migrating in v1.5\nsk = os.environ.get("STRIPE_KEY")',
    expect: [W("env-credential-read")],
  },
  {
    name: "exception on the same line",
    path: "src/app.ts",
    code: "const sk = process.env.STRIPE_KEY; // latchkey-allow-plaintext-credential: migrating to the vault in 1.5",
    expect: [W("env-credential-read")],
  },
  {
    name: "exception without a reason does not count",
    path: "src/app.ts",
    code: "// latchkey-allow-plaintext-credential:\nconst sk = process.env.STRIPE_KEY;",
    expect: [B("env-credential-read")],
  },
  {
    name: "exception on the line before (Python)",
    path: "boot.py",
    code: 'import os\n# latchkey-allow-plaintext-credential: the bootstrap job runs before the vault exists\nDSN = os.environ["DATABASE_URL"]',
    expect: [W("env-credential-read")],
  },
  {
    name: "exception two lines above does not count",
    path: "src/app.ts",
    code: "// latchkey-allow-plaintext-credential: too far away\n\nconst sk = process.env.STRIPE_KEY;",
    expect: [B("env-credential-read")],
  },
  {
    name: "exception in a block comment",
    path: "src/app.ts",
    code: '/* latchkey-allow-plaintext-credential: read once at start-up by the migration tool */\nconst t = config.get("legacy_token");',
    expect: [W("config-credential-read")],
  },

  // ── true negatives ───────────────────────────────────────────────────────────────────────────
  {
    name: "spec: V32 PASS (declared + read through ctx.secrets)",
    path: "app.py",
    code: 'ext.secret(name="stripe_api_key", description="...", write_mode="user")(lambda: None)\n\nasync def pay(ctx, params):\n    sk = await ctx.secrets.get("stripe_api_key")\n    return ActionResult.success({"ok": sk is not None})',
    expect: [],
  },
  {
    name: "spec: search_my_library",
    path: "app.py",
    code: 'async def search_my_library(ctx, params: SearchParams):\n    api_key = await ctx.secrets.get("spotify_api_key")\n    if api_key is None:\n        return ActionResult.error(\n            "Spotify key isn\'t set — please configure it in extension settings.",\n            retryable=False,\n        )\n    async with httpx.AsyncClient() as c:\n        r = await c.get(\n            "https://api.spotify.com/v1/search",\n            headers={"Authorization": f"Bearer {api_key}"},\n            params={"q": params.query, "type": "track", "limit": 5},\n        )\n    return ActionResult.success(\n        {"tracks": r.json().get("tracks", {}).get("items", [])},\n        summary=f"Found tracks for \'{params.query}\'",\n    )',
    expect: [],
  },
  {
    name: "spec: start_spotify_auth",
    path: "app.py",
    code: 'async def start_spotify_auth(ctx):\n    redirect_uri = ctx.webhook_url("/callback")\n    auth_url = (\n        "https://accounts.spotify.com/authorize"\n        f"?client_id={await ctx.secrets.get(\'spotify_client_id\')}"\n        f"&redirect_uri={redirect_uri}"\n        f"&response_type=code"\n        f"&scope=user-read-private"\n    )\n    return ActionResult.success({"auth_url": auth_url})',
    expect: [],
  },
  {
    name: "spec: oauth_callback writes an extension-mode secret",
    path: "app.py",
    code: 'async def oauth_callback(ctx, headers, body, query_params):\n    code = query_params.get("code")\n    await ctx.secrets.set("spotify_refresh_token", refresh_token)\n    return {"status": "ok"}',
    expect: [],
  },
  {
    name: "spec: authorize_spotify",
    path: "app.py",
    code: 'async def authorize_spotify(ctx, params):\n    tokens = await _exchange_code_for_tokens(params.code)\n    await ctx.secrets.set("spotify_refresh_token", tokens["refresh_token"])\n    await ctx.secrets.set("spotify_access_token", tokens["access_token"])\n    return ActionResult.success({"authorized": True}, summary="Spotify authorized")',
    expect: [],
  },
  {
    name: "spec: stripe_webhook",
    path: "app.py",
    code: 'async def stripe_webhook(ctx, request):\n    signing_secret = await ctx.secrets.get("stripe_webhook_signing_secret")\n    if signing_secret is None:\n        return {"error": "webhook not configured"}, 503\n    import hmac, hashlib\n    sig_header = request.headers.get("Stripe-Signature", "")\n    expected = hmac.new(signing_secret.encode(), request.body, hashlib.sha256).hexdigest()\n    if not hmac.compare_digest(sig_header, f"v1={expected}"):\n        return {"error": "invalid signature"}, 403',
    expect: [],
  },
  { name: "NODE_ENV", path: "src/env.ts", code: 'export const prod = process.env.NODE_ENV === "production";', expect: [] },
  { name: "PORT", path: "server.ts", code: "const port = Number(process.env.PORT ?? 3000);", expect: [] },
  { name: "LOG_LEVEL", path: "src/log.ts", code: 'const level = process.env.LOG_LEVEL ?? "info";', expect: [] },
  {
    name: "Latchkey's own runtime variables",
    path: "server.ts",
    code: 'const client = createClient({ baseUrl: process.env.LATCHKEY_URL ?? "", token: () => process.env.LATCHKEY_TOKEN ?? "" });',
    expect: [],
  },
  { name: "public publishable key", path: "src/pay.tsx", code: "const pk = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY;", expect: [] },
  { name: "a URL named after a token", path: "src/oauth.ts", code: "const tokenUrl = process.env.TOKEN_URL;", expect: [] },
  { name: "max_tokens from config", path: "src/llm.ts", code: 'const maxTokens = config.get("max_tokens");', expect: [] },
  { name: "TZ and HOME", path: "env.py", code: 'import os\ntz = os.environ.get("TZ")\nhome = os.getenv("HOME")', expect: [] },
  { name: "PATH", path: "env.py", code: 'import os\npath = os.environ["PATH"]', expect: [] },
  { name: "settings.DEBUG", path: "views.py", code: "from django.conf import settings\nif settings.DEBUG:\n    pass", expect: [] },
  { name: "a counter in Redis", path: "src/stats.ts", code: 'const n = await redis.get("session_count");', expect: [] },
  { name: "a profile in the cache", path: "src/profile.ts", code: 'const p = await cache.get("user:42:profile");', expect: [] },
  { name: "an HTTP client fetching a token URL", path: "src/oauth.ts", code: 'const r = await http.get("/oauth/token");', expect: [] },
  {
    name: "child process with an explicit env",
    path: "src/git.ts",
    code: 'import { spawn } from "node:child_process";\nspawn("git", ["pull"], { env: { PATH: process.env.PATH } });',
    expect: [],
  },
  {
    name: "subprocess with an explicit env",
    path: "git.py",
    code: 'import os, subprocess\nsubprocess.run(["git", "pull"], env={"PATH": os.environ["PATH"]})',
    expect: [],
  },
  {
    name: "SDK read inside a handler, used in a header",
    path: "src/handlers.ts",
    code: 'export async function searchMyLibrary(ctx, params) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  if (apiKey === null) return { ok: false, error: "not set" };\n  const response = await ctx.fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });\n  return { ok: true, data: await response.json() };\n}',
    expect: [],
  },
  { name: "allow-listed names destructured", path: "src/env.ts", code: "const { NODE_ENV, PORT, HOST } = process.env;", expect: [] },
  { name: "config.apiUrl", path: "src/api.ts", code: "const base = config.apiUrl;", expect: [] },
  { name: "ctx.config read of a setting", path: "app.py", code: 'async def h(ctx):\n    theme = ctx.config.get("theme")', expect: [] },
  {
    name: "child_process imported, not called",
    path: "src/util.ts",
    code: 'import { spawn } from "node:child_process";\nexport { spawn };',
    expect: [],
  },
  {
    name: "Stripe test key is not high confidence",
    path: "src/pay.ts",
    code: `const k = "sk_test_${alnum("4hQz9LmP2xR7", 24)}";`,
    expect: [],
  },
  { name: "AWS documentation example key", path: "docs.ts", code: 'const example = "AKIAIOSFODNN7EXAMPLE";', expect: [] },
  { name: "new RegExp", path: "src/re.ts", code: "const re = new RegExp(pattern);", expect: [] },
  { name: "re.compile", path: "re.py", code: 'import re\nPATTERN = re.compile(r"\\d+")', expect: [] },
  { name: "eval in a comment", path: "src/x.ts", code: "// never eval user input\nexport const x = 1;", expect: [] },
  {
    name: "an env read written in a string",
    path: "src/help.ts",
    code: 'export const help = "set process.env.STRIPE_KEY in your shell";',
    expect: [],
  },
  { name: "password policy setting", path: "auth.py", code: "min_length = settings.PASSWORD_MIN_LENGTH", expect: [] },
  {
    name: "logging the length of a secret",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  console.log("key length", apiKey.length);\n}',
    expect: [],
  },
  {
    name: "logging len() of a secret",
    path: "h.py",
    code: 'async def h(ctx):\n    key = await ctx.secrets.get("spotify_api_key")\n    log.info("key length %d", len(key))',
    expect: [],
  },
  {
    name: "null check then return",
    path: "src/h.ts",
    code: 'export async function h(ctx) {\n  const apiKey = await ctx.secrets.get("spotify_api_key");\n  if (!apiKey) return { ok: false };\n  return { ok: true };\n}',
    expect: [],
  },
  {
    name: "SDK read passed to an API client",
    path: "pay.py",
    code: 'async def pay(ctx, params):\n    key = await ctx.secrets.get("stripe_api_key")\n    charge = await stripe_client(key).charges.create(amount=params.amount)\n    return ActionResult.success({"id": charge.id})',
    expect: [],
  },
  { name: "weather cache", path: "weather.py", code: 'async def w(city):\n    return await cache.get("weather:" + city)', expect: [] },
  { name: "LOG_LEVEL with default", path: "log.py", code: 'import os\nlevel = os.environ.get("LOG_LEVEL", "info")', expect: [] },
  { name: "subprocess imported only", path: "tools.py", code: "import subprocess\n__all__ = []", expect: [] },
  {
    name: "token counting",
    path: "llm.py",
    code: 'max_tokens = config.get("max_tokens")\nprompt_tokens = usage["prompt_tokens"]',
    expect: [],
  },
  { name: "environment write", path: "src/setup.ts", code: 'process.env.TZ = "UTC";', expect: [] },
  { name: "os.environ write", path: "setup.py", code: 'import os\nos.environ["TZ"] = "UTC"', expect: [] },
  { name: "key in os.environ check", path: "env.py", code: 'import os\nif "DEBUG" in os.environ:\n    pass', expect: [] },
  {
    name: "SDK dev mode",
    path: "src/dev.ts",
    code: 'const client = createClient({ baseUrl: "", token: "", declared: { spotify_api_key: {} } });\nexport async function h() {\n  const v = await client.secrets.get("spotify_api_key");\n  return v !== null;\n}',
    expect: [],
  },
  {
    name: "partner credential read through the SDK",
    path: "src/oauth.ts",
    code: 'export async function start(ctx) {\n  const clientId = await ctx.secrets.get("ext.spotify_client_id");\n  return { url: `https://accounts.spotify.com/authorize?client_id=${encodeURIComponent(clientId ?? "")}` };\n}',
    expect: [],
  },
  {
    name: "webhook secret used to verify",
    path: "src/webhook.ts",
    code: 'export async function hook(ctx, req) {\n  const secret = await ctx.secrets.get("org.stripe_webhook_signing_secret") ?? await ctx.secrets.get("stripe_webhook_signing_secret");\n  const ok = (await verifyStripeSignature(req.rawBody, req.headers.get("stripe-signature"), secret)).ok;\n  return { status: ok ? 200 : 403 };\n}',
    declared: [...SPOTIFY_MANIFEST, { scope: "org", name: "stripe_webhook_signing_secret", writeMode: "user" }],
    expect: [],
  },
];
