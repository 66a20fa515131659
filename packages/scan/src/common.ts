// What the language analyzers share: the raw finding they emit (a node's range and a message; scan.ts
// adds context lines, exceptions and fingerprints), the manifest lookups of the SDK rules, and the
// receiver names that mark config objects, key-value stores, loggers and response builders.
import type { SgNode } from "@ast-grep/napi";
import { isCredentialLike } from "./names";
import type { RuleId } from "./rules";
import type { DeclaredName } from "./types";

export interface RawFinding {
  rule: RuleId;
  /** 0-based line and column (ast-grep's positions). */
  start: { line: number; column: number };
  end: { line: number; column: number };
  snippet: string;
  message: string;
}

export interface AnalyzeContext {
  declared: DeclaredName[] | null;
  out: RawFinding[];
}

/** Collapses a node's text to one line of at most `max` characters. */
export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function report(ctx: AnalyzeContext, rule: RuleId, node: SgNode, message: string): void {
  const { start, end } = node.range();
  ctx.out.push({
    rule,
    start: { line: start.line, column: start.column },
    end: { line: end.line, column: end.column },
    snippet: oneLine(node.text()),
    message,
  });
}

/** A config object: the legacy platform config (`ctx.config`), settings modules, config files. */
export const CONFIG_RECEIVER = "(^|\\.)([A-Za-z0-9_]*([cC]onfig|CONFIG|[sS]ettings|SETTINGS)|conf|cfg|CONF|CFG|[cC]onfiguration)(\\.|$)";
/** Method names that read a value from a config object. */
export const CONFIG_GETTERS = new Set(["get", "getItem", "getValue", "getString", "require", "getOrThrow", "getenv"]);

/** The last segment of a receiver that is a cache or key-value store. */
const STORE_SEGMENT = /(redis|cache|kv|memcached?|valkey|keyv|store|storage|db|shelf|shelve)$/i;
/** Methods that read a value out of a store by key or field. */
export const STORE_GETTERS = new Set([
  "get",
  "hget",
  "hmget",
  "mget",
  "getItem",
  "getex",
  "getdel",
  "getBuffer",
  "getdel",
  "read",
  "fetch",
]);
/**
 * Initializers that make a variable a store client (`r = redis.Redis()`, `const kv = new Keyv()`).
 * Patterns passed to ast-grep are Rust regexes compiled on every query: they spell out ASCII classes,
 * as a Unicode `\w` or `\b` takes milliseconds to compile.
 */
export const STORE_INITIALIZER =
  "[Rr]edis|REDIS|[Vv]alkey|[Mm]emcache|[Kk]eyv|createClient|[Cc]ache|shelve\\.open|electron-store|new Store\\(|(^|[^A-Za-z0-9_])(kv|KV)([^A-Za-z0-9_]|$)";

export function isStoreReceiver(receiver: string, aliases: ReadonlySet<string>): boolean {
  const last = receiver.split(".").pop() ?? receiver;
  return STORE_SEGMENT.test(last) || aliases.has(receiver);
}

/** A logger call: console.*, log.*, logger.*, logging.*, print. */
export const LOGGER_CALL =
  /^((this|self|ctx|context|req|request|app)\.)?(console|log|logger|logging|_log|_logger|LOG|LOGGER)\.\w+$|^(print|pprint)$/;
/** A call that builds a response or serializes for one. */
export const RESPONSE_CALL =
  /(^|\.)(json|send|success|ok|error|fail|respond|reply|jsonify|JSONResponse|Response|json_response|dumps|stringify|end|write|render|redirect)$/i;

/** Calls that hand on the value they are given in another form (a logger given their result logs the value). */
export const TRANSPARENT_CALL =
  /^(String|str|repr|JSON\.stringify|json\.dumps|Buffer\.from|btoa|base64\.b64encode|encodeURIComponent|encodeURI|escape|quote)$|\.(toString|format|join|concat|encode|decode|toUpperCase|toLowerCase|upper|lower|strip|trim)$/;

/** The name an SDK call names, split into its optional scope and its name (`user.x`, `x`). */
export function splitSecretRef(ref: string): { scope: DeclaredName["scope"] | null; name: string } {
  const match = ref.match(/^(ext|org|user)\.(.+)$/);
  return match ? { scope: match[1] as DeclaredName["scope"], name: match[2] as string } : { scope: null, name: ref };
}

/** Declarations matching an SDK reference (an unqualified name matches it in any scope). */
export function declarationsFor(declared: DeclaredName[], ref: string): DeclaredName[] {
  const { scope, name } = splitSecretRef(ref);
  return declared.filter((d) => d.name === name && (scope === null || d.scope === scope));
}

/** The declared secret an environment or config name stands for (`STRIPE_KEY` → user.stripe_key), if any. */
export function declaredTwin(declared: DeclaredName[] | null, name: string): DeclaredName | undefined {
  if (!declared) return undefined;
  const normalized = name
    .replace(/^LATCHKEY_SECRET_/i, "")
    .split(".")
    .pop()
    ?.replace(/[^A-Za-z0-9]+/g, "_")
    .toLowerCase();
  return declared.find((d) => d.name.toLowerCase() === normalized);
}

/** The sentence an env/config read finding ends with: where the value should come from instead. */
export function vaultHint(declared: DeclaredName[] | null, name: string): string {
  const twin = declaredTwin(declared, name);
  return twin
    ? ` The manifest declares ${twin.scope}.${twin.name}: read it with secrets.get("${twin.name}").`
    : " The manifest does not declare it.";
}

/** Whether any static text of a key (a store key, a config path) is credential-like. */
export function credentialKey(text: string): boolean {
  // URLs and file paths are addresses, not keys: `client.get("/oauth/token")` fetches a URL.
  if (/[/\\]/.test(text) || /^https?:/i.test(text)) return false;
  return isCredentialLike(text);
}

/** Escapes a name for use inside an ast-grep (Rust) regex. */
export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
