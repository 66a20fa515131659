// All of Latchkey's configuration, validated once with zod. The defaults make the embedded mode
// (PGlite under .data/, a local keyring, demo sign-in) need no setting at all; a bad value stops
// start-up with a message naming the variable instead of failing deep inside a request.
import path from "node:path";
import { z } from "zod";
// Relative, not "@/…": next.config.ts loads this file before the alias exists.
import { parseRetention, retentionClasses, type Retention } from "./core/retention";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");
const positiveInt = z.coerce.number({ message: "must be a number" }).int("must be a whole number").positive("must be > 0");
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A rate limit setting: `<count>/<seconds>`, e.g. `30/300` = 30 per 5 minutes (fixed window). */
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): RateLimitSetting => {
      const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(value);
      const limit = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]);
      if (!match || limit < 1 || windowSeconds < 1 || windowSeconds > 86_400) {
        ctx.addIssue({
          code: "custom",
          message: `must be <count>/<seconds> with a count of at least 1 and at most 86400 seconds, e.g. ${fallback}`,
        });
        return z.NEVER;
      }
      return { limit, windowSeconds };
    });

/** A retention class (`ledger`, 7 years; `standard`, 90 days) or a period, `<N>d` / `<N>y` (lib/audit/retention.ts). */
const retention = z.string().transform((value, ctx): Retention => {
  const parsed = parseRetention(value);
  if ("problem" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.problem });
    return z.NEVER;
  }
  return parsed.retention;
});

const evmAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address: 0x and 40 hex digits")
  .transform((v) => v as `0x${string}`);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    // The public base URL; without it, http://localhost:<PORT> (PORT is the port the server listens on).
    LATCHKEY_URL: z.preprocess(blankToUndefined, z.url({ message: "must be an absolute URL such as http://localhost:3000" }).optional()),
    PORT: z.preprocess(blankToUndefined, positiveInt.max(65535, "must be a port number").optional()),
    LATCHKEY_DATA_DIR: z.string().default(".data"),
    DATABASE_URL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL")
        .optional(),
    ),
    LATCHKEY_DEMO: z.preprocess(blankToUndefined, bool.optional()),
    NEXTAUTH_SECRET: z.preprocess(blankToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
    OIDC_ISSUER: z.preprocess(blankToUndefined, z.url({ message: "must be the issuer URL" }).optional()),
    OIDC_CLIENT_ID: z.preprocess(blankToUndefined, z.string().optional()),
    OIDC_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
    OIDC_NAME: z.string().default("Single sign-on"),
    GITHUB_ID: z.preprocess(blankToUndefined, z.string().optional()),
    GITHUB_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
    LATCHKEY_ADMIN_EMAILS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    LATCHKEY_KEYRING: z.preprocess(blankToUndefined, z.enum(["local", "aws-kms"]).optional()),
    LATCHKEY_MASTER_KEY: z.preprocess(blankToUndefined, z.string().optional()),
    KMS_KEY_ID: z.preprocess(blankToUndefined, z.string().optional()),
    AWS_REGION: z.preprocess(blankToUndefined, z.string().optional()),
    KMS_ENDPOINT: z.preprocess(blankToUndefined, z.url({ message: "must be a URL" }).optional()),
    LATCHKEY_DEK_CACHE_TTL_SECONDS: positiveInt.default(300),
    LATCHKEY_DEK_CACHE_MAX: positiveInt.default(1000),
    LATCHKEY_DEK_MAX_VALUES: positiveInt.default(10_000),
    LATCHKEY_DEK_MAX_AGE_HOURS: positiveInt.default(24),
    LATCHKEY_ROTATION_GRACE_SECONDS: z.coerce.number({ message: "must be a number" }).int().min(0).default(3600),
    LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(30, "must be at least 30")
      .max(900, "must be at most 900 (15 minutes)")
      .default(600),
    // The embedded database runs in a child process of the app (lib/db/pglite-host.ts); true opens it in the
    // app's own process instead, as before (its queries then run on the thread that answers requests).
    LATCHKEY_PGLITE_IN_PROCESS: bool.default(false),
    // The runtime API's lean path (server.mjs, lib/runtime/node-listener.ts); false sends it through Next.
    LATCHKEY_RUNTIME_FAST_PATH: bool.default(true),
    // The audit log: the sequencer runs in the server (and `npm run worker`) unless turned off; the
    // origin names the log in its signed checkpoints (default: LATCHKEY_URL's host + /audit).
    LATCHKEY_AUDIT_SEQUENCER: bool.default(true),
    LATCHKEY_AUDIT_INTERVAL_MS: positiveInt.default(1000),
    LATCHKEY_AUDIT_CHECKPOINT_SECONDS: positiveInt.max(10, "must be at most 10").default(2),
    LATCHKEY_AUDIT_ORIGIN: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^[^\s+]+$/, "must not contain spaces or +")
        .optional(),
    ),
    // Retention (lib/audit/archive.ts): events older than their class's period move from the database to
    // gzip JSONL archive files; successful reads (secret.read, oauth.token_read) may have a shorter class.
    // The sequencer archives once per interval; 0 turns that off (then run `npm run audit:archive`).
    LATCHKEY_AUDIT_RETENTION: z.preprocess(blankToUndefined, retention.default(retentionClasses.ledger)),
    LATCHKEY_AUDIT_READ_RETENTION: z.preprocess(blankToUndefined, retention.optional()),
    LATCHKEY_AUDIT_ARCHIVE_DIR: z.preprocess(blankToUndefined, z.string().optional()),
    LATCHKEY_AUDIT_ARCHIVE_INTERVAL_SECONDS: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 (off) or more")
      .default(3600),
    LATCHKEY_AUDIT_WITNESS_URL: z.preprocess(blankToUndefined, z.url({ message: "must be the witness URL" }).optional()),
    // The chain anchor (lib/audit/chain.ts): set the RPC URL and chain id to publish checkpoint roots on an
    // EVM chain, once per interval; the anchoring key is created on first use, sealed by the keyring.
    LATCHKEY_AUDIT_CHAIN_RPC_URL: z.preprocess(blankToUndefined, z.url({ message: "must be the chain's JSON-RPC URL" }).optional()),
    LATCHKEY_AUDIT_CHAIN_ID: z.preprocess(blankToUndefined, positiveInt.optional()),
    LATCHKEY_AUDIT_CHAIN_CONFIRMATIONS: positiveInt.max(1000, "must be at most 1000").default(12),
    LATCHKEY_AUDIT_CHAIN_INTERVAL_SECONDS: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .default(3600),
    LATCHKEY_AUDIT_CHAIN_TIMEOUT_SECONDS: positiveInt.default(600),
    LATCHKEY_AUDIT_CHAIN_CONTRACT: z.preprocess(blankToUndefined, evmAddress.optional()),
    LATCHKEY_AUDIT_CHAIN_ACCOUNT: z.preprocess(blankToUndefined, evmAddress.optional()),
    LATCHKEY_AUDIT_CHAIN_FROM_BLOCK: z.preprocess(
      blankToUndefined,
      z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").optional(),
    ),
    // The SIEM export (GET /api/v1/audit/export): a collector sends it as Authorization: Bearer <token>.
    LATCHKEY_AUDIT_EXPORT_TOKEN: z.preprocess(blankToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
    // OAuth connections: the background refresher runs in the server (and `npm run worker`) unless off.
    LATCHKEY_OAUTH_REFRESHER: bool.default(true),
    LATCHKEY_OAUTH_REFRESH_INTERVAL_MS: positiveInt.default(30_000),
    // Demo mode's local OAuth provider: started with the app on LATCHKEY_DEMO_OAUTH_PORT (default: the
    // app's port + 1), unless LATCHKEY_DEMO_OAUTH_ISSUER names one already running (the e2e setup's).
    LATCHKEY_DEMO_OAUTH_ISSUER: z.preprocess(blankToUndefined, z.url({ message: "must be the issuer URL" }).optional()),
    LATCHKEY_DEMO_OAUTH_PORT: z.preprocess(blankToUndefined, positiveInt.max(65535, "must be a port number").optional()),
    LATCHKEY_DEMO_OAUTH_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Prometheus metrics (GET /api/metrics, and the worker's LATCHKEY_WORKER_METRICS_PORT): served only to
    // `Authorization: Bearer <token>`; unset, there are none.
    LATCHKEY_METRICS_TOKEN: z.preprocess(blankToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
    LATCHKEY_WORKER_METRICS_PORT: z.preprocess(blankToUndefined, positiveInt.max(65535, "must be a port number").optional()),
    // Read-audit events are written in batches, at the latest this long after a read (and on SIGTERM).
    LATCHKEY_AUDIT_READ_FLUSH_MS: positiveInt.max(60_000, "must be at most 60000").default(1000),
    // SIGTERM: how long in-flight requests, queued read-audit events and background work get before exit.
    LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS: positiveInt.max(600, "must be at most 600").default(25),
    // Client addresses (lib/http/client-address.ts): how many reverse proxies in front of Latchkey append
    // to X-Forwarded-For. 0 ignores the header (a client can write anything in it).
    LATCHKEY_TRUSTED_PROXY_HOPS: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(10, "must be at most 10")
      .default(0),
    // Rate limits (lib/http/rate-limit.ts), per client address: failed token authentications (runtime
    // and publisher API tokens together), demo sign-in attempts, and calls of the public verify endpoint.
    LATCHKEY_RATE_LIMIT_TOKEN_FAILURES: rateLimit("30/300"),
    LATCHKEY_RATE_LIMIT_SIGN_IN: rateLimit("20/60"),
    LATCHKEY_RATE_LIMIT_AUDIT_VERIFY: rateLimit("60/60"),
    // OAuth flows started and not yet finished (or expired) per person.
    LATCHKEY_OAUTH_MAX_PENDING_FLOWS: positiveInt.max(1000, "must be at most 1000").default(10),
    // Whether a setup wizard's check may reach private, loopback, link-local and metadata addresses
    // (an extension under development on this machine). Default: on in demo mode only.
    LATCHKEY_CHECK_ALLOW_PRIVATE_ADDRESSES: z.preprocess(blankToUndefined, bool.optional()),
  })
  .superRefine((e, ctx) => {
    const demo = e.LATCHKEY_DEMO ?? !e.DATABASE_URL;
    if (e.OIDC_ISSUER && (!e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_CLIENT_ID"],
        message: "OIDC_ISSUER is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required",
      });
    }
    if (Boolean(e.GITHUB_ID) !== Boolean(e.GITHUB_SECRET)) {
      ctx.addIssue({ code: "custom", path: ["GITHUB_SECRET"], message: "GITHUB_ID and GITHUB_SECRET must be set together" });
    }
    if (!demo && !e.NEXTAUTH_SECRET) {
      ctx.addIssue({ code: "custom", path: ["NEXTAUTH_SECRET"], message: "is required when demo mode is off (32+ random characters)" });
    }
    if (!demo && !e.OIDC_ISSUER && !e.GITHUB_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "demo mode is off, so configure a sign-in: OIDC_ISSUER (with client id/secret) or GITHUB_ID/GITHUB_SECRET",
      });
    }
    if (e.LATCHKEY_AUDIT_CHAIN_RPC_URL && !e.LATCHKEY_AUDIT_CHAIN_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["LATCHKEY_AUDIT_CHAIN_ID"],
        message: "is required with LATCHKEY_AUDIT_CHAIN_RPC_URL (e.g. 137 for Polygon)",
      });
    }
    const keyring = e.LATCHKEY_KEYRING ?? (e.KMS_KEY_ID ? "aws-kms" : "local");
    if (keyring === "aws-kms") {
      if (!e.KMS_KEY_ID) ctx.addIssue({ code: "custom", path: ["KMS_KEY_ID"], message: "is required when LATCHKEY_KEYRING=aws-kms" });
      if (!e.AWS_REGION) ctx.addIssue({ code: "custom", path: ["AWS_REGION"], message: "is required when LATCHKEY_KEYRING=aws-kms" });
    }
  })
  .transform((e) => {
    const dataDir = path.resolve(e.LATCHKEY_DATA_DIR);
    const LATCHKEY_URL = e.LATCHKEY_URL ?? `http://localhost:${e.PORT ?? 3000}`;
    const appUrl = new URL(LATCHKEY_URL);
    const appPort = Number(appUrl.port || (appUrl.protocol === "https:" ? 443 : 80));
    const demoOAuthPort = e.LATCHKEY_DEMO_OAUTH_PORT ?? (appPort < 65535 ? appPort + 1 : 3001);
    return {
      ...e,
      LATCHKEY_URL,
      dataDir,
      demo: e.LATCHKEY_DEMO ?? !e.DATABASE_URL,
      checkAllowPrivateAddresses: e.LATCHKEY_CHECK_ALLOW_PRIVATE_ADDRESSES ?? e.LATCHKEY_DEMO ?? !e.DATABASE_URL,
      keyring: e.LATCHKEY_KEYRING ?? (e.KMS_KEY_ID ? ("aws-kms" as const) : ("local" as const)),
      pgliteDir: path.join(dataDir, "pglite"),
      masterKeyFile: path.join(dataDir, "master.key"),
      auditOrigin: e.LATCHKEY_AUDIT_ORIGIN ?? `${appUrl.host}/audit`,
      anchorFile: path.join(dataDir, "anchors.jsonl"),
      auditArchive: {
        dir: path.resolve(e.LATCHKEY_AUDIT_ARCHIVE_DIR ?? path.join(dataDir, "audit-archive")),
        retention: e.LATCHKEY_AUDIT_RETENTION,
        readRetention: e.LATCHKEY_AUDIT_READ_RETENTION ?? e.LATCHKEY_AUDIT_RETENTION,
        intervalMs: e.LATCHKEY_AUDIT_ARCHIVE_INTERVAL_SECONDS * 1000,
      },
      auditChain:
        e.LATCHKEY_AUDIT_CHAIN_RPC_URL && e.LATCHKEY_AUDIT_CHAIN_ID
          ? {
              rpcUrl: e.LATCHKEY_AUDIT_CHAIN_RPC_URL,
              chainId: e.LATCHKEY_AUDIT_CHAIN_ID,
              confirmations: e.LATCHKEY_AUDIT_CHAIN_CONFIRMATIONS,
              intervalMs: e.LATCHKEY_AUDIT_CHAIN_INTERVAL_SECONDS * 1000,
              timeoutMs: e.LATCHKEY_AUDIT_CHAIN_TIMEOUT_SECONDS * 1000,
              contract: e.LATCHKEY_AUDIT_CHAIN_CONTRACT,
              account: e.LATCHKEY_AUDIT_CHAIN_ACCOUNT,
              fromBlock: e.LATCHKEY_AUDIT_CHAIN_FROM_BLOCK,
            }
          : null,
      demoOAuth: {
        issuer: (e.LATCHKEY_DEMO_OAUTH_ISSUER ?? `http://127.0.0.1:${demoOAuthPort}`).replace(/\/+$/, ""),
        port: demoOAuthPort,
        /** True when the provider runs elsewhere (the app does not start its own). */
        external: e.LATCHKEY_DEMO_OAUTH_ISSUER !== undefined,
        clientId: "latchkey-demo",
        secretFile: path.join(dataDir, "demo-oauth-client-secret"),
      },
    };
  });

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Latchkey configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses a configuration source; throws EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((i) => `${String(i.path[0] ?? "config")}: ${i.message}`));
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
