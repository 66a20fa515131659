// Corpus cases that take a credential from somewhere other than the vault: caches and key-value stores,
// other secret stores, credentials written into the source (all block).
import { STRIPE_LIVE, GITHUB_PAT, AWS_KEY, SLACK_BOT, OPENAI, GOOGLE, PEM_HEADER, B, type CorpusCase } from "./support";

export const STORE_CASES: CorpusCase[] = [
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
];
