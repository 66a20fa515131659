// The Python analyzer: the same rules as analyze-js.ts over tree-sitter-python's tree (@ast-grep/napi
// with @ast-grep/lang-python): os.environ / os.getenv, python-dotenv, ctx.config and settings objects,
// Redis and other stores, boto3 / hvac / keyring, eval / exec, subprocess, and where a value from
// ctx.secrets.get goes inside its handler.
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
  oneLine,
  report,
  vaultHint,
  type AnalyzeContext,
} from "./common";
import { isCredentialLike } from "./names";

const DOTENV_MODULES = /^(dotenv|decouple|environs|dotenv_values)$/;
const SECRET_STORE_MODULES: Record<string, string> = {
  hvac: "HashiCorp Vault (hvac)",
  keyring: "the OS keychain (keyring)",
  "google.cloud.secretmanager": "Google Secret Manager",
  "google.cloud.secretmanager_v1": "Google Secret Manager",
  "azure.keyvault.secrets": "Azure Key Vault",
  onepassword: "1Password",
  infisical_client: "Infisical",
};
const SDK_METHODS = new Set(["get", "set", "delete", "is_set", "meta", "rotate"]);
const SDK_WRITES = new Set(["set", "delete", "rotate"]);
const SUBPROCESS_FUNCTIONS =
  /^(subprocess\.)?(run|Popen|call|check_call|check_output|getoutput|getstatusoutput)$|^asyncio\.create_subprocess_(exec|shell)$/;
const INHERITING_OS_CALLS = /^os\.(system|popen|execv|execvp|execl|execlp|spawnv|spawnvp|spawnl|spawnlp|startfile)$/;
const CACHE_DECORATOR = /^@(functools\.)?(lru_cache|cache|cached_property)\b|^@(cachetools\.)?cached\b|^@alru_cache\b/;

/** The value of a string literal without interpolation (f-strings with `{…}` are computed); null otherwise. */
function literal(node: SgNode | null | undefined): string | null {
  if (!node || node.kind() !== "string") return null;
  if (node.find({ rule: { kind: "interpolation" } })) return null;
  return node
    .children()
    .filter((c) => c.kind() === "string_content" || c.kind() === "escape_sequence")
    .map((c) => c.text())
    .join("");
}

function staticTexts(node: SgNode): string[] {
  const own = literal(node);
  if (own !== null) return [own];
  return node.findAll({ rule: { kind: "string_content" } }).map((n) => n.text());
}

function positionalArgs(call: SgNode): SgNode[] {
  return (call.field("arguments")?.namedChildren() ?? []).filter((a) => a.kind() !== "keyword_argument" && a.kind() !== "comment");
}

function keywordArg(call: SgNode, name: string): SgNode | null {
  const kw = (call.field("arguments")?.namedChildren() ?? []).find(
    (a) => a.kind() === "keyword_argument" && a.field("name")?.text() === name,
  );
  return kw?.field("value") ?? null;
}

function sameNode(a: SgNode | null | undefined, b: SgNode): boolean {
  return !!a && a.id() === b.id();
}

function enclosingFunction(node: SgNode): SgNode | null {
  return node.ancestors().find((a) => a.kind() === "function_definition") ?? null;
}

function isAssignmentTarget(node: SgNode): boolean {
  const parent = node.parent();
  return (parent?.kind() === "assignment" || parent?.kind() === "augmented_assignment") && sameNode(parent.field("left"), node);
}

