// Checks that span blocks: every `ext.*` a setup step uses is declared under credentials.ext, names are
// unique, a block is not written both at the top level and under `extension:`, `collect` names declared
// secrets, and a provider's default scopes are among its available ones. They run on the raw YAML data,
// so they report alongside schema errors even when other parts of the manifest are malformed.
import { EXT_REF_PATTERN, movableBlockNames } from "./schema";

export type Path = (string | number)[];
export interface RawIssue {
  path: Path;
  message: string;
  /** Point at the key itself rather than its value. */
  atKey?: boolean;
}

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function formatPath(path: Path): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** Where a movable block lives: the path prefix of its effective copy (top level wins if both). */
function blockAt(root: Loose, block: string): { value: unknown; prefix: Path } | null {
  if (root[block] !== undefined) return { value: root[block], prefix: [block] };
  const ext = root.extension;
  if (isObj(ext) && ext[block] !== undefined) return { value: ext[block], prefix: ["extension", block] };
  return null;
}

/** The partner credentials and secrets a manifest declares, as later checks look them up. */
interface Declared {
  /** ext.* credential keys. */
  ext: Set<string>;
  /** Whether the credentials block could be read at all (a malformed one is the schema's to report). */
  extReadable: boolean;
  /** user.* and org.* secret names. */
  secrets: Set<string>;
}

/**
 * Checks across a manifest's blocks that its schema cannot express (unique keys and names, references to
 * declared credentials and secrets, one handler per webhook route, offered OAuth scopes), as issues with
 * the path they concern. Anything that is not an object yields none (the schema reports it).
 */
export function crossCheck(data: unknown): RawIssue[] {
  if (!isObj(data)) return [];
  const issues: RawIssue[] = [];
  const ext = isObj(data.extension) ? data.extension : {};
  for (const block of movableBlockNames) {
    if (data[block] !== undefined && ext[block] !== undefined) {
      issues.push({
        path: ["extension", block],
        message: `${block} is written both at the top level and under extension:; keep one of them`,
        atKey: true,
      });
    }
  }

  const declared: Declared = { ...partnerCredentials(data, issues), secrets: secretNames(data, issues) };
  setupChecks(data, declared, issues);
  webhookChecks(data, issues);
  providerChecks(ext, declared, issues);
  return issues;
}

/** Partner credentials: unique keys. */
function partnerCredentials(data: Loose, issues: RawIssue[]): { ext: Set<string>; extReadable: boolean } {
  const declaredExt = new Set<string>();
  const credentials = blockAt(data, "credentials");
  // A malformed credentials block is reported by the schema; don't pile "not declared" on top of it.
  const credentialsReadable = !credentials || (isObj(credentials.value) && Array.isArray(credentials.value.ext));
  if (credentials && isObj(credentials.value)) {
    const firstAt = new Map<string, number>();
    arr(credentials.value.ext).forEach((c, i) => {
      const key = isObj(c) ? str(c.key) : undefined;
      if (!key) return;
      const first = firstAt.get(key);
      if (first !== undefined) {
        issues.push({
          path: [...credentials.prefix, "ext", i, "key"],
          message: `${key} is declared twice (first at ${formatPath([...credentials.prefix, "ext", first])})`,
        });
      } else firstAt.set(key, i);
      declaredExt.add(key);
    });
  }

  return { ext: declaredExt, extReadable: credentialsReadable };
}

/** Secrets: unique per scope. */
function secretNames(data: Loose, issues: RawIssue[]): Set<string> {
  const declaredSecrets = new Set<string>();
  const secrets = blockAt(data, "secrets");
  if (secrets) {
    const firstAt = new Map<string, number>();
    arr(secrets.value).forEach((s, i) => {
      if (!isObj(s)) return;
      const name = str(s.name);
      if (!name) return;
      const ref = `${s.scope === "org" ? "org" : "user"}.${name}`;
      const first = firstAt.get(ref);
      if (first !== undefined) {
        issues.push({
          path: [...secrets.prefix, i, "name"],
          message: `${ref} is declared twice (first at ${formatPath([...secrets.prefix, first])})`,
        });
      } else firstAt.set(ref, i);
      declaredSecrets.add(name);
    });
  }

  return declaredSecrets;
}

