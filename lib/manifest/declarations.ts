// Every secret name an extension may touch, derived from its manifest: partner credentials
// (`credentials.ext[]`), user/org secrets (`secrets[]`) and setup-wizard `store_as` targets. The vault,
// the runtime API and the panel all ask this one function what is declared; anything else is
// `secret_not_declared`.
import type { SecretScope } from "@/lib/db/schema";

export type WriteMode = "user" | "extension" | "both";

export interface DeclaredSecret {
  /** `scope.name`, e.g. `user.spotify_api_key`, `ext.zoom_client_id`. */
  ref: string;
  scope: SecretScope;
  name: string;
  /** Human label: the manifest's `label` (partner credentials, setup fields), otherwise `humanizeName(name)`. */
  label: string;
  description: string;
  required: boolean;
  /**
   * Who may write it. Partner credentials are written by the publisher only (never by the extension):
   * they are reported as "user" here. `store_as` targets are written by the platform's OAuth flow and
   * are reported as "extension" (read-only in the panel).
   */
  writeMode: WriteMode;
  maxBytes: number;
  rotationHintDays: number | null;
  /** Partner credentials with `secret: false` (a client id) may be shown again; everything else is masked. */
  masked: boolean;
  /** Where it was declared. */
  source: "credentials.ext" | "secrets" | "setup.store_as";
  /** Partner credential type hint (oauth_client_id, …), when declared. */
  type?: string;
  helpUrl?: string;
}

export const DEFAULT_MAX_BYTES = 4096;

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Reads the declarations out of a manifest object (as stored in extension_versions.manifest). Blocks
 * may sit at the top level or under `extension:`. Accepts a validated manifest or its raw JSON.
 */
export function declaredSecrets(manifest: unknown): DeclaredSecret[] {
  const root = obj(manifest);
  const ext = obj(root.extension);
  const block = (key: string) => root[key] ?? ext[key];
  const declared = new Map<string, DeclaredSecret>();

  for (const c of arr(obj(block("credentials")).ext)) {
    const cred = obj(c);
    const name = str(cred.key);
    if (!name) continue;
    declared.set(`ext.${name}`, {
      ref: `ext.${name}`,
      scope: "ext",
      name,
      label: str(cred.label) ?? name,
      description: str(cred.description) ?? "",
      required: cred.required === true,
      writeMode: "user",
      maxBytes: DEFAULT_MAX_BYTES,
      rotationHintDays: null,
      masked: cred.secret !== false,
      source: "credentials.ext",
      ...(str(cred.type) ? { type: str(cred.type) } : {}),
      ...(str(cred.help_url) ? { helpUrl: str(cred.help_url) } : {}),
    });
  }

  for (const s of arr(block("secrets"))) {
    const secret = obj(s);
    const name = str(secret.name);
    if (!name) continue;
    const scope: SecretScope = secret.scope === "org" ? "org" : "user";
    const writeMode = secret.write_mode === "extension" || secret.write_mode === "both" ? secret.write_mode : "user";
    declared.set(`${scope}.${name}`, {
      ref: `${scope}.${name}`,
      scope,
      name,
      label: humanizeName(name),
      description: str(secret.description) ?? "",
      required: secret.required === true,
      writeMode,
      maxBytes: num(secret.max_bytes) ?? DEFAULT_MAX_BYTES,
      rotationHintDays: num(secret.rotation_hint_days) ?? null,
      masked: true,
      source: "secrets",
    });
  }

  for (const step of arr(block("setup"))) {
    for (const f of arr(obj(obj(step).secrets).fields)) {
      const target = str(obj(obj(f).obtain).store_as);
      const match = target?.match(/^(org|user)\.([a-z][a-z0-9_]{0,62})$/);
      if (!match || declared.has(target ?? "")) continue;
      const [, scope, name] = match as [string, "org" | "user", string];
      declared.set(`${scope}.${name}`, {
        ref: `${scope}.${name}`,
        scope,
        name,
        label: str(obj(f).label) ?? humanizeName(name),
        description: `Written by Latchkey when you connect ${str(obj(obj(f).obtain).provider) ?? "the account"}.`,
        required: false,
        writeMode: "extension",
        maxBytes: DEFAULT_MAX_BYTES * 4,
        rotationHintDays: null,
        masked: true,
        source: "setup.store_as",
      });
    }
  }
  return [...declared.values()];
}

// Words that read as acronyms or brands in a label made from a name.
const SPECIAL_WORDS: Record<string, string> = {
  api: "API",
  aws: "AWS",
  dns: "DNS",
  gcp: "GCP",
  http: "HTTP",
  https: "HTTPS",
  id: "ID",
  ip: "IP",
  jwt: "JWT",
  oauth: "OAuth",
  pat: "PAT",
  sms: "SMS",
  smtp: "SMTP",
  sql: "SQL",
  ssh: "SSH",
  tls: "TLS",
  uri: "URI",
  url: "URL",
};

/**
 * A label for a declared name that has none in the manifest (user/org `secrets[]` declare a name and a
 * description only): words split at underscores, the first capitalized, acronyms in capitals.
 * `spotify_api_key` → "Spotify API key", `stripe_webhook_signing_secret` → "Stripe webhook signing secret".
 */
export function humanizeName(name: string): string {
  return name
    .split("_")
    .filter(Boolean)
    .map((word, i) => SPECIAL_WORDS[word] ?? (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(" ");
}

/** Splits `scope.name`; null when it is not a well-formed reference. */
export function parseSecretRef(ref: string): { scope: SecretScope; name: string } | null {
  const match = ref.match(/^(ext|org|user)\.([a-z][a-z0-9_]{0,62})$/);
  return match ? { scope: match[1] as SecretScope, name: match[2] as string } : null;
}
