// The JavaScript / TypeScript / JSX / TSX analyzer: walks a tree-sitter tree (through @ast-grep/napi)
// and reports the read sites of rules.ts. Each rule is one or two ast-grep queries run natively over the
// tree; only the matches cross into JavaScript, where names are judged (names.ts) and values followed.
import type { SgNode } from "@ast-grep/napi";
import {
  CONFIG_GETTERS,
  CONFIG_RECEIVER,
  LOGGER_CALL,
  RESPONSE_CALL,
  TRANSPARENT_CALL,
  STORE_GETTERS,
  STORE_INITIALIZER,
  credentialKey,
  declarationsFor,
  escapeRegex,
  isStoreReceiver,
  report,
  vaultHint,
  type AnalyzeContext,
} from "./common";
import { isCredentialLike } from "./names";

const DOTENV_MODULES =
  /^(dotenv|dotenv\/config|dotenv-flow|dotenv-flow\/config|dotenv-safe|dotenv-expand|@dotenvx\/dotenvx|@dotenvx\/dotenvx\/config|env-cmd)$/;
const SECRET_STORE_MODULES: Record<string, string> = {
  "@aws-sdk/client-secrets-manager": "AWS Secrets Manager",
  "@aws-sdk/client-ssm": "AWS Systems Manager Parameter Store",
  "node-vault": "HashiCorp Vault (node-vault)",
  "hashi-vault-js": "HashiCorp Vault",
  keytar: "the OS keychain (keytar)",
  "@napi-rs/keyring": "the OS keychain",
  "@google-cloud/secret-manager": "Google Secret Manager",
  "@azure/keyvault-secrets": "Azure Key Vault",
  "@1password/sdk": "1Password",
  "@infisical/sdk": "Infisical",
  "@doppler/node-sdk": "Doppler",
};
const CHILD_PROCESS_MODULES = /^(node:)?child_process$|^(execa|cross-spawn)$/;
const CHILD_PROCESS_FUNCTIONS = new Set([
  "spawn",
  "spawnSync",
  "exec",
  "execSync",
  "execFile",
  "execFileSync",
  "fork",
  "execa",
  "execaSync",
  "execaCommand",
  "execaCommandSync",
  "execaNode",
  "$",
]);
const FUNCTION_KINDS = new Set<string>([
  "function_declaration",
  "function_expression",
  "function",
  "arrow_function",
  "method_definition",
  "generator_function_declaration",
  "generator_function",
]);
const SDK_METHODS = new Set(["get", "set", "delete", "isSet", "meta", "rotate"]);
const SDK_WRITES = new Set(["set", "delete", "rotate"]);

