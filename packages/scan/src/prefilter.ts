// The scanner's prefilter: cheap checks on a file's text that decide, before any tree is built, which
// groups of rules could report on it. A group that cannot is not run, and a file on which no group can
// report is not parsed at all (the hard-coded credential formats of tokens.ts still run on every text).
// It never decides that something *is* a finding: every finding still comes from the parsed tree.
//
// Level 1, trigger words (semgrep's literal prefilter): each group lists the words its queries need. A
// query matches a node by its kind and its text, so a file whose text has none of a group's words holds
// no node the group could match. The lists below are kept in step with the queries of analyze-*.ts;
// each pattern is a superset of what its group's queries can match (a word in a comment or a string
// only costs a parse).
//
// Level 2, quiet proofs: a group whose words are present may still be unable to report. For the
// JavaScript environment and config rules that is decided here, on the text (envQuiet, configQuiet:
// every name such a rule could read is not credential-like); for the SDK rules it is decided on the
// tree (quiet-sdk.ts), which skips their data-flow analysis rather than the parse.
import { CONFIG_GETTERS } from "./common";
import { isCredentialLike } from "./names";

/** The groups of rules each language analyzer runs (analyze-js.ts, analyze-python.ts). */
export type RuleGroup = "env" | "imports" | "config" | "store" | "code" | "sdk";

/** Every group, in the order the analyzers run them: what runs when the prefilter is off. */
export const RULE_GROUPS: readonly RuleGroup[] = ["env", "imports", "config", "store", "code", "sdk"];

/** `require(...)` / `import(...)` whose argument is not one plain string literal (ASCII spacing only). */
const LITERAL_ARGUMENT = String.raw`[ \t\r\n]*\([ \t\r\n]*(?:"[^"\\\n]*"|'[^'\\\n]*')[ \t\r\n]*\)`;
const DYNAMIC_REQUIRE = String.raw`\brequire\b(?!${LITERAL_ARGUMENT})`;
// The import query matches a call whose text starts with `import\s*(` (Rust's \s also has U+0085).
const DYNAMIC_IMPORT = String.raw`\bimport(?![\s\u0085]*\([ \t\r\n]*(?:"[^"\\\n]*"|'[^'\\\n]*')[ \t\r\n]*\))[\s\u0085]*\(`;
const STORE_WORDS = /redis|cache|kv|memcache|valkey|keyv|store|storage|db|shel(f|ve)|createClient/i;
const CONFIG_WORDS = /config|settings|\bconf\b|\bcfg\b/i;

/**
 * The words each JavaScript/TypeScript group needs: every API, receiver and module name its queries look
 * for (`process.env` has the word `env`, a dynamic `require(x)` is a `require` not followed by one string).
 */
export const JS_TRIGGERS: Readonly<Record<RuleGroup, RegExp>> = {
  env: /\benv\b/,
  imports: new RegExp(
    String.raw`dotenv|env-cmd|secrets-manager|client-ssm|node-vault|hashi-vault|keytar|keyring|secret-manager|keyvault|1password|infisical|doppler|child_process|execa|cross-spawn|SecretsManager|\bSSM\b|${DYNAMIC_REQUIRE}|${DYNAMIC_IMPORT}`,
  ),
  config: CONFIG_WORDS,
  store: STORE_WORDS,
  code: /\beval\b|\bFunction\b|\bvm\./,
  sdk: /\bsecrets\b/,
};

/** The words each Python group needs (see JS_TRIGGERS). */
export const PY_TRIGGERS: Readonly<Record<RuleGroup, RegExp>> = {
  env: /environ|getenv|getattr/,
  imports: /dotenv|decouple|environs|hvac|keyring|secretmanager|keyvault|onepassword|infisical|secretsmanager|\bssm\b|subprocess|\bos\b/,
  config: CONFIG_WORDS,
  store: STORE_WORDS,
  code: /\beval\b|\bexec\b|\bcompile\b|__import__|import_module/,
  sdk: /\bsecrets\b/,
};

const credentialLikeSeen = new Map<string, boolean>();
/** isCredentialLike, remembered: the prefilter asks it of every property name, and names repeat. */
function credentialLike(name: string): boolean {
  let answer = credentialLikeSeen.get(name);
  if (answer === undefined) {
    if (credentialLikeSeen.size >= 4096) credentialLikeSeen.clear();
    answer = isCredentialLike(name);
    credentialLikeSeen.set(name, answer);
  }
  return answer;
}

/** Whether the JavaScript environment rules look for `Deno.env.get(…)` in this text (analyze-js.ts). */
export function mentionsDeno(text: string): boolean {
  return /\bDeno\b/.test(text);
}

const ENV_WORD = /\benv\b/g;
/** `.NAME` right after `env`, NAME ending at an ASCII character that cannot continue an identifier. */
const MEMBER_READ = /\.([A-Za-z_$][\w$]*)(?![\w$\\\u0080-\uffff])/y;
/** Characters after which `env` starts an expression or a key, never a member's property. */
const NOT_A_PROPERTY = new Set("{}()[],;:=?!&|+-*%<>^~".split(""));

/** A line terminator (a line comment ends at one). */
function lineBreak(c: string | undefined): boolean {
  return c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";
}

/**
 * Whether the `env` at `index` is certainly not the property of a member expression: the code before it
 * (whitespace skipped) ends with a punctuator other than `.`, with a word then a space, or nothing. A
 * line comment could hide a `.` (`process. // …` then `env` on the next line), so a line break is crossed
 * only when the line it lands on has no `/`; a block comment ends with `/`, which does not count.
 */
