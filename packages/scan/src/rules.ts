// The scanner's rule catalogue: every rule has a stable id, a severity, a one-line title, an
// explanation of why it matters and a hint on how to fix it. The version page, the CLI's output and
// SARIF's `tool.driver.rules` are all rendered from this table, so they always say the same thing.

/** `block` stops a publish; `warn` is shown to the publisher and reviewers but does not. */
export type Severity = "block" | "warn";

export type RuleId =
  | "env-credential-read"
  | "dotenv-load"
  | "config-credential-read"
  | "store-credential-read"
  | "secret-store-client"
  | "hardcoded-credential"
  | "sdk-undeclared-secret"
  | "sdk-user-secret-write"
  | "dynamic-env-access"
  | "dynamic-code"
  | "dynamic-import"
  | "child-process-env"
  | "secret-kept-beyond-handler"
  | "secret-logged"
  | "secret-returned";

export interface Rule {
  id: RuleId;
  severity: Severity;
  /** One line: what the rule finds. */
  title: string;
  /** Why it matters (shown as "Why"). */
  explanation: string;
  /** What to do instead (shown as "How to fix"). */
  fix: string;
}

const SDK_FIX = "Declare the name in the manifest (secrets[] or credentials.ext[]) and read it inside the handler with secrets.get.";

export const RULES: Record<RuleId, Rule> = {
  "env-credential-read": {
    id: "env-credential-read",
    severity: "block",
    title: "Credential read from the environment",
    explanation:
      "The value comes from a plaintext environment variable, not from the vault: it is not encrypted at rest, not scoped to the user or organization, not audited, and after a migration to the vault this is the read site that still returns the old (or no) value.",
    fix: SDK_FIX,
  },
  "dotenv-load": {
    id: "dotenv-load",
    severity: "block",
    title: "Loads a .env file",
    explanation:
      "A dotenv loader copies a plaintext file of credentials into the environment, so every credential in it bypasses the vault, and the file tends to ship with the extension.",
    fix: "Remove the loader and the .env file from what ships; declare each credential in the manifest and read it with secrets.get.",
  },
  "config-credential-read": {
    id: "config-credential-read",
    severity: "block",
    title: "Credential read from a config object",
    explanation:
      'Config objects (the legacy platform config `ctx.config`, settings modules, config files) are plaintext stores. After a migration to the vault the save works and the vault row exists, but this read still returns the old plaintext value, or nothing: users then see "credentials not configured".',
    fix: SDK_FIX,
  },
  "store-credential-read": {
    id: "store-credential-read",
    severity: "block",
    title: "Credential read from a cache or key-value store",
    explanation:
      "A credential kept in a cache or key-value store (Redis, a KV namespace, electron-store, localStorage) is stored in plaintext outside the vault, readable by anyone with access to the store and invisible to the audit trail.",
    fix: SDK_FIX,
  },
  "secret-store-client": {
    id: "secret-store-client",
    severity: "block",
    title: "Another secret store used directly",
    explanation:
      "Reading credentials from another secret store (AWS Secrets Manager or SSM, HashiCorp Vault, Google Secret Manager, Azure Key Vault, the OS keychain) bypasses Latchkey's per-user scoping, rotation and audit trail, and needs credentials of its own.",
    fix: "Move the credential into Latchkey: declare it in the manifest, set it in the Publisher Dashboard (ext.*) or let users set it (user.*/org.*), and read it with secrets.get.",
  },
  "hardcoded-credential": {
    id: "hardcoded-credential",
    severity: "block",
    title: "Hard-coded credential",
    explanation:
      "A value in a well-known credential format (a cloud access key, an API token, a private key) is written into a file that ships: everyone who installs or reviews the extension can read it, and it cannot be rotated without a new version.",
    fix: "Revoke the credential at its provider now, remove it from the source, declare it in the manifest and read it with secrets.get.",
  },
  "sdk-undeclared-secret": {
    id: "sdk-undeclared-secret",
    severity: "block",
    title: "Secret name not declared in the manifest",
    explanation:
      "The runtime refuses names the manifest does not declare (secret_not_declared), so this call fails for every user; it usually means a typo or a declaration that was forgotten in a migration.",
    fix: "Declare the name in the manifest (secrets[] for user/org secrets, credentials.ext[] for partner credentials) or fix the name in the call.",
  },
  "sdk-user-secret-write": {
    id: "sdk-user-secret-write",
    severity: "block",
    title: "Extension writes a user-entered secret",
    explanation:
      "A secret with write_mode: user is entered by the user in the panel; the runtime refuses writes to it from the extension (secret_write_forbidden), and an extension that could overwrite it could replace a user's credential with its own.",
    fix: "Set write_mode: extension (or both) in the manifest if the extension is meant to write it, or stop writing it.",
  },
  "dynamic-env-access": {
    id: "dynamic-env-access",
    severity: "warn",
    title: "Environment access the scanner cannot see through",
    explanation:
      "The name is computed at run time (process.env[name], getattr(os, name)) or the whole environment is read, so the scanner cannot tell whether a credential is read here.",
    fix: "Read the names you need with literal names, and credentials through secrets.get.",
  },
  "dynamic-code": {
    id: "dynamic-code",
    severity: "warn",
    title: "Code evaluated at run time",
    explanation: "eval, new Function and exec run code the scanner never sees, which can read any credential.",
    fix: "Replace the evaluated code with ordinary code.",
  },
  "dynamic-import": {
    id: "dynamic-import",
    severity: "warn",
    title: "Module loaded by a computed name",
    explanation: "A module whose name is computed at run time is code the scanner cannot follow.",
    fix: "Import modules by literal names.",
  },
  "child-process-env": {
    id: "child-process-env",
    severity: "warn",
    title: "Child process inherits the whole environment",
    explanation:
      "A child process started without an explicit env (or with all of process.env / os.environ) receives every variable of the extension's environment, including any credential in it.",
    fix: "Pass an explicit env with only the variables the child needs (e.g. { PATH: process.env.PATH }).",
  },
  "secret-kept-beyond-handler": {
    id: "secret-kept-beyond-handler",
    severity: "warn",
    title: "Secret kept beyond the handler",
    explanation:
      "A value from secrets.get kept in a module-level variable, a cache or an instance field outlives the call: a rotated or revoked value keeps being used, and one user's value can be served to another.",
    fix: "Call secrets.get inside the handler each time you need the value and keep it in a local variable only.",
  },
  "secret-logged": {
    id: "secret-logged",
    severity: "warn",
    title: "Secret passed to a logger",
    explanation: "Log lines are kept, shipped and read by people who must not see credentials; even a prefix of a key helps an attacker.",
    fix: "Log that the value is present or its length, never the value or part of it.",
  },
  "secret-returned": {
    id: "secret-returned",
    severity: "warn",
    title: "Secret returned in a response",
    explanation: "A response carries the value to the caller and whatever stores or displays it; even a prefix of a key helps an attacker.",
    fix: "Return only what the caller needs, never the secret or part of it.",
  },
};

export const RULE_IDS = Object.keys(RULES) as RuleId[];
