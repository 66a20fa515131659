// The names a manifest declares, read from its parsed YAML object, for `latchkey scan` on an author's
// machine. It mirrors lib/manifest/declarations.ts (the server's source of truth, which the publish-time
// scan uses); lib/scan/declarations.test.ts checks that the two agree on every fixture manifest.
import type { DeclaredName } from "./types";

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Declarations of a manifest object: `credentials.ext[]`, `secrets[]`, setup `store_as` targets. */
export function manifestDeclarations(manifest: unknown): DeclaredName[] {
  const root = obj(manifest);
  const ext = obj(root.extension);
  const block = (key: string) => root[key] ?? ext[key];
  const out = new Map<string, DeclaredName>();
  for (const c of arr(obj(block("credentials")).ext)) {
    const key = obj(c).key;
    if (typeof key === "string") out.set(`ext.${key}`, { scope: "ext", name: key, writeMode: "user" });
  }
  for (const s of arr(block("secrets"))) {
    const secret = obj(s);
    if (typeof secret.name !== "string") continue;
    const scope = secret.scope === "org" ? "org" : "user";
    const writeMode = secret.write_mode === "extension" || secret.write_mode === "both" ? secret.write_mode : "user";
    out.set(`${scope}.${secret.name}`, { scope, name: secret.name, writeMode });
  }
  for (const step of arr(block("setup"))) {
    for (const f of arr(obj(obj(step).secrets).fields)) {
      const target = obj(obj(f).obtain).store_as;
      const match = typeof target === "string" ? target.match(/^(org|user)\.([a-z][a-z0-9_]{0,62})$/) : null;
      if (!match || out.has(target as string)) continue;
      out.set(target as string, { scope: match[1] as "org" | "user", name: match[2] as string, writeMode: "extension" });
    }
  }
  return [...out.values()];
}
