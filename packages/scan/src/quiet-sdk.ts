// The SDK rules' quiet proof (the prefilter's level 2 on the tree, see prefilter.ts): most handlers read
// a secret the way the guide shows and pass it on to a request, and the SDK rules' data-flow analysis
// (analyze-*-secrets.ts), the costliest part of a scan, reports nothing on them. This proof recognizes
// that shape on the parsed tree, with a few node texts and no queries, and lets the scan skip the
// analysis; any other shape returns false and the full analysis runs. It never reports anything.
//
// A file is quiet when every top-level statement whose text has the word `secrets` is an async function
// declaration (JavaScript) or `async def` (Python) whose body statements are:
//   - reads: `const key = await ctx.secrets.get("name")` / `key = await ctx.secrets.get("name")`, with a
//     name the manifest declares (or no manifest): not a write, not undeclared, and the value is bound
//     to a local name in a function (never module state);
//   - null checks of such a name: `if (key === null) …` / `if key is None: …`, the rest of the statement
//     not naming it: a boolean about the value goes nowhere;
//   - calls that take it: `const r = await ctx.fetch(url, { headers: { authorization: `Bearer ${key}` } })`,
//     the callee a plain name that is not a logger, a response, a store, or a call that hands its argument
//     on (common.ts), the arguments without a parenthesis, `=`, `function`, `class` or `yield`, so that no
//     call, function, assignment or return lies between the name and the arguments: the data flow stops
//     at that call, and no variable is derived from the value;
//   - (Python) `with` blocks whose header does not name it, holding such statements;
//   - any other statement not naming it (by a word test on its text, which covers every identifier).
// A name, the header of the function and anything that is not one of these shapes must not mention the
// value's name or `secrets`; a word in a comment or a string only makes the proof give up.
import type { SgNode } from "@ast-grep/napi";
import { RESPONSE_SEND } from "./analyze-js-secrets";
import { KEEPING_STORE_CALL } from "./analyze-shared";
import { LOGGER_CALL, RESPONSE_CALL, TRANSPARENT_CALL, declarationsFor } from "./common";
import type { DeclaredName } from "./types";

/** Whether a character can be part of an identifier (ASCII; anything else only makes a word test say yes). */
function isIdentifierPart(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}

/** Whether `word` occurs in `text` as a whole identifier (not inside a longer one). */
export function hasWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    if (!isIdentifierPart(text[i - 1]) && !isIdentifierPart(text[i + word.length])) return true;
  }
  return false;
}

function hasAnyWord(text: string, words: Iterable<string>): boolean {
  for (const word of words) if (hasWord(text, word)) return true;
  return false;
}

/** A call the data flow goes through or ends at with a finding (analyze-shared.ts followCall, flowsOut). */
const PASSING: Record<"js" | "python", readonly RegExp[]> = {
  js: [LOGGER_CALL, RESPONSE_SEND, KEEPING_STORE_CALL, /\.set$/, TRANSPARENT_CALL, RESPONSE_CALL],
  python: [LOGGER_CALL, KEEPING_STORE_CALL, TRANSPARENT_CALL, RESPONSE_CALL, /^(dict|str)$/],
};

function passes(language: "js" | "python", callee: string): boolean {
  for (const pattern of PASSING[language]) if (pattern.test(callee)) return true;
  return false;
}

/** A statement of a body: its node and text, and its kind, read only when a shape needs it. */
class Statement {
  readonly text: string;
  private kindRead: string | undefined;
  constructor(readonly node: SgNode) {
    this.text = node.text();
  }
  get kind(): string {
    return (this.kindRead ??= this.node.kind() as string);
  }
}

/** The shapes of one language; each test takes a statement and the names holding a secret. */
interface Shapes {
  language: "js" | "python";
  /** A secret read: the name it binds and the secret's name, or null. */
  read(s: Statement): { name: string; ref: string } | null;
  /** A null check of one of `names` whose condition is all that names it, or false. */
  nullCheck(s: Statement, names: Set<string>): boolean;
  /** A call taking one of `names` in its arguments, where the data flow stops. */
  blockedCall(s: Statement, names: Set<string>): boolean;
  /** A block statement (Python `with`) whose body the proof walks into; its header must not name them. */
  body(s: Statement): SgNode | null;
}