function notAProperty(text: string, index: number): boolean {
  let i = index - 1;
  let crossedLine = false;
  while (i >= 0 && /\s/.test(text[i] as string)) {
    if (lineBreak(text[i])) crossedLine = true;
    i--;
  }
  if (i < 0) return true;
  // After a punctuator other than `.`, or after a word and a space (`const env`, `return env`).
  const wordBefore = i < index - 1 && /[A-Za-z0-9_]/.test(text[i] as string);
  if (!NOT_A_PROPERTY.has(text[i] as string) && !wordBefore) return false;
  if (!crossedLine) return true;
  for (let j = i; j >= 0 && !lineBreak(text[j]); j--) if (text[j] === "/") return false;
  return true;
}

/**
 * Whether the JavaScript environment rules cannot report on this text. They look at each `process.env`,
 * `import.meta.env` and `Bun.env` node: each has the word `env` where its `env` is written, after a `.`.
 * When every `env` in the text is either certainly not after a `.` (an object key `env:`, a variable) or
 * directly followed by `.NAME` with a NAME that is not credential-like, every such node is the object of
 * a member read of a name that is not a credential, which those rules never report
 * (`process.env.LOG_LEVEL`); anything else (`process.env[name]`, `{ ...process.env }`, `process.env` in a
 * comment) leaves the rules to run. `Deno.env.get(…)` is another query: its word keeps them running too.
 */
export function envQuiet(text: string): boolean {
  if (mentionsDeno(text)) return false;
  for (const match of text.matchAll(ENV_WORD)) {
    if (notAProperty(text, match.index)) continue;
    MEMBER_READ.lastIndex = match.index + 3;
    const read = MEMBER_READ.exec(text);
    if (!read || credentialLike(read[1] as string)) return false;
  }
  return true;
}

/** Skips whitespace from `i`; the index of the next other character (or the end). */
function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

const isAscii = (c: string) => c <= "\x7f";
/** A comment starts at `i`: it could hide the name a rule reads, so the scan gives up there. */
const commentAt = (text: string, i: number) => text[i] === "/" && (text[i + 1] === "*" || text[i + 1] === "/");

/**
 * Whether a literal key could start at `i` (whitespace skipped) whose text is credential-like: a string or
 * a template (its raw text, as analyze-js.ts `literal` reads it), or something this scan cannot read past
 * (a comment, an escape, a non-ASCII character). Anything else there (a name, a number, a parenthesis) is
 * not a literal, and a config rule reads no name from it.
 */
function credentialKeyAt(text: string, i: number): boolean {
  const j = skipSpace(text, i);
  const c = text[j];
  if (c === undefined) return false;
  if (c === '"' || c === "'" || c === "`") {
    let k = j + 1;
    while (k < text.length && text[k] !== c) k += text[k] === "\\" ? 2 : 1;
    return credentialLike(text.slice(j + 1, k));
  }
  return commentAt(text, j) || c === "\\" || !isAscii(c);
}

const PROPERTY_AT = /#?[A-Za-z_$][\w$]*/y;

/** Whether the property name after the `.` at `i` could make a config rule report (see configQuiet). */
function credentialPropertyAt(text: string, i: number): boolean {
  const j = skipSpace(text, i + 1);
  const c = text[j];
  if (c === undefined) return false;
  if (commentAt(text, j) || c === "\\" || !isAscii(c)) return true;
  PROPERTY_AT.lastIndex = j;
  const name = PROPERTY_AT.exec(text)?.[0];
  if (!name) return false;
  const end = j + name.length;
  const next = text[end];
  if (next !== undefined && (next === "\\" || !isAscii(next))) return true;
  if (credentialLike(name)) return true;
  if (!CONFIG_GETTERS.has(name)) return false;
  // A getter's first argument is the name read: `config.get("api_key")`.
  const k = skipSpace(text, end);
  const d = text[k];
  if (d === "(") return credentialKeyAt(text, k + 1);
  if (d === "`") return credentialKeyAt(text, k);
  return d === "<" || commentAt(text, k) || d === "\\" || (d === "?" && text[k + 1] === ".") || (d !== undefined && !isAscii(d));
}

/**
 * Whether the JavaScript config rules cannot report on this text. They report a read of a config object
 * only when the name read is credential-like: a property name (`config.clientSecret`), the first
 * argument of a getter (`settings.get("api_key")`), or a subscript's key (`cfg["token"]`). When no
 * property name after any `.`, no string or template right after a getter's `(` and none right after
 * any `[` is credential-like, whatever the objects are, no read can be reported (`config.apiUrl`,
 * `config.get("page_size")`). A comment or an escape where a name could be makes it give up.
 */
export function configQuiet(text: string): boolean {
  for (let i = text.indexOf("."); i >= 0; i = text.indexOf(".", i + 1)) {
    if (credentialPropertyAt(text, i)) return false;
  }
  for (let i = text.indexOf("["); i >= 0; i = text.indexOf("[", i + 1)) {
    if (credentialKeyAt(text, i + 1)) return false;
  }
  return true;
}

/**
 * The groups to run on a file, by its text: those whose trigger words it has (level 1), less the
 * JavaScript environment and config rules when envQuiet and configQuiet prove them silent (level 2).
 * Empty: nothing to parse for.
 */
export function groupsFor(language: "javascript" | "typescript" | "tsx" | "python", text: string): RuleGroup[] {
  const triggers = language === "python" ? PY_TRIGGERS : JS_TRIGGERS;
  const groups: RuleGroup[] = [];
  for (const group of RULE_GROUPS) {
    if (!triggers[group].test(text)) continue;
    if (language !== "python" && group === "env" && envQuiet(text)) continue;
    if (language !== "python" && group === "config" && configQuiet(text)) continue;
    groups.push(group);
  }
  return groups;
}
