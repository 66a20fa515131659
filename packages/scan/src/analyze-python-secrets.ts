// The Python SDK rules: every `secrets.<method>(name)` call checked against the manifest, and where a
// value from ctx.secrets.get goes inside its handler (kept in module or instance state or a cached
// function, logged, returned).
import type { SgNode } from "@ast-grep/napi";
import { addDerived, checkSdkCall, flagOnce, followCall, sameNode, valueHolder, type Flag, type SdkCall } from "./analyze-shared";
import { LOGGER_CALL, RESPONSE_CALL, escapeRegex, type AnalyzeContext } from "./common";
import { enclosingFunction, keywordArg, literal, moduleNames, positionalArgs, unwrap } from "./python-nodes";

const SDK_METHODS = new Set(["get", "set", "delete", "is_set", "meta", "rotate"]);
/** Decorators that cache a function's result, and with it a secret read inside. */
const CACHE_DECORATOR = /^@(functools\.)?(lru_cache|cache|cached_property)\b|^@(cachetools\.)?cached\b|^@alru_cache\b/;

function sdkCalls(root: SgNode, ctx: AnalyzeContext): SdkCall[] {
  const calls = root.findAll({
    rule: { kind: "call", has: { field: "function", kind: "attribute", has: { field: "object", regex: "(^|\\.)secrets$" } } },
  });
  return calls.flatMap((call) => {
    const method = call.field("function")?.field("attribute")?.text() ?? "";
    if (!SDK_METHODS.has(method)) return [];
    return [checkSdkCall(ctx, { call, method, ref: literal(positionalArgs(call)[0] ?? keywordArg(call, "name")) })];
  });
}

function uses(scope: SgNode, name: string): SgNode[] {
  return scope.findAll({ rule: { kind: "identifier", regex: `^${escapeRegex(name)}$` } });
}

function flowsOut(node: SgNode, top: SgNode): boolean {
  for (const a of node.ancestors()) {
    if (sameNode(a, top)) return true;
    // `key is None`, `not key`: a boolean about the value, not the value.
    if (a.kind() === "comparison_operator" || a.kind() === "not_operator") return false;
    if (a.kind() === "argument_list") {
      const fn = a.parent()?.field("function")?.text() ?? "";
      if (!RESPONSE_CALL.test(fn) && !/^(dict|str)$/.test(fn)) return false;
    }
    if (a.kind() === "function_definition" || a.kind() === "lambda") return false;
  }
  return false;
}

/** Flags a read inside a function whose result is cached (`@lru_cache`): the value outlives the call. */
function cachedResult(call: SgNode, fn: SgNode | null, what: string, flag: Flag): void {
  const decorated = fn?.parent()?.kind() === "decorated_definition" ? fn.parent() : null;
  if (decorated && decorated.children().some((d) => d.kind() === "decorator" && CACHE_DECORATOR.test(d.text()))) {
    flag(
      "secret-kept-beyond-handler",
      call,
      `Reads ${what} in a function whose result is cached (${decorated
        .children()
        .find((d) => d.kind() === "decorator")
        ?.text()}), so the value outlives the call.`,
    );
  }
}

/** One read's context: the handler it sits in, how it is named in messages, and the names it taints. */
interface Read {
  fn: SgNode | null;
  what: string;
  tainted: Set<string>;
  /** Flags (or taints) an assignment of the value to `left`. */
  kept: (left: SgNode, site: SgNode) => void;
}

