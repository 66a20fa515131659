// Corpus cases that read a credential where the vault should: environment variables, dotenv loaders
// and config objects (all block).
import { B, type CorpusCase } from "./support";

export const READ_CASES: CorpusCase[] = [
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
];
