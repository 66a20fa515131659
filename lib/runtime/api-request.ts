// The runtime API's request and answer plumbing: JSON answers, a capped JSON body, the declared secret a
// reference names and whether an extension may write it, whose value a scope means, and a secret's metadata.
import type { SecretScope } from "@/lib/db/schema";
import { errorResponse } from "@/lib/http/respond";
import { currentRequestId, REQUEST_ID_HEADER } from "@/lib/core/request-context";
import { parseSecretRef, type DeclaredSecret } from "@/lib/manifest/declarations";
import { SECRET_NAME, type SecretStatus } from "@/lib/vault/vault";
import { type Caller } from "./api-caller";
import { RuntimeError } from "./errors";
import type { SecretMeta } from "./schemas";

/** Request bodies larger than this are refused before parsing (the largest value is 64 KiB). */
export const MAX_BODY_BYTES = 128 * 1024;

const headers = { "cache-control": "no-store", "content-type": "application/json" };

export function json(body: unknown, status = 200): Response {
  const requestId = currentRequestId();
  return new Response(JSON.stringify(body), { status, headers: requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers });
}

/** The error's JSON answer with the current request id (lib/http/respond.ts). */
export function errorJson(error: RuntimeError): Response {
  return errorResponse(error);
}

export function ownerFor(scope: SecretScope, caller: Caller): string {
  if (scope === "ext") return caller.installation.extensionId;
  if (scope === "org") return caller.installation.orgId;
  if (!caller.identity.userId) {
    throw new RuntimeError("user_context_required", "user.* secrets need a token minted for a user; this token has none.");
  }
  return caller.identity.userId;
}

/** Resolves `scope.name` (or a bare name declared in exactly one scope) against the declarations. */
export function resolveDeclared(ref: string, declared: DeclaredSecret[]): DeclaredSecret {
  if (!ref.includes(".")) {
    if (!SECRET_NAME.test(ref)) throw new RuntimeError("invalid_secret_ref", `"${ref.slice(0, 80)}" is not a secret reference.`);
    const matches = declared.filter((d) => d.name === ref);
    if (matches.length > 1) {
      throw new RuntimeError(
        "secret_ref_ambiguous",
        `"${ref}" is declared in several scopes; use ${matches.map((m) => m.ref).join(" or ")}.`,
      );
    }
    const only = matches[0];
    if (!only) throw new RuntimeError("secret_not_declared", `"${ref}" is not declared in this extension's manifest.`);
    return only;
  }
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    throw new RuntimeError("invalid_secret_ref", `"${ref.slice(0, 80)}" is not a secret reference: use ext.name, org.name or user.name.`);
  }
  const found = declared.find((d) => d.scope === parsed.scope && d.name === parsed.name);
  if (!found) throw new RuntimeError("secret_not_declared", `"${ref}" is not declared in this extension's manifest.`);
  return found;
}

export function assertWritable(secret: DeclaredSecret): void {
  if (secret.scope === "ext") {
    throw new RuntimeError("secret_write_forbidden", `${secret.ref} is a partner credential; only the publisher can write it.`);
  }
  if (secret.writeMode === "user") {
    throw new RuntimeError("secret_write_forbidden", `${secret.ref} has write_mode='user'; only the panel can write`);
  }
}

export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new RuntimeError("unsupported_media_type", "Send the body as application/json.");
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () => new RuntimeError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  if (declaredLength > MAX_BODY_BYTES) throw tooLarge();
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RuntimeError("invalid_request", "The body is not valid JSON.");
  }
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function describe(secret: DeclaredSecret, status: SecretStatus | null | undefined, available: boolean): SecretMeta {
  return {
    ref: secret.ref,
    scope: secret.scope,
    name: secret.name,
    description: secret.description,
    required: secret.required,
    write_mode: secret.scope === "ext" ? "publisher" : secret.writeMode,
    max_bytes: secret.maxBytes,
    rotation_hint_days: secret.rotationHintDays,
    // Null when the token has no user, so user.* secrets cannot be looked at.
    is_set: available ? (status?.isSet ?? false) : null,
    version: status?.currentVersion ?? null,
    byte_length: status?.isSet ? (status.byteLength ?? null) : null,
    last_set_at: iso(status?.lastSetAt ?? null),
    last_read_at: iso(status?.lastReadAt ?? null),
    last_rotated_at: iso(status?.lastRotatedAt ?? null),
    rotation_count: status?.rotationCount ?? 0,
  };
}

export type { SecretMeta };

/** A path segment decoded once, or null when its percent-encoding does not decode (e.g. `%ff`). */
export function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