const JS_ID = String.raw`[A-Za-z_$][\w$]*`;
const PY_ID = String.raw`[A-Za-z_]\w*`;
const STRING = String.raw`(?:"([^"\\\n]*)"|'([^'\\\n]*)')`;
const JS_READ = new RegExp(
  String.raw`^(?:const|let)\s+(${JS_ID})\s*=\s*(?:await\s+)?(?:${JS_ID}(?:\.${JS_ID})*\.)?secrets\.get\(\s*${STRING}\s*\);?$`,
);
const PY_READ = new RegExp(String.raw`^(${PY_ID})\s*=\s*(?:await\s+)?(?:${PY_ID}(?:\.${PY_ID})*\.)?secrets\.get\(\s*${STRING}\s*\)$`);
const JS_CHECK = new RegExp(
  String.raw`^if\s*\(\s*(?:(${JS_ID})\s*(?:===|!==|==|!=)\s*(?:null|undefined)|(?:null|undefined)\s*(?:===|!==|==|!=)\s*(${JS_ID})|!\s*(${JS_ID}))\s*\)`,
);
const PY_CHECK = new RegExp(String.raw`^if\s+(?:(${PY_ID})\s+is\s+(?:not\s+)?None|(${PY_ID})\s*(?:==|!=)\s*None|not\s+(${PY_ID}))\s*:`);
const JS_CALL = new RegExp(String.raw`^(?:(?:const|let)\s+(${JS_ID})\s*=\s*)?(?:await\s+)?(${JS_ID}(?:\.${JS_ID})*)\(([^()]*)\)\s*;?$`);
const PY_CALL = new RegExp(String.raw`^(?:(${PY_ID})\s*=\s*)?(?:await\s+)?(${PY_ID}(?:\.${PY_ID})*)\(([^()]*)\)$`);

function nullCheck(pattern: RegExp, s: Statement, names: Set<string>): boolean {
  const m = s.kind === "if_statement" ? pattern.exec(s.text) : null;
  const name = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  if (!m || !name || !names.has(name)) return false;
  const rest = s.text.slice(m[0].length);
  return !hasWord(rest, "secrets") && !hasAnyWord(rest, names);
}

/** Words that would put a function, a class or a generator between a name and the call's arguments. */
const BANNED_IN_ARGUMENTS = ["function", "class", "yield", "lambda", "secrets"];

function blockedCall(language: "js" | "python", m: RegExpExecArray | null, names: Set<string>, banned: RegExp): boolean {
  if (!m) return false;
  const [, bound, callee = "", args = ""] = m;
  if (bound !== undefined && names.has(bound)) return false;
  if (hasWord(callee, "secrets") || hasAnyWord(callee, names) || passes(language, callee)) return false;
  return !banned.test(args) && !hasAnyWord(args, BANNED_IN_ARGUMENTS);
}

const JS_SHAPES: Shapes = {
  language: "js",
  read: (s) => {
    const m = s.kind === "lexical_declaration" ? JS_READ.exec(s.text) : null;
    return m ? { name: m[1] as string, ref: (m[2] ?? m[3]) as string } : null;
  },
  nullCheck: (s, names) => nullCheck(JS_CHECK, s, names),
  blockedCall: (s, names) => {
    const m = s.kind === "lexical_declaration" || s.kind === "expression_statement" ? JS_CALL.exec(s.text) : null;
    // A declaration binds a name (`const r = f(…)`); an expression statement is the bare call.
    if (m && (s.kind === "lexical_declaration") !== (m[1] !== undefined)) return false;
    return blockedCall("js", m, names, /=/);
  },
  body: () => null,
};

const PY_SHAPES: Shapes = {
  language: "python",
  read: (s) => {
    const m = s.kind === "expression_statement" ? PY_READ.exec(s.text) : null;
    return m ? { name: m[1] as string, ref: (m[2] ?? m[3]) as string } : null;
  },
  nullCheck: (s, names) => nullCheck(PY_CHECK, s, names),
  // Keyword arguments have `=`; a walrus (`:=`), a comprehension or a generator argument does not pass.
  blockedCall: (s, names) => blockedCall("python", s.kind === "expression_statement" ? PY_CALL.exec(s.text) : null, names, /:=|\bfor\b/),
  body: (s) => (s.kind === "with_statement" ? s.node.field("body") : null),
};

/** The statements of a block; comments are left out by the word tests' callers (a comment names nothing). */
function statements(block: SgNode): Statement[] {
  const out: Statement[] = [];
  for (const node of block.namedChildren()) out.push(new Statement(node));
  return out;
}