function readOf(call: SgNode, ref: string | null, globals: Set<string>, flag: Flag): Read {
  const fn = enclosingFunction(call);
  const what = ref ? `the value of secrets.get("${ref}")` : "a value from secrets.get";
  const declaredGlobal = new Set(
    fn ? fn.findAll({ rule: { kind: "global_statement" } }).flatMap((g) => g.namedChildren().map((n) => n.text())) : [],
  );
  const tainted = new Set<string>();
  const kept = (left: SgNode, site: SgNode) => {
    const text = left.text();
    const base = text.split(/[.[]/)[0] ?? "";
    if (/^self\./.test(text) || /^cls\./.test(text))
      flag("secret-kept-beyond-handler", site, `Keeps ${what} in the instance attribute ${text}, which outlives the handler.`);
    else if (!fn || globals.has(base) || declaredGlobal.has(base)) {
      if (left.kind() === "identifier" && fn && !declaredGlobal.has(base)) tainted.add(base);
      else flag("secret-kept-beyond-handler", site, `Keeps ${what} in the module-level ${base}, which outlives the handler.`);
    } else if (left.kind() === "identifier") tainted.add(base);
  };
  return { fn, what, tainted, kept };
}

/** Flags what the code does with the call's value directly (assigned, passed, returned). */
function directUse(call: SgNode, { what, kept }: Read, flag: Flag): void {
  const holder = valueHolder(call, unwrap);
  const parent = holder.parent();
  if (parent?.kind() === "assignment" && sameNode(parent.field("right"), holder)) {
    const left = parent.field("left");
    if (left) kept(left, parent);
  } else if (parent?.kind() === "argument_list") {
    const outer = parent.parent();
    const fnText = outer?.field("function")?.text() ?? "";
    if (LOGGER_CALL.test(fnText)) flag("secret-logged", outer as SgNode, `Passes ${what} to ${fnText}().`);
    else if (/(\.(set|put|hset|setex|add)$)/.test(fnText))
      flag("secret-kept-beyond-handler", outer as SgNode, `Stores ${what} with ${fnText}(), where it outlives the handler.`);
  } else if (parent?.kind() === "return_statement") {
    flag("secret-returned", parent, `Returns ${what}.`);
  }
}

/** Follows one use of a variable holding a secret up to where it is logged, returned or kept. */
function traceUse(use: SgNode, t: string, fn: SgNode, { what, kept }: Read, flag: Flag): void {
  let previous: SgNode = use;
  for (const a of use.ancestors()) {
    if (sameNode(a, fn)) return;
    const kind = a.kind();
    if (kind === "assignment") {
      const right = a.field("right");
      const left = a.field("left");
      if (right && left && left.kind() !== "identifier" && previous.id() === right.id()) kept(left, a);
      return;
    }
    // Through a call that only changes the value's form (str, .encode()), the value goes on; len() and
    // any other call take it.
    if (kind === "call" && previous.kind() === "argument_list") {
      const fnText = a.field("function")?.text() ?? "";
      if (followCall(flag, a, fnText, `${what} (held in ${t})`, { response: null }) === "stop") return;
    }
    if (kind === "return_statement") {
      if (flowsOut(use, a)) flag("secret-returned", a, `Returns ${what} (held in ${t}).`);
      return;
    }
    previous = a;
  }
}

function secretFlows(root: SgNode, ctx: AnalyzeContext, calls: SdkCall[]): void {
  const gets = calls.filter((c) => c.method === "get");
  if (gets.length === 0) return;
  const globals = moduleNames(root);
  const flag = flagOnce(ctx, (node) => node.range().start.index);
  for (const { call, ref } of gets) {
    const read = readOf(call, ref, globals, flag);
    const { fn, tainted } = read;
    cachedResult(call, fn, read.what, flag);
    directUse(call, read, flag);
    if (tainted.size === 0 || !fn) continue;
    const mentions = (text: string, name: string) => new RegExp(`(^|\\W)${escapeRegex(name)}($|\\W)`).test(text);
    const bindings = fn.findAll({ rule: { kind: "assignment" } }).map((a) => ({ name: a.field("left"), value: a.field("right") }));
    addDerived(tainted, bindings, (value, t) => mentions(value.text(), t) && uses(value, t).some((u) => flowsOut(u, value)));
    for (const t of tainted) {
      for (const use of uses(fn, t)) traceUse(use, t, fn, read, flag);
    }
  }
}

/** Runs the SDK rules over one parsed file. */
export function pySecretRules(root: SgNode, ctx: AnalyzeContext): void {
  secretFlows(root, ctx, sdkCalls(root, ctx));
}
