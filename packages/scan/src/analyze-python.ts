// The Python analyzer: the same rules as analyze-js.ts over tree-sitter-python's tree (@ast-grep/napi
// with @ast-grep/lang-python): os.environ / os.getenv, python-dotenv, ctx.config and settings objects,
// Redis and other stores, boto3 / hvac / keyring, eval / exec, subprocess, and where a value from
// ctx.secrets.get goes inside its handler.
import type { SgNode } from "@ast-grep/napi";
import { pySecretRules } from "./analyze-python-secrets";
import { configAccesses, reportOutermost, sameNode, storeCredentialKey } from "./analyze-shared";
import { CONFIG_GETTERS, STORE_GETTERS, STORE_INITIALIZER, oneLine, report, vaultHint, type AnalyzeContext } from "./common";
import { isCredentialLike } from "./names";
import type { RuleGroup } from "./prefilter";
import { isAssignmentTarget, keywordArg, literal, positionalArgs, staticTexts } from "./python-nodes";

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
const SUBPROCESS_FUNCTIONS =
  /^(subprocess\.)?(run|Popen|call|check_call|check_output|getoutput|getstatusoutput)$|^asyncio\.create_subprocess_(exec|shell)$/;
const INHERITING_OS_CALLS = /^os\.(system|popen|execv|execvp|execl|execlp|spawnv|spawnvp|spawnl|spawnlp|startfile)$/;

/** `os.environ.get("X")`, `os.getenv("X")` and their `from os import …` forms. */
function envGetterCalls(root: SgNode, ctx: AnalyzeContext, fromOs: Set<string>): void {
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
}

/** `os.environ["X"]` (reads only, not assignments or deletes). */
function environSubscripts(root: SgNode, ctx: AnalyzeContext, fromOs: Set<string>): void {
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
}

/** The whole environment: dict(os.environ), os.environ.items(), {**os.environ}. */
function wholeEnviron(root: SgNode, ctx: AnalyzeContext, fromOs: Set<string>): void {
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
}

/** `getattr(os.environ, name)` and `getattr(settings, name)`. */
function getattrReads(root: SgNode, ctx: AnalyzeContext): void {
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

function envReads(root: SgNode, ctx: AnalyzeContext, fromOs: Set<string>): void {
  envGetterCalls(root, ctx, fromOs);
  environSubscripts(root, ctx, fromOs);
  wholeEnviron(root, ctx, fromOs);
  getattrReads(root, ctx);
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
  const nodes = configAccesses(root, "attribute", { kind: "subscript", object: "value" });
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
    reportOutermost(ctx, reported, site, `${oneLine(site.text(), 80)} reads ${name} from a config object.${vaultHint(ctx.declared, name)}`);
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
    const key = storeCredentialKey(receiver, aliases, "python", positionalArgs(call).flatMap(staticTexts));
    if (key !== undefined)
      report(ctx, "store-credential-read", call, `${oneLine(call.text(), 80)} reads the credential-like field "${key}" from ${receiver}.`);
  }
}

/** Runs the given groups of Python rules over one parsed file (the prefilter picks them: scan.ts). */
export function analyzePython(root: SgNode, ctx: AnalyzeContext, groups: readonly RuleGroup[]): void {
  const has = (group: RuleGroup) => groups.includes(group);
  const found = has("imports") || has("env") ? moduleImports(root, ctx) : { fromOs: new Set<string>(), fromSubprocess: new Set<string>() };
  if (has("env")) envReads(root, ctx, found.fromOs);
  if (has("imports")) childProcesses(root, ctx, found);
  if (has("config")) configReads(root, ctx);
  if (has("store")) storeReads(root, ctx);
  if (has("code")) dynamicCode(root, ctx);
  if (has("sdk")) pySecretRules(root, ctx);
}
