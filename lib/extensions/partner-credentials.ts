// Partner credentials (`ext.*`): the values a publisher sets for their extension's OAuth app and API
// keys. Stored only through the vault (which seals them and audits each change in its transaction);
// what this module adds is the publisher's rules: only declared keys, only the extension's own
// publisher, and values marked `secret` never come back out.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { recordRefusal } from "@/lib/audit/failures";
import type { Db, DbOrTx } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";
import { SecretValue } from "@/lib/crypto";
import { declaredSecrets, type DeclaredSecret } from "@/lib/manifest";
import type { OperationContext, Vault } from "@/lib/vault/vault";
import { getLatestVersion, getOwnExtension, type PublisherCall } from "./access";
import { ExtensionError } from "./errors";

export interface PublisherDeps {
  db: Db;
  vault: Vault;
}

export interface PartnerCredentialRow {
  key: string;
  label: string;
  type: string | null;
  required: boolean;
  /** `secret: true` (or unspecified): the value is never shown again after saving. */
  secret: boolean;
  description: string;
  helpUrl: string | null;
  isSet: boolean;
  lastSetAt: Date | null;
  lastSetBy: { name: string; email: string } | null;
  rotationCount: number;
}

/** The `ext.*` credentials the extension's newest manifest declares, in manifest order. */
export function partnerDeclarations(manifest: unknown): DeclaredSecret[] {
  return declaredSecrets(manifest).filter((d) => d.scope === "ext");
}

async function declarationsOf(db: DbOrTx, extensionId: string): Promise<DeclaredSecret[]> {
  const version = await getLatestVersion(db, extensionId);
  return version ? partnerDeclarations(version.manifest) : [];
}

const vaultContext = (call: PublisherCall): OperationContext => ({ actor: { kind: "user", id: call.actor.userId }, source: call.source });

/** Status of every declared partner credential: configured or missing, when and by whom it was last set. */
export async function listPartnerCredentials(deps: PublisherDeps, call: PublisherCall, extensionRef: string) {
  const extension = await getOwnExtension(deps.db, call.actor, extensionRef);
  const declared = await declarationsOf(deps.db, extension.id);
  const statuses = new Map((await deps.vault.list(extension.id, "ext", extension.id)).map((s) => [s.name, s]));
  const setBy = await lastSetBy(
    deps.db,
    extension.id,
    declared.map((d) => d.ref),
  );
  const rows: PartnerCredentialRow[] = declared.map((d) => {
    const status = statuses.get(d.name);
    const isSet = status?.isSet ?? false;
    return {
      key: d.name,
      label: d.label,
      type: d.type ?? null,
      required: d.required,
      secret: d.masked,
      description: d.description,
      helpUrl: d.helpUrl ?? null,
      isSet,
      lastSetAt: isSet ? (status?.lastSetAt ?? null) : null,
      lastSetBy: isSet ? (setBy.get(d.ref) ?? null) : null,
      rotationCount: status?.rotationCount ?? 0,
    };
  });
  return { extension, credentials: rows };
}

/**
 * Who last set or rotated each target, from the audit trail (the vault keeps values, not people).
 * Scoped to the extension in the WHERE clause.
 */
export async function lastSetBy(db: DbOrTx, extensionId: string, targets: string[]) {
  const out = new Map<string, { name: string; email: string }>();
  if (targets.length === 0) return out;
  const rows = await db
    .select({ target: auditEvents.target, name: users.name, email: users.email })
    .from(auditEvents)
    .innerJoin(users, sql`${users.id}::text = ${auditEvents.actorId}`)
    .where(
      and(
        eq(auditEvents.extensionId, extensionId),
        eq(auditEvents.actorKind, "user"),
        inArray(auditEvents.action, ["secret.set", "secret.rotate"]),
        inArray(auditEvents.target, targets),
        eq(auditEvents.outcome, "success"),
      ),
    )
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id));
  for (const row of rows) if (!out.has(row.target)) out.set(row.target, { name: row.name, email: row.email });
  return out;
}

async function declared(deps: PublisherDeps, call: PublisherCall, extensionRef: string, key: string) {
  const extension = await getOwnExtension(deps.db, call.actor, extensionRef);
  const declaration = (await declarationsOf(deps.db, extension.id)).find((d) => d.name === key);
  if (!declaration) {
    throw new ExtensionError(
      "credential_not_declared",
      `ext.${key} is not declared under credentials.ext in ${extension.name}'s manifest.`,
      {
        field: "key",
      },
    );
  }
  return { extension, declaration };
}