/** The literal value of a string or template (without substitutions) node; null when computed. */
function literal(node: SgNode | null | undefined): string | null {
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
function staticTexts(node: SgNode): string[] {
  const own = literal(node);
  if (own !== null) return [own];
  return node
    .findAll({ rule: { any: [{ kind: "string_fragment" }, { kind: "string" }] } })
    .map((n) => (n.kind() === "string" ? n.text().slice(1, -1) : n.text()));
}

function firstArgument(call: SgNode): SgNode | null {
  const args = call.field("arguments");
  return args?.namedChildren().find((c) => c.kind() !== "comment") ?? null;
}

/** Unwraps `await x`, `(x)`, `x!`, `x as T`, `x ?? y`, `x || y` to the expression that yields the value. */
function unwrap(node: SgNode): SgNode {
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

function enclosingFunction(node: SgNode): SgNode | null {
  return node.ancestors().find((a) => FUNCTION_KINDS.has(String(a.kind()))) ?? null;
}

function sameNode(a: SgNode | null | undefined, b: SgNode): boolean {
  return !!a && a.id() === b.id();
}

/** Names bound at the top level of the module (const/let/var). */
function moduleBindings(root: SgNode): Set<string> {
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

function envAccesses(root: SgNode, ctx: AnalyzeContext, deno: boolean): void {
  const envNodes = root.findAll({ rule: { any: [{ pattern: "process.env" }, { pattern: "import.meta.env" }, { pattern: "Bun.env" }] } });
  for (const env of envNodes) {
    const parent = env.parent();
    if (!parent) continue;
    const kind = parent.kind();
    if (kind === "member_expression" && sameNode(parent.field("object"), env)) {
      const name = parent.field("property")?.text() ?? "";
      if (isWrite(parent)) continue;
      if (isCredentialLike(name)) {
        report(
          ctx,
          "env-credential-read",
          parent,
          `${env.text()}.${name} reads ${name} from the environment.${vaultHint(ctx.declared, name)}`,
        );
      }
    } else if (kind === "subscript_expression" && sameNode(parent.field("object"), env)) {
      if (isWrite(parent)) continue;
      const index = parent.field("index");
      const name = literal(index);
      if (name === null) {
        report(
          ctx,
          "dynamic-env-access",
          parent,
          `${oneLineText(parent)} reads an environment variable whose name is computed at run time.`,
        );
      } else if (isCredentialLike(name)) {
        report(
          ctx,
          "env-credential-read",
          parent,
          `${oneLineText(parent)} reads ${name} from the environment.${vaultHint(ctx.declared, name)}`,
        );
      }
    } else if (kind === "variable_declarator" && sameNode(parent.field("value"), env)) {
      const pattern = parent.field("name");
      if (pattern?.kind() !== "object_pattern") continue;
      for (const prop of pattern.namedChildren()) {
        const keyNode =
          prop.kind() === "pair_pattern" ? prop.field("key") : prop.kind() === "object_assignment_pattern" ? prop.field("left") : prop;
        if (!keyNode || prop.kind() === "rest_pattern") {
          if (prop.kind() === "rest_pattern")
            report(ctx, "dynamic-env-access", prop, "Collects the rest of the environment into an object the scanner cannot follow.");
          continue;
        }
        const name = literal(keyNode) ?? keyNode.text();
        if (isCredentialLike(name)) {
          report(ctx, "env-credential-read", prop, `Destructures ${name} from ${env.text()}.${vaultHint(ctx.declared, name)}`);
        }
      }
    } else if (kind === "pair" && parent.field("key")?.text() === "env" && insideChildProcessCall(parent)) {
      // Reported by child-process-env.
    } else if (
      kind === "spread_element" &&
      parent.parent()?.parent()?.kind() === "pair" &&
      parent.parent()?.parent()?.field("key")?.text() === "env"
    ) {
      // `env: { ...process.env, X }` in a child-process call: reported by child-process-env.
    } else if (kind !== "member_expression" && kind !== "subscript_expression") {
      report(ctx, "dynamic-env-access", env, `Uses the whole of ${env.text()}, so the scanner cannot tell which variables are read.`);
    }
  }
  for (const call of deno ? root.findAll({ rule: { pattern: "Deno.env.get($N)" } }) : []) {
    const name = literal(call.getMatch("N"));
    if (name === null) report(ctx, "dynamic-env-access", call, "Reads an environment variable whose name is computed at run time.");
    else if (isCredentialLike(name))
      report(ctx, "env-credential-read", call, `Reads ${name} from the environment.${vaultHint(ctx.declared, name)}`);
  }
}

function oneLineText(node: SgNode): string {
  return node.text().replace(/\s+/g, " ").slice(0, 80);
}

function isWrite(node: SgNode): boolean {
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

function insideChildProcessCall(node: SgNode): boolean {
  return node
    .ancestors()
    .some((a) => a.kind() === "call_expression" && /(spawn|exec|fork|execa)\w*$/.test(a.field("function")?.text() ?? ""));
}

interface Imports {
  childProcess: Set<string>;
  childProcessNamespaces: Set<string>;
}

function imports(root: SgNode, ctx: AnalyzeContext): Imports {
  const result: Imports = { childProcess: new Set(), childProcessNamespaces: new Set() };
  const sites = root.findAll({
    rule: {
      any: [
        { kind: "import_statement" },
        { kind: "call_expression", has: { field: "function", regex: "^require$" } },
        // `import` is an anonymous node, which `has` does not see: match the call's text instead.
        { kind: "call_expression", regex: "^import\\s*\\(" },
      ],
    },
  });
  for (const site of sites) {
    let moduleName: string | null;
    if (site.kind() === "import_statement") {
      moduleName = literal(site.field("source"));
    } else {
      const arg = firstArgument(site);
      moduleName = literal(arg);
      if (moduleName === null) {
        report(ctx, "dynamic-import", site, `${site.field("function")?.text()}() loads a module whose name is computed at run time.`);
        continue;
      }
    }
    if (moduleName === null) continue;
    if (DOTENV_MODULES.test(moduleName)) {
      report(ctx, "dotenv-load", site, `Loads ${moduleName}, which copies a plaintext .env file of credentials into the environment.`);
    }
    const store = SECRET_STORE_MODULES[moduleName];
    if (store) report(ctx, "secret-store-client", site, `Reads credentials from ${store} instead of the vault.`);
    if (CHILD_PROCESS_MODULES.test(moduleName)) {
      const bindingSite =
        site.kind() === "import_statement" ? site : (site.ancestors().find((a) => a.kind() === "variable_declarator") ?? null);
      if (!bindingSite) continue;
      const target = site.kind() === "import_statement" ? site.find({ rule: { kind: "import_clause" } }) : bindingSite.field("name");
      if (!target) continue;
      if (target.kind() === "identifier") {
        // const cp = require("child_process") / execa default import
        if (/^(execa|cross-spawn)$/.test(moduleName)) result.childProcess.add(target.text());
        else result.childProcessNamespaces.add(target.text());
      }
      for (const id of target.findAll({ rule: { any: [{ kind: "identifier" }, { kind: "shorthand_property_identifier_pattern" }] } })) {
        const parent = id.parent();
        const namespace = parent?.kind() === "namespace_import";
        const isDefault = parent?.kind() === "import_clause";
        if (namespace || (isDefault && !/^(execa|cross-spawn)$/.test(moduleName))) result.childProcessNamespaces.add(id.text());
        else result.childProcess.add(id.text());
      }
    }
  }
  for (const call of root.findAll({
    rule: { kind: "new_expression", has: { field: "constructor", regex: "^(AWS\\.)?(SecretsManager|SSM)$" } },
  })) {
    report(ctx, "secret-store-client", call, "Reads credentials from AWS Secrets Manager / SSM instead of the vault.");
  }
  return result;
}

function childProcesses(root: SgNode, ctx: AnalyzeContext, found: Imports): void {
  if (found.childProcess.size === 0 && found.childProcessNamespaces.size === 0) return;
  for (const call of root.findAll({ rule: { kind: "call_expression" } })) {
    const fn = call.field("function");
    if (!fn) continue;
    const text = fn.text();
    let name: string | null = null;
    if (fn.kind() === "identifier" && found.childProcess.has(text)) name = text;
    else if (fn.kind() === "member_expression") {
      const object = fn.field("object")?.text() ?? "";
      const property = fn.field("property")?.text() ?? "";
      if (found.childProcessNamespaces.has(object) && CHILD_PROCESS_FUNCTIONS.has(property)) name = `${object}.${property}`;
    }
    if (!name) continue;
    const execa = /execa|^\$$/.test(name);
    const options =
      call
        .field("arguments")
        ?.namedChildren()
        .filter((a) => a.kind() === "object") ?? [];
    const envPair = options.flatMap((o) => o.namedChildren()).find((p) => p.kind() === "pair" && p.field("key")?.text() === "env");
    const extendEnvOff = options.some((o) => /extendEnv\s*:\s*false/.test(o.text()));
    const envValue = envPair?.field("value");
    const wholeEnv = envValue && /^(process\.env|\{\s*\.\.\.process\.env\b)/.test(envValue.text());
    if (!envPair || wholeEnv || (execa && !extendEnvOff)) {
      const how = !envPair ? "without an explicit env" : wholeEnv ? "with the whole of process.env" : "with execa's default extendEnv";
      report(ctx, "child-process-env", call, `${name}() starts a child process ${how}, so it inherits every variable of the environment.`);
    }
  }
}

function configReads(root: SgNode, ctx: AnalyzeContext): void {
  const reported: SgNode[] = [];
  const nodes = root.findAll({
    rule: {
      any: [
        { kind: "member_expression", has: { field: "object", regex: CONFIG_RECEIVER } },
        { kind: "subscript_expression", has: { field: "object", regex: CONFIG_RECEIVER } },
      ],
    },
  });
  for (const node of nodes) {
    const object = node.field("object")?.text() ?? "";
    if (/process\.env|import\.meta\.env/.test(object)) continue;
    if (isWrite(node)) continue;
    let name: string | null;
    let site = node;
    if (node.kind() === "member_expression") {
      const property = node.field("property")?.text() ?? "";
      const parent = node.parent();
      if (parent?.kind() === "call_expression" && sameNode(parent.field("function"), node)) {
        if (!CONFIG_GETTERS.has(property)) continue;
        name = literal(firstArgument(parent));
        site = parent;
      } else name = property;
    } else name = literal(node.field("index"));
    if (name === null || !isCredentialLike(name)) continue;
    // `config.spotify.clientSecret` matches twice (config.spotify, and .clientSecret on it): report the outermost.
    if (reported.some((r) => r.range().start.index <= site.range().start.index && r.range().end.index >= site.range().end.index)) continue;
    reported.push(site);
    report(ctx, "config-credential-read", site, `${oneLineText(site)} reads ${name} from a config object.${vaultHint(ctx.declared, name)}`);
  }
}

function storeReads(root: SgNode, ctx: AnalyzeContext): void {
  const aliases = new Set<string>();
  for (const d of root.findAll({ rule: { kind: "variable_declarator", has: { field: "value", regex: STORE_INITIALIZER } } })) {
    const name = d.field("name");
    if (name?.kind() === "identifier") aliases.add(name.text());
  }
  for (const a of root.findAll({ rule: { kind: "assignment_expression", has: { field: "right", regex: STORE_INITIALIZER } } })) {
    const left = a.field("left")?.text();
    if (left) aliases.add(left);
  }
  const calls = root.findAll({ rule: { kind: "call_expression", has: { field: "function", kind: "member_expression" } } });
  for (const call of calls) {
    const fn = call.field("function");
    const method = fn?.field("property")?.text() ?? "";
    if (!STORE_GETTERS.has(method)) continue;
    const receiver = fn?.field("object")?.text() ?? "";
    if (!isStoreReceiver(receiver, aliases) || /(^|\.)secrets$|config|settings/i.test(receiver)) continue;
    const args = call.field("arguments")?.namedChildren() ?? [];
    const key = args.flatMap(staticTexts).find(credentialKey);
    if (key !== undefined) {
      report(ctx, "store-credential-read", call, `${oneLineText(call)} reads the credential-like field "${key}" from ${receiver}.`);
    }
  }
}

function dynamicCode(root: SgNode, ctx: AnalyzeContext): void {
  const nodes = root.findAll({
    rule: {
      any: [
        { kind: "call_expression", has: { field: "function", regex: "^((window|globalThis|global)\\.)?(eval|Function)$" } },
        { kind: "new_expression", has: { field: "constructor", regex: "^((window|globalThis|global)\\.)?Function$" } },
        {
          kind: "call_expression",
          has: { field: "function", regex: "^vm\\.(runInNewContext|runInThisContext|runInContext|compileFunction)$" },
        },
        { kind: "new_expression", has: { field: "constructor", regex: "^vm\\.Script$" } },
      ],
    },
  });
  for (const node of nodes) {
    report(ctx, "dynamic-code", node, `${oneLineText(node).split("(")[0]}(…) runs code the scanner cannot see.`);
  }
}

interface SdkCall {
  call: SgNode;
  method: string;
  ref: string | null;
}

function sdkCalls(root: SgNode, ctx: AnalyzeContext): SdkCall[] {
  const calls = root.findAll({
    rule: {
      kind: "call_expression",
      has: { field: "function", kind: "member_expression", has: { field: "object", regex: "(^|\\.)secrets$" } },
    },
  });
  const result: SdkCall[] = [];
  for (const call of calls) {
    const method = call.field("function")?.field("property")?.text() ?? "";
    if (!SDK_METHODS.has(method)) continue;
    const ref = literal(firstArgument(call));
    result.push({ call, method, ref });
    if (!ctx.declared || ref === null) continue;
    const matches = declarationsFor(ctx.declared, ref);
    if (matches.length === 0) {
      report(ctx, "sdk-undeclared-secret", call, `secrets.${method}("${ref}") names a secret the manifest does not declare.`);
    } else if (SDK_WRITES.has(method) && matches.every((d) => d.writeMode === "user")) {
      const d = matches[0];
      report(
        ctx,
        "sdk-user-secret-write",
        call,
        `secrets.${method}("${ref}") writes ${d?.scope}.${d?.name}, whose write_mode is user: only the user may set it.`,
      );
    }
  }
  return result;
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

function secretFlows(root: SgNode, ctx: AnalyzeContext, calls: SdkCall[]): void {
  const gets = calls.filter((c) => c.method === "get");
  if (gets.length === 0) return;
  const moduleNames = moduleBindings(root);
  const flagged = new Set<string>();
  const flag = (rule: "secret-kept-beyond-handler" | "secret-logged" | "secret-returned", node: SgNode, message: string) => {
    const key = `${rule}:${node.id()}`;
    if (flagged.has(key)) return;
    flagged.add(key);
    report(ctx, rule, node, message);
  };
  for (const { call, ref } of gets) {
    const fn = enclosingFunction(call);
    const what = ref ? `the value of secrets.get("${ref}")` : "a value from secrets.get";
    // Climb from the call to the expression whose value is the secret.
    let holder: SgNode = call;
    for (let p = call.parent(); p && sameNode(unwrap(p), call); p = p.parent()) holder = p;
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
    if (tainted.size === 0 || !fn) continue;
    const mentions = (text: string, name: string) => new RegExp(`(^|[^\\w$])${escapeRegex(name)}($|[^\\w$])`).test(text);
    // One hop of derivation: `const prefix = apiKey.slice(0, 5)` carries the secret too.
    for (const d of fn.findAll({ rule: { kind: "variable_declarator" } })) {
      const value = d.field("value");
      const name = d.field("name");
      if (!value || name?.kind() !== "identifier" || tainted.has(name.text())) continue;
      const valueText = value.text();
      if ([...tainted].some((t) => mentions(valueText, t) && uses(value, t).some((u) => flowsOut(u, value)))) tainted.add(name.text());
    }
    for (const t of tainted) {
      for (const use of uses(fn, t)) traceUse(use, t, fn, what, moduleNames, flag);
    }
  }
}

/** Follows one use of a variable holding a secret up to where it is logged, returned, sent or kept. */
function traceUse(
  use: SgNode,
  t: string,
  fn: SgNode,
  what: string,
  moduleNames: Set<string>,
  flag: (rule: "secret-kept-beyond-handler" | "secret-logged" | "secret-returned", node: SgNode, message: string) => void,
): void {
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
      if (LOGGER_CALL.test(fnText)) return flag("secret-logged", a, `Passes ${what} (held in ${t}) to ${fnText}().`);
      if (/^(res|response|reply|ctx|c)\.(json|send|end|write|body)$/.test(fnText))
        return flag("secret-returned", a, `Sends ${what} (held in ${t}) in a response.`);
      if (
        /(^|\.)(cache|memo|store|redis|kv|lru)\w*\.(set|put|hset|setex|add)$/i.test(fnText) ||
        (/\.set$/.test(fnText) && moduleNames.has(fnText.split(".")[0] ?? ""))
      ) {
        return flag("secret-kept-beyond-handler", a, `Stores ${what} (held in ${t}) with ${fnText}(), where it outlives the handler.`);
      }
      // Through a call that only changes the value's form, the value goes on; any other call takes it.
      if (!TRANSPARENT_CALL.test(fnText) && !RESPONSE_CALL.test(fnText)) return;
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
  flag: (rule: "secret-kept-beyond-handler", node: SgNode, message: string) => void,
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

/**
 * Words each group of rules needs in the source: a rule group whose words are absent cannot match, so it
 * is not run, and a file with none of them is not parsed at all (scan.ts). Kept in step with the queries
 * above: every API, receiver and module name a rule looks for appears here.
 */
export const JS_GATES = {
  env: /\.env\b/,
  imports:
    /dotenv|env-cmd|secrets-manager|client-ssm|node-vault|hashi-vault|keytar|keyring|secret-manager|keyvault|1password|infisical|doppler|child_process|execa|cross-spawn|SecretsManager|\bSSM\b|require\(\s*[^'"\s)]|import\(\s*[^'"\s)]/,
  config: /config|settings|\bconf\b|\bcfg\b/i,
  store: /redis|cache|kv|memcache|valkey|keyv|store|storage|db|shel(f|ve)|createClient/i,
  code: /\beval\b|\bFunction\b|\bvm\./,
  sdk: /\bsecrets\b/,
};

/** Whether any JavaScript rule could match this text (otherwise the file is not parsed). */
export function jsMayMatch(text: string): boolean {
  return Object.values(JS_GATES).some((gate) => gate.test(text));
}

/** Runs every JavaScript/TypeScript rule over one parsed file (`text` is its source, for the gates). */
export function analyzeJs(root: SgNode, ctx: AnalyzeContext, text: string): void {
  if (JS_GATES.env.test(text)) envAccesses(root, ctx, text.includes("Deno.env"));
  if (JS_GATES.imports.test(text)) {
    const found = imports(root, ctx);
    childProcesses(root, ctx, found);
  }
  if (JS_GATES.config.test(text)) configReads(root, ctx);
  if (JS_GATES.store.test(text)) storeReads(root, ctx);
  if (JS_GATES.code.test(text)) dynamicCode(root, ctx);
  if (JS_GATES.sdk.test(text)) secretFlows(root, ctx, sdkCalls(root, ctx));
}
