// Which names are credential-like. The scanner asks this of every name it sees read from the
// environment, a config object or a key-value store: a credential-like name read there is a credential
// that bypasses the vault. The list is documented in the README ("Publish-time scan") and here; change
// both together.
//
// A name is split into lower-case words at `_`, `-`, `.`, `:`, `/`, spaces and camelCase humps
// (`STRIPE_KEY` → stripe key, `apiToken` → api token, `spotify.client_id` → spotify client id). It is
// credential-like when, after the allow-list and the non-secret qualifiers below are applied, it has:
//   - a secret word: secret(s), password, passwd, pwd, passphrase, credential(s), creds, token(s),
//     apikey, privatekey, dsn, bearer, cookie, session secret, jwt secret, otp seed, totp;
//   - a pair: api key, private key, client secret, client id, access key, secret key, signing key,
//     encryption key, master key, app secret, consumer secret, service account;
//   - `key` as its last word after another word (`STRIPE_KEY`, `openai_key`), unless that word says the
//     key is not a secret (cache, sort, partition, primary, foreign, public, publishable, idempotency, …);
//   - `auth` or `authorization` as its last word (`BASIC_AUTH`, `PROXY_AUTHORIZATION`);
//   - a connection string that carries credentials: `*_DATABASE_URL`, `DB_URL`, `REDIS_URL`,
//     `MONGODB_URI`, `AMQP_URL`, `BROKER_URL`, `CONNECTION_STRING`, `*_DSN`.
// Not credential-like, whatever the words:
//   - the allow-list of well-known names (`ALLOWED_NAMES`): NODE_ENV, PORT, HOST, LOG_LEVEL, TZ, HOME,
//     PATH, PWD, CI, DEBUG, … and Latchkey's own runtime variables (LATCHKEY_URL, LATCHKEY_TOKEN: the
//     runtime token the platform hands the extension is how it reaches the vault, not a bypass);
//   - names meant to be public: a `NEXT_PUBLIC_`, `VITE_PUBLIC_`, `PUBLIC_` or `EXPO_PUBLIC_` prefix;
//   - a secret word followed by a word that makes the name about the secret rather than the secret
//     itself (`TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `SECRET_NAME`, `KMS_KEY_ID`, `max_tokens`).

/** Well-known names that are never secrets (compared upper-case). */
export const ALLOWED_NAMES: readonly string[] = [
  "NODE_ENV",
  "ENV",
  "ENVIRONMENT",
  "APP_ENV",
  "PORT",
  "HOST",
  "HOSTNAME",
  "BIND",
  "LOG_LEVEL",
  "LOGLEVEL",
  "TZ",
  "HOME",
  "PATH",
  "PWD",
  "OLDPWD",
  "USER",
  "USERNAME",
  "LOGNAME",
  "SHELL",
  "TERM",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "TMPDIR",
  "TMP",
  "TEMP",
  "CI",
  "DEBUG",
  "VERBOSE",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONPATH",
  "PYTHONUNBUFFERED",
  "VIRTUAL_ENV",
  "NO_COLOR",
  "FORCE_COLOR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "LATCHKEY_URL",
  "LATCHKEY_TOKEN",
  "LATCHKEY_DEV_MODE",
  "LATCHKEY_INSTALLATION_ID",
  "LATCHKEY_EXTENSION_ID",
];

const ALLOWED = new Set(ALLOWED_NAMES);
const PUBLIC_PREFIXES = ["NEXT_PUBLIC_", "VITE_PUBLIC_", "PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_PUBLIC_"];

const SECRET_WORDS = new Set([
  "secret",
  "secrets",
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "credential",
  "credentials",
  "creds",
  "token",
  "tokens",
  "apikey",
  "privatekey",
  "dsn",
  "bearer",
  "cookie",
  "totp",
]);

/** Word pairs that name a credential (first word, second word). */
const SECRET_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["api", "key"],
  ["private", "key"],
  ["client", "secret"],
  ["client", "id"],
  ["access", "key"],
  ["secret", "key"],
  ["signing", "key"],
  ["encryption", "key"],
  ["master", "key"],
  ["app", "secret"],
  ["consumer", "secret"],
  ["service", "account"],
  ["otp", "seed"],
];

