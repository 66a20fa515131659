// The JavaScript SDK rules: every `secrets.<method>(name)` call checked against the manifest, and where
// a value from secrets.get goes inside its handler (kept in module or instance state, logged, returned).
import type { SgNode } from "@ast-grep/napi";
import { addDerived, checkSdkCall, flagOnce, followCall, sameNode, valueHolder, type Flag, type SdkCall } from "./analyze-shared";
import { LOGGER_CALL, RESPONSE_CALL, escapeRegex, type AnalyzeContext } from "./common";
import { FUNCTION_KINDS, enclosingFunction, firstArgument, literal, moduleBindings, unwrap } from "./js-nodes";

/** A call that sends its argument as the response (`res.json(x)`). */
export const RESPONSE_SEND = /^(res|response|reply|ctx|c)\.(json|send|end|write|body)$/;
const SDK_METHODS = new Set(["get", "set", "delete", "isSet", "meta", "rotate"]);

function sdkCalls(root: SgNode, ctx: AnalyzeContext): SdkCall[] {
  const calls = root.findAll({
    rule: {
      kind: "call_expression",
      has: { field: "function", kind: "member_expression", has: { field: "object", regex: "(^|\\.)secrets$" } },
    },
  });
  return calls.flatMap((call) => {
    const method = call.field("function")?.field("property")?.text() ?? "";
    if (!SDK_METHODS.has(method)) return [];
    return [checkSdkCall(ctx, { call, method, ref: literal(firstArgument(call)) })];
  });
}

/** Identifiers (and `{ x }` shorthands) named `name` inside `scope`. */
function uses(scope: SgNode, name: string): SgNode[] {
  return scope.findAll({
    rule: {
      any: [
        { kind: "identifier", regex: `^${escapeRegex(name)}$` },
        { kind: "shorthand_property_identifier", regex: `^${escapeRegex(name)}$` },
      ],
    },
  });
}

/** Whether `node` reaches `top` only through non-call wrappers, or as the argument of a response builder. */
function flowsOut(node: SgNode, top: SgNode): boolean {
  for (const a of node.ancestors()) {
    if (sameNode(a, top)) return true;
    // `key !== null`, `!key`, `typeof key`: a boolean or a type about the value, not the value.
    if (a.kind() === "binary_expression" && /^(===|!==|==|!=|<|>|<=|>=|instanceof|in)$/.test(a.field("operator")?.text() ?? ""))
      return false;
    if (a.kind() === "unary_expression" && /^(!|typeof|void)/.test(a.text())) return false;
    if (a.kind() === "arguments") {
      const call = a.parent();
      const fn = call?.field("function")?.text() ?? call?.field("constructor")?.text() ?? "";
      if (!RESPONSE_CALL.test(fn)) return false;
    }
    if (FUNCTION_KINDS.has(String(a.kind()))) return false;
  }
  return false;
}

/** Flags what the code does with the call's value directly; returns the names the value is bound to. */
function directUse(call: SgNode, fn: SgNode | null, what: string, moduleNames: Set<string>, flag: Flag): Set<string> {
  const holder = valueHolder(call, unwrap);
  const parent = holder.parent();
  const tainted = new Set<string>();
  if (parent?.kind() === "variable_declarator" && sameNode(parent.field("value"), holder)) {
    const name = parent.field("name");
    if (name?.kind() === "identifier") {
      if (!fn) flag("secret-kept-beyond-handler", parent, `Keeps ${what} in the module-level ${name.text()}, outside any handler.`);
      else tainted.add(name.text());
    }
  } else if (parent?.kind() === "assignment_expression" && sameNode(parent.field("right"), holder)) {
    const left = parent.field("left");
    if (left) checkKept(left, parent, fn, moduleNames, what, flag, tainted);
  } else if (parent?.kind() === "arguments") {
    const outer = parent.parent();
    const fnText = outer?.field("function")?.text() ?? "";
    if (/(\.(set|put|hset|setex|add)$)/.test(fnText))
      flag("secret-kept-beyond-handler", outer as SgNode, `Stores ${what} with ${fnText}(), where it outlives the handler.`);
    else if (LOGGER_CALL.test(fnText)) flag("secret-logged", outer as SgNode, `Passes ${what} to ${fnText}().`);
    else if (RESPONSE_CALL.test(fnText) && /^(res|response|reply|ctx|c)\./.test(fnText))
      flag("secret-returned", outer as SgNode, `Sends ${what} in a response.`);
  } else if (parent?.kind() === "return_statement" || parent?.kind() === "arrow_function") {
    flag("secret-returned", parent, `Returns ${what}.`);
  }
  return tainted;
}

