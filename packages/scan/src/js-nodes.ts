// JavaScript / TypeScript node helpers the JS rules share (tree-sitter-typescript's node kinds): literal
// values, the argument and function a node sits in, the value an expression yields, writes.
import type { SgNode } from "@ast-grep/napi";
import { sameNode } from "./analyze-shared";

/** Node kinds that start a function scope. */
export const FUNCTION_KINDS = new Set<string>([
  "function_declaration",
  "function_expression",
  "function",
  "arrow_function",
  "method_definition",
  "generator_function_declaration",
  "generator_function",
]);

/** The literal value of a string or template (without substitutions) node; null when computed. */
export function literal(node: SgNode | null | undefined): string | null {
  if (!node) return null;
  const kind = node.kind();
  if (kind === "string") return node.text().slice(1, -1);
  if (kind === "template_string") {
    if (node.find({ rule: { kind: "template_substitution" } })) return null;
    return node.text().slice(1, -1);
  }
  return null;
}

/** Every static text piece of an expression (strings, template parts): what a store key is built from. */
export function staticTexts(node: SgNode): string[] {
  const own = literal(node);
  if (own !== null) return [own];
  return node
    .findAll({ rule: { any: [{ kind: "string_fragment" }, { kind: "string" }] } })
    .map((n) => (n.kind() === "string" ? n.text().slice(1, -1) : n.text()));
}

/** The first argument of a call that is not a comment; null without one. */
export function firstArgument(call: SgNode): SgNode | null {
  const args = call.field("arguments");
  return args?.namedChildren().find((c) => c.kind() !== "comment") ?? null;
}

/** Unwraps `await x`, `(x)`, `x!`, `x as T`, `x ?? y`, `x || y` to the expression that yields the value. */ export function unwrap(
  node: SgNode,
): SgNode {
  let current = node;
  for (;;) {
    const kind = current.kind();
    if (
      kind === "await_expression" ||
      kind === "parenthesized_expression" ||
      kind === "non_null_expression" ||
      kind === "as_expression" ||
      kind === "satisfies_expression"
    ) {
      const inner = current.namedChildren().find((c) => c.kind() !== "comment");
      if (!inner) return current;
      current = inner;
    } else if (kind === "binary_expression" && /^(\?\?|\|\|)$/.test(current.field("operator")?.text() ?? "")) {
      const left = current.field("left");
      if (!left) return current;
      current = left;
    } else return current;
  }
}

/** The function a node sits in; null at module level. */
export function enclosingFunction(node: SgNode): SgNode | null {
  return node.ancestors().find((a) => FUNCTION_KINDS.has(String(a.kind()))) ?? null;
}
/** Names bound at the top level of the module (const/let/var). */
export function moduleBindings(root: SgNode): Set<string> {
  const names = new Set<string>();
  for (const child of root.children()) {
    const statement = child.kind() === "export_statement" ? (child.field("declaration") ?? child) : child;
    if (statement.kind() !== "lexical_declaration" && statement.kind() !== "variable_declaration") continue;
    for (const d of statement.namedChildren()) {
      const name = d.kind() === "variable_declarator" ? d.field("name") : null;
      if (name?.kind() === "identifier") names.add(name.text());
    }
  }
  return names;
}

/** A node's text on one line, cut at 80 characters (the label of a finding's message). */
export function oneLineText(node: SgNode): string {
  return node.text().replace(/\s+/g, " ").slice(0, 80);
}

/** Whether a node is assigned to or deleted rather than read. */
export function isWrite(node: SgNode): boolean {
  const parent = node.parent();
  if (!parent) return false;
  if (
    (parent.kind() === "assignment_expression" || parent.kind() === "augmented_assignment_expression") &&
    sameNode(parent.field("left"), node)
  )
    return true;
  if (parent.kind() === "unary_expression" && parent.text().startsWith("delete")) return true;
  return false;
}