function unwrap(node: SgNode): SgNode {
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

function envReads(root: SgNode, ctx: AnalyzeContext, fromOs: Set<string>): void {
  const getters = ["os\\.environ\\.get", "os\\.getenv", "os\\.environ\\.setdefault", "os\\.environ\\.pop"];
  if (fromOs.has("environ")) getters.push("environ\\.get", "environ\\.setdefault");
  if (fromOs.has("getenv")) getters.push("getenv");
  for (const call of root.findAll({ rule: { kind: "call", has: { field: "function", regex: `^(${getters.join("|")})$` } } })) {
    const arg = positionalArgs(call)[0] ?? keywordArg(call, "key");
    const name = literal(arg);
    const fn = call.field("function")?.text() ?? "";
    if (name === null) report(ctx, "dynamic-env-access", call, `${fn}() reads an environment variable whose name is computed at run time.`);
    else if (isCredentialLike(name))
      report(ctx, "env-credential-read", call, `${fn}("${name}") reads ${name} from the environment.${vaultHint(ctx.declared, name)}`);
  }
  const environ = fromOs.has("environ") ? "^(os\\.)?environ$" : "^os\\.environ$";
  for (const sub of root.findAll({ rule: { kind: "subscript", has: { field: "value", regex: environ } } })) {
    if (isAssignmentTarget(sub) || sub.parent()?.kind() === "delete_statement") continue;
    const name = literal(sub.field("subscript"));
    if (name === null)
      report(
        ctx,
        "dynamic-env-access",
        sub,
        `${oneLine(sub.text(), 60)} reads an environment variable whose name is computed at run time.`,
      );
    else if (isCredentialLike(name))
      report(
        ctx,
        "env-credential-read",
        sub,
        `${oneLine(sub.text(), 60)} reads ${name} from the environment.${vaultHint(ctx.declared, name)}`,
      );
  }
  // The whole environment: dict(os.environ), os.environ.items(), {**os.environ}.
  const whole = root.findAll({
    rule: fromOs.has("environ")
      ? { any: [{ pattern: "os.environ" }, { kind: "identifier", regex: "^environ$" }] }
      : { pattern: "os.environ" },
  });
  for (const env of whole) {
    const parent = env.parent();
    if (!parent) continue;
    if (parent.kind() === "attribute" && sameNode(parent.field("object"), env)) {
      const attr = parent.field("attribute")?.text() ?? "";
      if (["get", "setdefault", "pop", "__setitem__", "update", "__contains__"].includes(attr)) continue;
      if (!["copy", "items", "keys", "values", "__iter__"].includes(attr)) continue;
      report(
        ctx,
        "dynamic-env-access",
        parent.parent() ?? parent,
        `${oneLine(parent.text(), 60)} reads the whole environment, so the scanner cannot tell which variables are read.`,
      );
      continue;
    }
    if (parent.kind() === "subscript" || (parent.kind() === "attribute" && !sameNode(parent.field("object"), env))) continue;
    if (parent.kind() === "keyword_argument" && parent.field("name")?.text() === "env") continue; // child-process-env
    if (parent.kind() === "import_from_statement" || parent.kind() === "dotted_name" || parent.kind() === "aliased_import") continue;
    if (parent.kind() === "comparison_operator") continue; // `"X" in os.environ`
    if (parent.kind() === "argument_list" || parent.kind() === "dictionary_splat" || parent.kind() === "list_splat") {
      const call = parent.kind() === "argument_list" ? parent.parent() : null;
      if (call && /^getattr$/.test(call.field("function")?.text() ?? "")) continue; // reported below
      report(
        ctx,
        "dynamic-env-access",
        parent.kind() === "argument_list" ? (call ?? env) : parent,
        `Uses the whole of ${env.text()}, so the scanner cannot tell which variables are read.`,
      );
    }
  }
  for (const call of root.findAll({ rule: { kind: "call", has: { field: "function", regex: "^getattr$" } } })) {
    const [target, name] = positionalArgs(call);
    if (!target || !name) continue;
    const t = target.text();
    const isEnv = /^(os|os\.environ|environ)$/.test(t);
    const isConfig = /(^|\.)(\w*config|\w*settings|conf|cfg|configuration)$/i.test(t);
    if (!isEnv && !isConfig) continue;
    const literalName = literal(name);
    if (literalName === null) {
      report(
        ctx,
        "dynamic-env-access",
        call,
        `getattr(${t}, …) reads ${isEnv ? "from the environment" : "a config value"} by a name computed at run time.`,
      );
    } else if (isCredentialLike(literalName) && isConfig) {
      report(
        ctx,
        "config-credential-read",
        call,
        `getattr(${t}, "${literalName}") reads ${literalName} from a config object.${vaultHint(ctx.declared, literalName)}`,
      );
    }
  }
}

interface PyImports {
  fromOs: Set<string>;
  fromSubprocess: Set<string>;
}

function moduleImports(root: SgNode, ctx: AnalyzeContext): PyImports {
  const result: PyImports = { fromOs: new Set(), fromSubprocess: new Set() };
  for (const site of root.findAll({ rule: { any: [{ kind: "import_statement" }, { kind: "import_from_statement" }] } })) {
    const modules: string[] = [];
    if (site.kind() === "import_statement") {
      for (const n of site.namedChildren()) modules.push((n.kind() === "aliased_import" ? n.field("name") : n)?.text() ?? "");
    } else {
      const moduleName = site.field("module_name")?.text() ?? "";
      modules.push(moduleName);
      const names = site
        .namedChildren()
        .filter((n) => !sameNode(site.field("module_name"), n))
        .map((n) => (n.kind() === "aliased_import" ? n.field("name") : n)?.text() ?? "");
      if (moduleName === "os") names.forEach((n) => result.fromOs.add(n));
      if (moduleName === "subprocess") names.forEach((n) => result.fromSubprocess.add(n));
      // `from google.cloud import secretmanager`
      for (const n of names) modules.push(`${moduleName}.${n}`);
    }
    for (const moduleName of modules) {
      const top = moduleName.split(".")[0] ?? moduleName;
      if (DOTENV_MODULES.test(top)) {
        report(ctx, "dotenv-load", site, `Imports ${top}, which loads a plaintext .env file of credentials into the process.`);
      }
      const store = SECRET_STORE_MODULES[moduleName] ?? SECRET_STORE_MODULES[top];
      if (store) report(ctx, "secret-store-client", site, `Reads credentials from ${store} instead of the vault.`);
    }
  }
  for (const call of root.findAll({ rule: { kind: "call", has: { field: "function", regex: "(^|\\.)(client|resource)$" } } })) {
    const service = literal(positionalArgs(call)[0] ?? keywordArg(call, "service_name"));
    if (service === "secretsmanager" || service === "ssm") {
      report(
        ctx,
        "secret-store-client",
        call,
        `Creates a boto3 ${service} client: reads credentials from AWS ${service === "ssm" ? "Systems Manager" : "Secrets Manager"} instead of the vault.`,
      );
    }
  }
  return result;
}

function dynamicCode(root: SgNode, ctx: AnalyzeContext): void {
  for (const call of root.findAll({
    rule: { kind: "call", has: { field: "function", regex: "^(eval|exec|compile|__import__|importlib\\.import_module|import_module)$" } },
  })) {
    const fn = call.field("function")?.text() ?? "";
    if (fn === "__import__" || /import_module$/.test(fn)) {
      if (literal(positionalArgs(call)[0]) === null)
        report(ctx, "dynamic-import", call, `${fn}() loads a module whose name is computed at run time.`);
      continue;
    }
    report(ctx, "dynamic-code", call, `${fn}(…) runs code the scanner cannot see.`);
  }
}

function childProcesses(root: SgNode, ctx: AnalyzeContext, found: PyImports): void {
  for (const call of root.findAll({
    rule: {
      kind: "call",
      has: { field: "function", regex: "(subprocess|os|asyncio)\\.[A-Za-z0-9_]+$|^(run|Popen|call|check_call|check_output)$" },
    },
  })) {
    const fn = call.field("function")?.text() ?? "";
    const bare = !fn.includes(".");
    if (bare && !found.fromSubprocess.has(fn)) continue;
    if (INHERITING_OS_CALLS.test(fn)) {
      report(ctx, "child-process-env", call, `${fn}() starts a process that inherits every variable of the environment.`);
      continue;
    }
    if (!SUBPROCESS_FUNCTIONS.test(fn)) continue;
    const env = keywordArg(call, "env");
    const whole = env && /^(os\.environ|environ|dict\(os\.environ\)|os\.environ\.copy\(\)|\{\s*\*\*os\.environ)/.test(env.text());
    if (!env || whole) {
      report(
        ctx,
        "child-process-env",
        call,
        `${fn}() starts a child process ${env ? "with the whole of os.environ" : "without env="}, so it inherits every variable of the environment.`,
      );
    }
  }
}

function configReads(root: SgNode, ctx: AnalyzeContext): void {
  const reported: SgNode[] = [];
  const nodes = root.findAll({
    rule: {
      any: [
        { kind: "attribute", has: { field: "object", regex: CONFIG_RECEIVER } },
        { kind: "subscript", has: { field: "value", regex: CONFIG_RECEIVER } },
      ],
    },
  });
  for (const node of nodes) {
    if (isAssignmentTarget(node)) continue;
    let name: string | null;
    let site = node;
    if (node.kind() === "attribute") {
      const attr = node.field("attribute")?.text() ?? "";
      const parent = node.parent();
      if (parent?.kind() === "call" && sameNode(parent.field("function"), node)) {
        if (!CONFIG_GETTERS.has(attr)) continue;
        name = literal(positionalArgs(parent)[0]);
        site = parent;
      } else name = attr;
    } else name = literal(node.field("subscript"));
    if (name === null || !isCredentialLike(name)) continue;
    if (reported.some((r) => r.range().start.index <= site.range().start.index && r.range().end.index >= site.range().end.index)) continue;
    reported.push(site);
    report(
      ctx,
      "config-credential-read",
      site,
      `${oneLine(site.text(), 80)} reads ${name} from a config object.${vaultHint(ctx.declared, name)}`,
    );
  }
}

function storeReads(root: SgNode, ctx: AnalyzeContext): void {
  const aliases = new Set<string>();
  for (const a of root.findAll({ rule: { kind: "assignment", has: { field: "right", regex: STORE_INITIALIZER } } })) {
    const left = a.field("left")?.text();
    if (left) aliases.add(left);
  }
  for (const call of root.findAll({ rule: { kind: "call", has: { field: "function", kind: "attribute" } } })) {
    const fn = call.field("function");
    const method = fn?.field("attribute")?.text() ?? "";
    if (!STORE_GETTERS.has(method)) continue;
    const receiver = fn?.field("object")?.text() ?? "";
    if (!isStoreReceiver(receiver, aliases) || /(^|\.)secrets$|config|settings|environ/i.test(receiver)) continue;
    const key = positionalArgs(call).flatMap(staticTexts).find(credentialKey);
    if (key !== undefined)
      report(ctx, "store-credential-read", call, `${oneLine(call.text(), 80)} reads the credential-like field "${key}" from ${receiver}.`);
  }
}

interface SdkCall {
  call: SgNode;
  method: string;
  ref: string | null;
}

function sdkCalls(root: SgNode, ctx: AnalyzeContext): SdkCall[] {
  const result: SdkCall[] = [];
  const calls = root.findAll({
    rule: { kind: "call", has: { field: "function", kind: "attribute", has: { field: "object", regex: "(^|\\.)secrets$" } } },
  });
  for (const call of calls) {
    const method = call.field("function")?.field("attribute")?.text() ?? "";
    if (!SDK_METHODS.has(method)) continue;
    const ref = literal(positionalArgs(call)[0] ?? keywordArg(call, "name"));
    result.push({ call, method, ref });
    if (!ctx.declared || ref === null) continue;
    const matches = declarationsFor(ctx.declared, ref);
    if (matches.length === 0)
      report(ctx, "sdk-undeclared-secret", call, `secrets.${method}("${ref}") names a secret the manifest does not declare.`);
    else if (SDK_WRITES.has(method) && matches.every((d) => d.writeMode === "user")) {
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

function moduleNames(root: SgNode): Set<string> {
  const names = new Set<string>();
  for (const statement of root.children()) {
    if (statement.kind() !== "expression_statement") continue;
    const assignment = statement.namedChildren()[0];
    const left = assignment?.kind() === "assignment" ? assignment.field("left") : null;
    if (left?.kind() === "identifier") names.add(left.text());
  }
  return names;
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

function secretFlows(root: SgNode, ctx: AnalyzeContext, calls: SdkCall[]): void {
  const gets = calls.filter((c) => c.method === "get");
  if (gets.length === 0) return;
  const globals = moduleNames(root);
  const flagged = new Set<string>();
  const flag = (rule: "secret-kept-beyond-handler" | "secret-logged" | "secret-returned", node: SgNode, message: string) => {
    const key = `${rule}:${node.range().start.index}`;
    if (flagged.has(key)) return;
    flagged.add(key);
    report(ctx, rule, node, message);
  };
  for (const { call, ref } of gets) {
    const fn = enclosingFunction(call);
    const what = ref ? `the value of secrets.get("${ref}")` : "a value from secrets.get";
    const declaredGlobal = new Set(
      fn ? fn.findAll({ rule: { kind: "global_statement" } }).flatMap((g) => g.namedChildren().map((n) => n.text())) : [],
    );
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
    let holder: SgNode = call;
    for (let p = call.parent(); p && sameNode(unwrap(p), call); p = p.parent()) holder = p;
    const parent = holder.parent();
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
    if (tainted.size === 0 || !fn) continue;
    const mentions = (text: string, name: string) => new RegExp(`(^|\\W)${escapeRegex(name)}($|\\W)`).test(text);
    for (const a of fn.findAll({ rule: { kind: "assignment" } })) {
      const left = a.field("left");
      const right = a.field("right");
      if (!right || left?.kind() !== "identifier" || tainted.has(left.text())) continue;
      const rightText = right.text();
      if ([...tainted].some((t) => mentions(rightText, t) && uses(right, t).some((u) => flowsOut(u, right)))) tainted.add(left.text());
    }
    for (const t of tainted) {
      for (const use of uses(fn, t)) {
        let previous: SgNode = use;
        for (const a of use.ancestors()) {
          if (sameNode(a, fn)) break;
          const kind = a.kind();
          if (kind === "assignment") {
            const right = a.field("right");
            const left = a.field("left");
            if (right && left && left.kind() !== "identifier" && previous.id() === right.id()) kept(left, a);
            break;
          }
          if (kind === "call" && previous.kind() === "argument_list") {
            const fnText = a.field("function")?.text() ?? "";
            if (LOGGER_CALL.test(fnText)) {
              flag("secret-logged", a, `Passes ${what} (held in ${t}) to ${fnText}().`);
              break;
            }
            if (/(^|\.)(cache|memo|store|redis|kv|lru)\w*\.(set|put|hset|setex|add)$/i.test(fnText)) {
              flag("secret-kept-beyond-handler", a, `Stores ${what} (held in ${t}) with ${fnText}(), where it outlives the handler.`);
              break;
            }
            // Through a call that only changes the value's form (str, .encode()), the value goes on; len() and
            // any other call take it.
            if (!TRANSPARENT_CALL.test(fnText) && !RESPONSE_CALL.test(fnText)) break;
          }
          if (kind === "return_statement") {
            if (flowsOut(use, a)) flag("secret-returned", a, `Returns ${what} (held in ${t}).`);
            break;
          }
          previous = a;
        }
      }
    }
  }
}

/** Words each group of Python rules needs in the source (see JS_GATES in analyze-js.ts). */
export const PY_GATES = {
  env: /environ|getenv|getattr/,
  imports: /dotenv|decouple|environs|hvac|keyring|secretmanager|keyvault|onepassword|infisical|secretsmanager|\bssm\b|subprocess|\bos\b/,
  config: /config|settings|\bconf\b|\bcfg\b/i,
  store: /redis|cache|kv|memcache|valkey|keyv|store|storage|db|shel(f|ve)|createClient/i,
  code: /\beval\b|\bexec\b|\bcompile\b|__import__|import_module/,
  sdk: /\bsecrets\b/,
};

/** Whether any Python rule could match this text (otherwise the file is not parsed). */
export function pyMayMatch(text: string): boolean {
  return Object.values(PY_GATES).some((gate) => gate.test(text));
}

/** Runs every Python rule over one parsed file (`text` is its source, for the gates). */
export function analyzePython(root: SgNode, ctx: AnalyzeContext, text: string): void {
  const found =
    PY_GATES.imports.test(text) || PY_GATES.env.test(text)
      ? moduleImports(root, ctx)
      : { fromOs: new Set<string>(), fromSubprocess: new Set<string>() };
  if (PY_GATES.env.test(text)) envReads(root, ctx, found.fromOs);
  if (PY_GATES.imports.test(text)) childProcesses(root, ctx, found);
  if (PY_GATES.config.test(text)) configReads(root, ctx);
  if (PY_GATES.store.test(text)) storeReads(root, ctx);
  if (PY_GATES.code.test(text)) dynamicCode(root, ctx);
  if (PY_GATES.sdk.test(text)) secretFlows(root, ctx, sdkCalls(root, ctx));
}