function secretFlows(root: SgNode, ctx: AnalyzeContext, calls: SdkCall[]): void {
  const gets = calls.filter((c) => c.method === "get");
  if (gets.length === 0) return;
  const moduleNames = moduleBindings(root);
  const flag = flagOnce(ctx, (node) => node.id());
  for (const { call, ref } of gets) {
    const fn = enclosingFunction(call);
    const what = ref ? `the value of secrets.get("${ref}")` : "a value from secrets.get";
    const tainted = directUse(call, fn, what, moduleNames, flag);
    if (tainted.size === 0 || !fn) continue;
    const mentions = (text: string, name: string) => new RegExp(`(^|[^\\w$])${escapeRegex(name)}($|[^\\w$])`).test(text);
    // One hop of derivation: `const prefix = apiKey.slice(0, 5)` carries the secret too.
    const bindings = fn.findAll({ rule: { kind: "variable_declarator" } }).map((d) => ({ name: d.field("name"), value: d.field("value") }));
    addDerived(tainted, bindings, (value, t) => mentions(value.text(), t) && uses(value, t).some((u) => flowsOut(u, value)));
    for (const t of tainted) {
      for (const use of uses(fn, t)) traceUse(use, t, fn, what, moduleNames, flag);
    }
  }
}

/** Follows one use of a variable holding a secret up to where it is logged, returned, sent or kept. */
function traceUse(use: SgNode, t: string, fn: SgNode, what: string, moduleNames: Set<string>, flag: Flag): void {
  const fnId = fn.id();
  let previous: SgNode = use;
  for (const a of use.ancestors()) {
    if (a.id() === fnId) return;
    const kind = a.kind();
    // `apiKey.length` says how long the value is, not what it is.
    if (kind === "member_expression" && previous.id() === use.id() && a.field("property")?.text() === "length") return;
    if (kind === "variable_declarator") return; // a derived variable: followed as its own name
    if (kind === "assignment_expression") {
      const right = a.field("right");
      const left = a.field("left");
      if (right && left && previous.id() === right.id()) checkKept(left, a, fn, moduleNames, what, flag, new Set());
      return;
    }
    if (kind === "call_expression" && previous.kind() === "arguments") {
      const fnText = a.field("function")?.text() ?? "";
      const keeps = (text: string) => /\.set$/.test(text) && moduleNames.has(text.split(".")[0] ?? "");
      if (followCall(flag, a, fnText, `${what} (held in ${t})`, { response: RESPONSE_SEND, keeps }) === "stop") return;
    }
    if (kind === "return_statement") {
      if (flowsOut(use, a)) flag("secret-returned", a, `Returns ${what} (held in ${t}).`);
      return;
    }
    previous = a;
  }
}

function checkKept(
  left: SgNode,
  site: SgNode,
  fn: SgNode | null,
  moduleNames: Set<string>,
  what: string,
  flag: Flag,
  tainted: Set<string>,
): void {
  const text = left.text();
  if (/^this\./.test(text)) {
    flag("secret-kept-beyond-handler", site, `Keeps ${what} in the instance field ${text}, which outlives the handler.`);
    return;
  }
  const base = text.split(/[.[]/)[0] ?? "";
  if (left.kind() === "identifier") {
    if (!fn || moduleNames.has(base))
      flag("secret-kept-beyond-handler", site, `Keeps ${what} in the module-level ${base}, which outlives the handler.`);
    else tainted.add(base);
    return;
  }
  if (moduleNames.has(base) || !fn)
    flag("secret-kept-beyond-handler", site, `Keeps ${what} in the module-level ${base}, which outlives the handler.`);
}

/** Runs the SDK rules over one parsed file. */
export function jsSecretRules(root: SgNode, ctx: AnalyzeContext): void {
  secretFlows(root, ctx, sdkCalls(root, ctx));
}