function checkValue(declaration: DeclaredSecret, value: string): SecretValue {
  if (value.trim() === "") {
    throw new ExtensionError("credential_value_invalid", `Enter a value for ${declaration.label}.`, { field: "value" });
  }
  const secret = SecretValue.from(value);
  if (secret.byteLength > declaration.maxBytes) {
    throw new ExtensionError(
      "credential_value_invalid",
      `${declaration.label} is limited to ${declaration.maxBytes} bytes; the value has ${secret.byteLength}.`,
      { field: "value" },
    );
  }
  return secret;
}

/** `checkValue`, queuing the refusal's `failure` audit event (outside any transaction) when the value is over max_bytes. */
function checkedValue(
  deps: PublisherDeps,
  call: PublisherCall,
  kind: "set" | "rotate",
  extensionId: string,
  declaration: DeclaredSecret,
  value: string,
) {
  try {
    return checkValue(declaration, value);
  } catch (error) {
    const byteLength = Buffer.byteLength(value, "utf8");
    if (byteLength > declaration.maxBytes) {
      recordRefusal(deps.vault.reads, {
        ...vaultContext(call),
        action: `secret.${kind}`,
        target: `ext.${declaration.name}`,
        extensionId,
        outcome: "failure",
        details: {
          scope: "ext",
          owner: extensionId,
          code: "secret_value_too_large",
          byte_length: byteLength,
          max_bytes: declaration.maxBytes,
        },
      });
    }
    throw error;
  }
}

/** Saves a value (replacing any previous one at once). */
export async function setPartnerCredential(deps: PublisherDeps, call: PublisherCall, extensionRef: string, key: string, value: string) {
  const { extension, declaration } = await declared(deps, call, extensionRef, key);
  const secret = checkedValue(deps, call, "set", extension.id, declaration, value);
  const address = { extensionId: extension.id, scope: "ext" as const, ownerId: extension.id, name: key };
  const result = await deps.vault.set(vaultContext(call), address, secret, { maxBytes: declaration.maxBytes });
  secret.wipe();
  return { extension, declaration, version: result.version };
}

/** Replaces the value with a new one at once, recorded as a rotation. */
export async function rotatePartnerCredential(deps: PublisherDeps, call: PublisherCall, extensionRef: string, key: string, value: string) {
  const { extension, declaration } = await declared(deps, call, extensionRef, key);
  const secret = checkedValue(deps, call, "rotate", extension.id, declaration, value);
  const address = { extensionId: extension.id, scope: "ext" as const, ownerId: extension.id, name: key };
  const status = await deps.vault.status(address);
  if (!status?.isSet) throw new ExtensionError("credential_not_set", `${declaration.label} has no value to rotate; save one first.`);
  const result = await deps.vault.rotate(vaultContext(call), address, secret, { maxBytes: declaration.maxBytes });
  secret.wipe();
  return { extension, declaration, version: result.version };
}

export async function deletePartnerCredential(deps: PublisherDeps, call: PublisherCall, extensionRef: string, key: string) {
  const { extension, declaration } = await declared(deps, call, extensionRef, key);
  const address = { extensionId: extension.id, scope: "ext" as const, ownerId: extension.id, name: key };
  const result = await deps.vault.delete(vaultContext(call), address);
  return { extension, declaration, wasSet: result.wasSet };
}

/** The value of a `secret: false` credential (a client id), read through the vault and so audited as a read. */
export async function revealPartnerCredential(deps: PublisherDeps, call: PublisherCall, extensionRef: string, key: string) {
  const { extension, declaration } = await declared(deps, call, extensionRef, key);
  if (declaration.masked) {
    recordRefusal(deps.vault.reads, {
      ...vaultContext(call),
      action: "secret.read",
      target: `ext.${declaration.name}`,
      extensionId: extension.id,
      outcome: "denied",
      details: { scope: "ext", owner: extension.id, code: "credential_is_secret" },
    });
    throw new ExtensionError("credential_is_secret", `${declaration.label} is marked secret and is never shown after saving.`);
  }
  const value = await deps.vault.read(vaultContext(call), { extensionId: extension.id, scope: "ext", ownerId: extension.id, name: key });
  if (!value) throw new ExtensionError("credential_not_set", `${declaration.label} is not set.`);
  const text = value.reveal();
  value.wipe();
  return text;
}