/** Words before `key` that say the key is not a secret. */
const NON_SECRET_KEY_QUALIFIERS = new Set([
  "cache",
  "sort",
  "partition",
  "primary",
  "foreign",
  "public",
  "publishable",
  "idempotency",
  "lookup",
  "map",
  "object",
  "routing",
  "shard",
  "hash",
  "row",
  "table",
  "dedupe",
  "dedup",
  "group",
  "composite",
  "unique",
  "index",
  "storage",
  "s3",
  "bucket",
  "redis",
  "i18n",
  "translation",
  "react",
  "list",
  "query",
  "event",
  "metric",
  "feature",
  "config",
  "settings",
  "license",
]);

/** Words after a secret word that make the name about the secret, not the secret itself. */
const NON_SECRET_SUFFIXES = new Set([
  "url",
  "uri",
  "endpoint",
  "host",
  "length",
  "len",
  "limit",
  "limits",
  "count",
  "size",
  "min",
  "max",
  "ttl",
  "expiry",
  "expires",
  "expiration",
  "lifetime",
  "timeout",
  "type",
  "name",
  "names",
  "id",
  "ids",
  "arn",
  "field",
  "fields",
  "label",
  "prefix",
  "regex",
  "pattern",
  "policy",
  "reset",
  "hint",
  "placeholder",
  "format",
  "version",
  "enabled",
  "required",
  "header",
  "location",
  "rotation",
  "usage",
  "used",
  "budget",
  "estimate",
  "counter",
  "provider",
  "scope",
  "scopes",
]);

/** Words before `token(s)` that are about counting language-model tokens. */
const TOKEN_COUNT_WORDS = new Set(["max", "min", "num", "total", "input", "output", "prompt", "completion", "context", "reasoning", "n"]);

/** Connection strings whose URL carries a user and password. */
const CONNECTION_NAMES = new Set([
  "database",
  "db",
  "redis",
  "mongo",
  "mongodb",
  "postgres",
  "postgresql",
  "pg",
  "mysql",
  "amqp",
  "rabbitmq",
  "broker",
  "celery",
  "elasticsearch",
  "kafka",
  "smtp",
  "ldap",
  "sql",
]);

/** Splits a name into lower-case words (see the module comment). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * Whether a name (an environment variable, a config key, a store field) names a credential, by the
 * rules in this module's comment. A dotted config path (`spotify.client_id`) is judged as a whole.
 */
export function isCredentialLike(name: string): boolean {
  const trimmed = name.trim();
  if (trimmed === "" || trimmed.length > 200) return false;
  const upper = trimmed.toUpperCase();
  if (ALLOWED.has(upper)) return false;
  if (PUBLIC_PREFIXES.some((p) => upper.startsWith(p))) return false;
  // Latchkey's dev-mode stand-ins are stand-ins for vault values: reading one directly is a bypass.
  if (upper.startsWith("LATCHKEY_SECRET_")) return true;
  const words = nameWords(trimmed);
  if (words.length === 0) return false;
  const next = (i: number) => words[i + 1];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const after = next(i);
    const about = after !== undefined && NON_SECRET_SUFFIXES.has(after);
    if (SECRET_WORDS.has(word)) {
      if (about) continue;
      if ((word === "token" || word === "tokens") && i > 0 && TOKEN_COUNT_WORDS.has(words[i - 1] as string)) continue;
      if ((word === "token" || word === "tokens") && after !== undefined && ["count", "limit", "usage", "budget"].includes(after)) continue;
      return true;
    }
    for (const [first, second] of SECRET_PAIRS) {
      if (word === first && after === second) {
        const afterPair = words[i + 2];
        // AWS_ACCESS_KEY_ID is half of a credential pair; SIGNING_KEY_ID only names a key.
        if (first === "access" && afterPair === "id") return true;
        if (afterPair !== undefined && NON_SECRET_SUFFIXES.has(afterPair)) continue;
        return true;
      }
    }
  }
  const last = words[words.length - 1] as string;
  const beforeLast = words[words.length - 2];
  if (last === "key" && beforeLast !== undefined && !NON_SECRET_KEY_QUALIFIERS.has(beforeLast)) return true;
  if ((last === "auth" || last === "authorization") && words.length > 1) return true;
  if ((last === "url" || last === "uri") && beforeLast !== undefined && CONNECTION_NAMES.has(beforeLast)) return true;
  if (words.join(" ").includes("connection string") || words.join(" ").includes("conn str")) return true;
  return false;
}
