// The runtime API's secret endpoints: list the declared secrets with their status, read a value or its
// metadata, write (set) and delete one, each as the calling extension against its declarations.
import { SecretValue } from "@/lib/crypto";
import type { SecretScope } from "@/lib/db/schema";
import { type DeclaredSecret } from "@/lib/manifest/declarations";
import { VAULT_MAX_BYTES, type SecretAddress, type SecretStatus } from "@/lib/vault/vault";
import { RuntimeCallers, type Caller } from "./api-caller";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { putSecretBody } from "./schemas";
import { assertWritable, describe, json, ownerFor, readJsonBody, resolveDeclared } from "./api-request";

/** The secret handlers of runtimeApi (see RuntimeApi), each guarded by `callers`. */
export function secretHandlers(deps: RuntimeDeps, callers: RuntimeCallers) {
  const address = (secret: DeclaredSecret, caller: Caller): SecretAddress => ({
    extensionId: caller.installation.extensionId,
    scope: secret.scope,
    ownerId: ownerFor(secret.scope, caller),
    name: secret.name,
  });

  const listSecrets = callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "secrets:read");
    const { extensionId, orgId } = caller.installation;
    const userId = caller.identity.userId;
    const [ext, org, user] = await Promise.all([
      deps.vault.list(extensionId, "ext", extensionId),
      deps.vault.list(extensionId, "org", orgId),
      userId ? deps.vault.list(extensionId, "user", userId) : Promise.resolve([]),
    ]);
    const byScope: Record<SecretScope, SecretStatus[]> = { ext, org, user };
    const secrets = caller.installation.declared.map((d) =>
      describe(
        d,
        byScope[d.scope].find((s) => s.name === d.name),
        d.scope !== "user" || userId !== null,
      ),
    );
    return json({ secrets });
  });

  const getSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const value = await deps.vault.read(caller.ctx, address(secret, caller));
    if (!value) throw new RuntimeError("secret_not_set", `${secret.ref} is not set.`, { ref: secret.ref });
    // The one place a value leaves the server: revealed straight into the response body.
    return json({ ref: secret.ref, value: value.reveal() });
  });

  const getSecretMeta = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:read");
    const secret = resolveDeclared(ref, caller.installation.declared);
    const status = await deps.vault.status(address(secret, caller));
    return json(describe(secret, status, true));
  });

  const putSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const target = address(secret, caller);
    const body = putSecretBody.safeParse(await readJsonBody(request));
    if (!body.success) throw new RuntimeError("invalid_request", 'Send `{ "value": "<string>" }`.');
    const value = SecretValue.from(body.data.value);
    const maxBytes = Math.min(secret.maxBytes, VAULT_MAX_BYTES);
    if (value.byteLength > maxBytes) {
      throw new RuntimeError(
        "secret_value_too_large",
        `${secret.ref} is limited to ${maxBytes} bytes; the value has ${value.byteLength}.`,
        {
          max_bytes: maxBytes,
        },
      );
    }
    const { version } = await deps.vault.set(caller.ctx, target, value, { maxBytes });
    value.wipe();
    return json({ ref: secret.ref, is_set: true, version });
  });

  const deleteSecret = callers.guarded(async (request, ref: string) => {
    const caller = await callers.authenticate(request, "secrets:write");
    const secret = resolveDeclared(ref, caller.installation.declared);
    assertWritable(secret);
    const { wasSet } = await deps.vault.delete(caller.ctx, address(secret, caller));
    return json({ ref: secret.ref, was_set: wasSet });
  });

  return { listSecrets, getSecret, getSecretMeta, putSecret, deleteSecret };
}