/** The text of `outer` before its last child `inner` (a function's or a block statement's header). */
function headerOf(outerText: string, inner: SgNode): { header: string; innerText: string } | null {
  const innerText = inner.text();
  return outerText.endsWith(innerText) ? { header: outerText.slice(0, outerText.length - innerText.length), innerText } : null;
}

/** Whether every statement of a block that names one of `names` is a null check, a blocked call or a quiet block. */
function usesQuiet(shapes: Shapes, block: Statement[], names: Set<string>): boolean {
  for (const s of block) {
    if (!hasWord(s.text, "secrets") && !hasAnyWord(s.text, names)) continue;
    if (s.kind === "comment") continue;
    if (hasWord(s.text, "secrets")) return false;
    if (shapes.nullCheck(s, names) || shapes.blockedCall(s, names)) continue;
    const body = shapes.body(s);
    const split = body ? headerOf(s.text, body) : null;
    if (!body || !split || hasAnyWord(split.header, names) || !usesQuiet(shapes, statements(body), names)) return false;
  }
  return true;
}

/** Whether one function (its text and body block) is quiet: its reads are declared and their values stay put. */
function functionQuiet(shapes: Shapes, fnText: string, body: SgNode, declared: DeclaredName[] | null): boolean {
  const split = headerOf(fnText, body);
  if (!split || hasWord(split.header, "secrets")) return false;
  const names = new Set<string>();
  const reads: Statement[] = [];
  const rest: Statement[] = [];
  for (const s of statements(body)) {
    const read = hasWord(s.text, "secrets") && s.kind !== "comment" ? shapes.read(s) : null;
    if (!read) rest.push(s);
    else if (declared && declarationsFor(declared, read.ref).length === 0) return false;
    else {
      names.add(read.name);
      reads.push(s);
    }
  }
  // A read names no value but the one it binds (`const a = await b.secrets.get(…)` would use b).
  for (const s of reads) if (hasAnyWord(s.text.slice(s.text.indexOf("=") + 1), names)) return false;
  // Python: a `global` statement makes an assignment in the function module state.
  if (shapes.language === "python" && hasWord(fnText, "global")) return false;
  return !hasAnyWord(split.header, names) && usesQuiet(shapes, rest, names);
}

/**
 * A top-level `async function` (possibly exported) in JavaScript: its text and body, or null. The text
 * says what the node is: a top-level node that starts with `export` is an export statement, one that
 * starts with `async function` a function declaration (anything the parser could not read has no body).
 */
function jsFunction(top: SgNode, text: string): { text: string; body: SgNode } | null {
  // `export` then the declaration: with only spaces between, the declaration's text is the rest.
  const exported = /^export\s+(?=async\s+function\s)/.exec(text);
  const fnText = exported ? text.slice(exported[0].length) : text;
  if (!/^async\s+function\s+[A-Za-z_$]/.test(fnText)) return null;
  const fn = exported ? top.field("declaration") : top;
  const body = fn?.field("body");
  return body && body.kind() === "statement_block" ? { text: fnText, body } : null;
}

/** A top-level `async def` in Python (not decorated: a cache decorator keeps a secret): its text and body. */
function pyFunction(top: SgNode, text: string): { text: string; body: SgNode } | null {
  if (top.kind() !== "function_definition" || !/^async\s+def\s+[A-Za-z_]/.test(text)) return null;
  const body = top.field("body");
  return body ? { text, body } : null;
}

/**
 * Whether the SDK rules (sdk-undeclared-secret, sdk-user-secret-write and the secret-flow rules) cannot
 * report on this parsed file (see the module comment); `declared` as in ScanOptions. False means "not
 * shown", and the full analysis runs.
 */
export function sdkQuiet(language: "javascript" | "typescript" | "tsx" | "python", root: SgNode, declared: DeclaredName[] | null): boolean {
  const python = language === "python";
  const shapes = python ? PY_SHAPES : JS_SHAPES;
  for (const top of root.children()) {
    const text = top.text();
    if (!hasWord(text, "secrets") || top.kind() === "comment") continue;
    const fn = python ? pyFunction(top, text) : jsFunction(top, text);
    if (!fn || !functionQuiet(shapes, fn.text, fn.body, declared)) return false;
  }
  return true;
}
