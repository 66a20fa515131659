// The app's vault: one per process, over the app's database and configured keyring.
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createVaultFromEnv } from "./create";
import type { Vault } from "./vault";

export { Vault, SECRET_NAME, VAULT_MAX_BYTES, type OperationContext, type SecretAddress, type SecretStatus } from "./vault";
export { VaultError, type VaultErrorCode } from "@/lib/crypto/vault-error";

const globalForVault = globalThis as unknown as { latchkeyVault?: Promise<Vault> };

export function getVault(): Promise<Vault> {
  globalForVault.latchkeyVault ??= (async () => createVaultFromEnv(await getDb(), env()))();
  globalForVault.latchkeyVault.catch(() => {
    globalForVault.latchkeyVault = undefined;
  });
  return globalForVault.latchkeyVault;
}