/** Setup steps: ext.* references, unique field keys, collect names, store_as targets. */
function setupChecks(data: Loose, declared: Declared, issues: RawIssue[]): void {
  const setup = blockAt(data, "setup");
  if (setup) {
    const storeAsAt = new Map<string, Path>();
    arr(setup.value).forEach((step, i) => {
      if (!isObj(step) || !isObj(step.secrets)) return;
      const stepPath: Path = [...setup.prefix, i, "secrets"];
      const fieldAt = new Map<string, number>();
      arr(step.secrets.fields).forEach((f, j) => {
        if (!isObj(f)) return;
        const fieldPath: Path = [...stepPath, "fields", j];
        const key = str(f.key);
        if (key) {
          const first = fieldAt.get(key);
          if (first !== undefined) {
            issues.push({ path: [...fieldPath, "key"], message: `${key} is used twice in this step (first at fields[${first}])` });
          } else fieldAt.set(key, j);
        }
        if (!isObj(f.obtain)) return;
        for (const slot of ["client_id", "client_secret"] as const) {
          const ref = str(f.obtain[slot]);
          const match = ref?.match(EXT_REF_PATTERN);
          if (declared.extReadable && match?.[1] && !declared.ext.has(match[1])) {
            issues.push({ path: [...fieldPath, "obtain", slot], message: `${ref} is not declared under credentials.ext` });
          }
        }
        if (isObj(f.obtain.endpoint_params)) {
          for (const [param, value] of Object.entries(f.obtain.endpoint_params)) {
            const [scope, name] = (str(value) ?? "").split(".");
            const isDeclared = scope === "ext" ? !declared.extReadable || declared.ext.has(name ?? "") : declared.secrets.has(name ?? "");
            if ((scope === "ext" || scope === "org" || scope === "user") && !isDeclared) {
              const where = scope === "ext" ? "credentials.ext" : "secrets";
              issues.push({
                path: [...fieldPath, "obtain", "endpoint_params", param],
                message: `${str(value)} is not declared under ${where}`,
              });
            }
          }
        }
        const target = str(f.obtain.store_as);
        if (target) {
          const first = storeAsAt.get(target);
          if (first) {
            issues.push({
              path: [...fieldPath, "obtain", "store_as"],
              message: `${target} is already the target of ${formatPath(first)}; two fields cannot store into one secret`,
            });
          } else storeAsAt.set(target, [...fieldPath, "obtain", "store_as"]);
        }
      });
      arr(step.secrets.collect).forEach((n, j) => {
        const name = str(n);
        if (name && !declared.secrets.has(name)) {
          issues.push({ path: [...stepPath, "collect", j], message: `${name} is not declared under secrets` });
        }
      });
    });
  }
}

/** Webhooks: one handler per method and path. */
function webhookChecks(data: Loose, issues: RawIssue[]): void {
  const webhooks = blockAt(data, "webhooks");
  if (webhooks) {
    const seen = new Map<string, number>();
    arr(webhooks.value).forEach((w, i) => {
      if (!isObj(w) || !str(w.path)) return;
      const route = `${str(w.method) ?? "POST"} ${str(w.path)}`;
      const first = seen.get(route);
      if (first !== undefined) {
        issues.push({
          path: [...webhooks.prefix, i, "path"],
          message: `${route} is declared twice (first at ${formatPath([...webhooks.prefix, first])})`,
        });
      } else seen.set(route, i);
    });
  }
}

/**
 * OAuth provider: its client credentials are declared partner credentials; default scopes are offered
 * scopes, scope ids unique.
 */
function providerChecks(ext: Loose, declared: Declared, issues: RawIssue[]): void {
  const provider = isObj(ext.provides) && isObj(ext.provides.oauth_provider) ? ext.provides.oauth_provider : null;
  if (provider) {
    for (const slot of ["client_id", "client_secret"] as const) {
      const ref = str(provider[slot]);
      const match = ref?.match(EXT_REF_PATTERN);
      if (declared.extReadable && match?.[1] && !declared.ext.has(match[1])) {
        issues.push({ path: ["extension", "provides", "oauth_provider", slot], message: `${ref} is not declared under credentials.ext` });
      }
    }
  }
  if (provider && Array.isArray(provider.available_scopes)) {
    const base: Path = ["extension", "provides", "oauth_provider"];
    const ids = new Map<string, number>();
    provider.available_scopes.forEach((s, i) => {
      const id = isObj(s) ? str(s.id) : undefined;
      if (!id) return;
      const first = ids.get(id);
      if (first !== undefined) {
        issues.push({
          path: [...base, "available_scopes", i, "id"],
          message: `${id} is listed twice (first at available_scopes[${first}])`,
        });
      } else ids.set(id, i);
    });
    arr(provider.default_scopes).forEach((s, i) => {
      const id = str(s);
      if (id && !ids.has(id)) {
        issues.push({ path: [...base, "default_scopes", i], message: `${id} is not one of available_scopes` });
      }
    });
  }
}
