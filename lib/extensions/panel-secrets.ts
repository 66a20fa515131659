// The end user's side of an installation's secrets: the declared `user.*` and `org.*` secrets with their
// status, and setting, rotating and deleting them from the panel. Values go to the vault (sealed and
// audited there) and never come back out; this module adds the panel's rules: members of the
// installation's organization only, declared names only, `write_mode: extension` read-only, `org.*`
// for org owners and admins, `user.*` for the signed-in person alone.
import { isUuid } from "@/lib/db/ids";
import type { UserActor } from "@/lib/auth/actor";
import type { AuditSource } from "@/lib/audit/events";
import { SecretValue } from "@/lib/crypto";
import type { Db, DbOrTx } from "@/lib/db/client";
import type { OrgRole } from "@/lib/db/schema";
import { declaredSecrets, parseSecretRef, type DeclaredSecret } from "@/lib/manifest";
import { webhookUrlFor } from "@/lib/extensions/installation-urls";
import type { OperationContext, Vault } from "@/lib/vault/vault";
import { ExtensionError } from "./errors";
import { installationsWithVersions } from "./queries";
import { redirectUrisFor } from "./redirect-uris";

export interface PanelCall {
  actor: UserActor;
  source: AuditSource;
}

export interface PanelDeps {
  db: Db;
  vault: Vault;
  /** Public base URL, for the webhook and callback URLs the panel shows. */
  baseUrl: string;
}

export interface PanelSecretRow {
  ref: string;
  scope: "org" | "user";
  name: string;
  /** What people read: the declaration's label (`humanizeName(name)` when the manifest gives none). */
  label: string;
  description: string;
  required: boolean;
  writeMode: DeclaredSecret["writeMode"];
  maxBytes: number;
  rotationHintDays: number | null;
  isSet: boolean;
  lastReadAt: Date | null;
  lastChangedAt: Date | null;
  rotationDue: boolean;
  /** Whether this person may set, rotate or delete it here, and if not, why. */
  canWrite: boolean;
  readOnlyReason: string | null;
}

const EXTENSION_WRITES = "the extension will write this after you authorize";
const DAY_MS = 86_400_000;

/** An installation in one of the caller's organizations; anything else is "not found" (its existence is not revealed). */
/** When a secret changed last at `lastChangedAt` became due for rotation, or null when it is not due (yet). */
export function rotationDueAt(hintDays: number | null, lastChangedAt: Date | null, now: Date): Date | null {
  if (!hintDays || !lastChangedAt) return null;
  const dueAt = new Date(lastChangedAt.getTime() + hintDays * DAY_MS);
  return now.getTime() > dueAt.getTime() ? dueAt : null;
}

export async function getMemberInstallation(db: DbOrTx, actor: UserActor, installationId: string) {
  const orgIds = actor.orgs.map((o) => o.id);
  const uuid = isUuid(installationId);
  if (uuid && orgIds.length > 0) {
    const [row] = await installationsWithVersions(db, { installationId, orgIds });
    const org = row ? actor.orgs.find((o) => o.id === row.installation.orgId) : undefined;
    if (row && org) {
      const { installation, extension, version } = row;
      return { installation, extension, version, org, declared: declaredSecrets(version.manifest) };
    }
  }
  throw new ExtensionError("not_found", "No such installation in your organizations.");
}

const canManageOrg = (role: OrgRole) => role === "owner" || role === "admin";

function writeRule(declared: DeclaredSecret, role: OrgRole): string | null {
  if (declared.writeMode === "extension") return EXTENSION_WRITES;
  if (declared.scope === "org" && !canManageOrg(role)) return "Only organization owners and admins can change organization secrets.";
  return null;
}

/** Everything the Secrets settings page shows for one installation. */
export async function listPanelSecrets(deps: PanelDeps, call: PanelCall, installationId: string, now = new Date()) {
  const found = await getMemberInstallation(deps.db, call.actor, installationId);
  const { installation, extension, org } = found;
  const [userStatuses, orgStatuses] = await Promise.all([
    deps.vault.list(extension.id, "user", call.actor.userId),
    deps.vault.list(extension.id, "org", org.id),
  ]);
  const status = new Map([...userStatuses, ...orgStatuses].map((s) => [`${s.scope}.${s.name}`, s]));
  const secrets: PanelSecretRow[] = found.declared.flatMap((d) => {
    if (d.scope === "ext") return [];
    const s = status.get(d.ref);
    const lastChangedAt = s?.isSet ? (s.lastRotatedAt ?? s.lastSetAt) : null;
    const rule = writeRule(d, org.role);
    return [
      {
        ref: d.ref,
        scope: d.scope,
        name: d.name,
        label: d.label,
        description: d.description,
        required: d.required,
        writeMode: d.writeMode,
        maxBytes: d.maxBytes,
        rotationHintDays: d.rotationHintDays,
        isSet: s?.isSet ?? false,
        lastReadAt: s?.lastReadAt ?? null,
        lastChangedAt,
        rotationDue: rotationDueAt(d.rotationHintDays, lastChangedAt, now) !== null,
        canWrite: rule === null,
        readOnlyReason: rule,
      },
    ];
  });
  const manifest = found.version.manifest as { webhooks?: { path?: string; method?: string }[]; extension?: { webhooks?: unknown } };
  const webhooks = (Array.isArray(manifest.webhooks) ? manifest.webhooks : []).flatMap((w) =>
    typeof w.path === "string"
      ? [{ method: w.method ?? "POST", path: w.path, url: webhookUrlFor(deps.baseUrl, installation.id, w.path) }]
      : [],
  );
  return {
    installation,
    extension: { id: extension.id, name: extension.name, slug: extension.slug, publisherId: extension.publisherId },
    org,
    secrets,
    webhooks,
    oauthCallbacks: redirectUrisFor(found.version.manifest, deps.baseUrl),
  };
}

