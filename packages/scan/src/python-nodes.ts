// Python node helpers the Python rules share (tree-sitter-python's node kinds): literal values, call
// arguments, the function a node sits in, the value an expression yields, module-level names.
import type { SgNode } from "@ast-grep/napi";
import { sameNode } from "./analyze-shared";

/** The value of a string literal without interpolation (f-strings with `{…}` are computed); null otherwise. */
export function literal(node: SgNode | null | undefined): string | null {
  if (!node || node.kind() !== "string") return null;
  if (node.find({ rule: { kind: "interpolation" } })) return null;
  return node
    .children()
    .filter((c) => c.kind() === "string_content" || c.kind() === "escape_sequence")
    .map((c) => c.text())
    .join("");
}

/** Every static text piece of an expression (string contents): what a store key is built from. */
export function staticTexts(node: SgNode): string[] {
  const own = literal(node);
  if (own !== null) return [own];
  return node.findAll({ rule: { kind: "string_content" } }).map((n) => n.text());
}

/** A call's positional arguments. */
export function positionalArgs(call: SgNode): SgNode[] {
  return (call.field("arguments")?.namedChildren() ?? []).filter((a) => a.kind() !== "keyword_argument" && a.kind() !== "comment");
}

/** The value of a call's keyword argument `name`; null when absent. */
export function keywordArg(call: SgNode, name: string): SgNode | null {
  const kw = (call.field("arguments")?.namedChildren() ?? []).find(
    (a) => a.kind() === "keyword_argument" && a.field("name")?.text() === name,
  );
  return kw?.field("value") ?? null;
}

/** The function a node sits in; null at module level. */
export function enclosingFunction(node: SgNode): SgNode | null {
  return node.ancestors().find((a) => a.kind() === "function_definition") ?? null;
}

/** Whether a node is the target of an assignment rather than a read. */
export function isAssignmentTarget(node: SgNode): boolean {
  const parent = node.parent();
  return (parent?.kind() === "assignment" || parent?.kind() === "augmented_assignment") && sameNode(parent.field("left"), node);
}

/** Unwraps `await x`, `(x)`, `x or y` to the expression that yields the value. */
export function unwrap(node: SgNode): SgNode {
  let current = node;
  for (;;) {
    const kind = current.kind();
    if (kind === "await" || kind === "parenthesized_expression") {
      const inner = current.namedChildren().find((c) => c.kind() !== "comment");
      if (!inner) return current;
      current = inner;
    } else if (kind === "boolean_operator" && current.field("operator")?.text() === "or") {
      const left = current.field("left");
      if (!left) return current;
      current = left;
    } else return current;
  }
}

/** Names assigned at the top level of the module. */
export function moduleNames(root: SgNode): Set<string> {
  const names = new Set<string>();
  for (const statement of root.children()) {
    if (statement.kind() !== "expression_statement") continue;
    const assignment = statement.namedChildren()[0];
    const left = assignment?.kind() === "assignment" ? assignment.field("left") : null;
    if (left?.kind() === "identifier") names.add(left.text());
  }
  return names;
}
