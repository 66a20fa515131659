import { describe, expect, it, vi } from "vitest";
import { VaultError } from "@/lib/crypto/vault-error";

describe("VaultError", () => {
  it("is recognised across separately bundled copies of the module", async () => {
    vi.resetModules();
    const copy = await import("@/lib/crypto/vault-error");
    const foreign: unknown = new copy.VaultError("vault_unavailable", "down");
    expect(copy.VaultError).not.toBe(VaultError);
    expect(foreign instanceof VaultError).toBe(true);
    expect(new Error("x") instanceof VaultError).toBe(false);
    expect(new VaultError("secret_value_too_large", "big").status).toBe(413);
  });
});