/**
 * Why this person may not write `declared` from the panel (`write_mode: extension`, or an `org.*` secret
 * for a plain member), or null when they may. The words suit a message shown beside the field.
 */
export function panelWriteRefusal(declared: DeclaredSecret, role: OrgRole): string | null {
  const rule = writeRule(declared, role);
  if (!rule) return null;
  return declared.writeMode === "extension" ? `${declared.ref} has write_mode='extension': ${EXTENSION_WRITES}.` : rule;
}

async function writable(deps: PanelDeps, call: PanelCall, installationId: string, ref: string) {
  const found = await getMemberInstallation(deps.db, call.actor, installationId);
  const parsed = parseSecretRef(ref);
  const declared = found.declared.find((d) => d.ref === ref);
  if (!parsed || parsed.scope === "ext" || !declared) {
    throw new ExtensionError("secret_not_declared", `${ref} is not a secret ${found.extension.name} declares.`);
  }
  const refusal = panelWriteRefusal(declared, found.org.role);
  if (refusal) throw new ExtensionError("secret_write_forbidden", refusal);
  const address = {
    extensionId: found.extension.id,
    scope: declared.scope,
    ownerId: declared.scope === "org" ? found.org.id : call.actor.userId,
    name: declared.name,
  };
  const ctx: OperationContext = { actor: { kind: "user", id: call.actor.userId }, source: call.source, orgId: found.org.id };
  return { declared, address, ctx };
}

/**
 * Sets (when unset) or rotates (when set) a secret from the panel; refuses values over the declared
 * max_bytes. Returns which it did and the secret's label, for the confirmation shown to the person.
 */
export async function savePanelSecret(deps: PanelDeps, call: PanelCall, installationId: string, ref: string, value: string) {
  const { declared, address, ctx } = await writable(deps, call, installationId, ref);
  const secret = SecretValue.from(value);
  const current = await deps.vault.status(address);
  const limits = { maxBytes: declared.maxBytes };
  if (current?.isSet) {
    await deps.vault.rotate(ctx, address, secret, limits);
    return { rotated: true, label: declared.label };
  }
  await deps.vault.set(ctx, address, secret, limits);
  return { rotated: false, label: declared.label };
}

/**
 * Saves several secrets of one installation together, as a setup step does: each is set (when unset) or
 * rotated (when set), and all go to the vault in one transaction with one audit event each, so either
 * every value is stored or none is. Each ref is checked like savePanelSecret's (declared, writable by this
 * person, within its max_bytes); the first refusal throws (ExtensionError or VaultError) before anything
 * is written. Callers that report problems per field check them first (panelWriteRefusal, max_bytes).
 */
export async function savePanelSecrets(
  deps: PanelDeps,
  call: PanelCall,
  installationId: string,
  entries: readonly { ref: string; value: string }[],
): Promise<{ ref: string; rotated: boolean }[]> {
  const targets = [];
  for (const { ref, value } of entries) {
    const { declared, address, ctx } = await writable(deps, call, installationId, ref);
    const current = await deps.vault.status(address);
    targets.push({
      ref,
      ctx,
      write: {
        kind: current?.isSet ? ("rotate" as const) : ("set" as const),
        address,
        value: SecretValue.from(value),
        limits: { maxBytes: declared.maxBytes },
      },
    });
  }
  const [first] = targets;
  if (!first) return [];
  try {
    await deps.vault.writeAll(
      first.ctx,
      targets.map((t) => t.write),
    );
  } finally {
    for (const t of targets) t.write.value.wipe();
  }
  return targets.map((t) => ({ ref: t.ref, rotated: t.write.kind === "rotate" }));
}

/** Deletes a secret from the panel (every stored version); `wasSet` is false when it had no value. */
export async function deletePanelSecret(deps: PanelDeps, call: PanelCall, installationId: string, ref: string) {
  const { declared, address, ctx } = await writable(deps, call, installationId, ref);
  return { ...(await deps.vault.delete(ctx, address)), label: declared.label };
}
