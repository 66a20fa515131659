// The JavaScript / TypeScript / JSX / TSX analyzer: walks a tree-sitter tree (through @ast-grep/napi)
// and reports the read sites of rules.ts. Each rule is one or two ast-grep queries run natively over the
// tree; only the matches cross into JavaScript, where names are judged (names.ts) and values followed.
import type { SgNode } from "@ast-grep/napi";
import { configAccesses, reportOutermost, sameNode, storeCredentialKey } from "./analyze-shared";
import { jsSecretRules } from "./analyze-js-secrets";
import { CONFIG_GETTERS, STORE_INITIALIZER, STORE_GETTERS, report, vaultHint, type AnalyzeContext } from "./common";
import { firstArgument, isWrite, literal, oneLineText, staticTexts } from "./js-nodes";
import { isCredentialLike } from "./names";
import { mentionsDeno, type RuleGroup } from "./prefilter";

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
  const nodes = configAccesses(root, "member_expression", { kind: "subscript_expression", object: "object" });
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
    reportOutermost(ctx, reported, site, `${oneLineText(site)} reads ${name} from a config object.${vaultHint(ctx.declared, name)}`);
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
    const args = call.field("arguments")?.namedChildren() ?? [];
    const key = storeCredentialKey(receiver, aliases, "js", args.flatMap(staticTexts));
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

/**
 * Runs the given groups of JavaScript/TypeScript rules over one parsed file (`text` is its source: the
 * Deno query runs only when it names Deno). Which groups can report is the prefilter's call (scan.ts).
 */
export function analyzeJs(root: SgNode, ctx: AnalyzeContext, groups: readonly RuleGroup[], text: string): void {
  if (groups.includes("env")) envAccesses(root, ctx, mentionsDeno(text));
  if (groups.includes("imports")) {
    const found = imports(root, ctx);
    childProcesses(root, ctx, found);
  }
  if (groups.includes("config")) configReads(root, ctx);
  if (groups.includes("store")) storeReads(root, ctx);
  if (groups.includes("code")) dynamicCode(root, ctx);
  if (groups.includes("sdk")) jsSecretRules(root, ctx);
}
