import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";

describe("parseEnv", () => {
  it("needs nothing for the embedded default", () => {
    const e = parseEnv({});
    expect(e.demo).toBe(true);
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.keyring).toBe("local");
    expect(e.pgliteDir).toMatch(/\.data[/\\]pglite$/);
  });

  it("turns demo mode off by default once a real database is configured", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgres://localhost/x" })).toThrow(/NEXTAUTH_SECRET/);
    const e = parseEnv({ DATABASE_URL: "postgres://localhost/x", NEXTAUTH_SECRET: "x".repeat(32), GITHUB_ID: "a", GITHUB_SECRET: "b" });
    expect(e.demo).toBe(false);
  });

  it("lets a setup check reach private addresses in demo mode only, unless told otherwise", () => {
    const production = { DATABASE_URL: "postgres://localhost/x", NEXTAUTH_SECRET: "x".repeat(32), GITHUB_ID: "a", GITHUB_SECRET: "b" };
    expect(parseEnv({}).checkAllowPrivateAddresses).toBe(true);
    expect(parseEnv(production).checkAllowPrivateAddresses).toBe(false);
    expect(parseEnv({ ...production, LATCHKEY_CHECK_ALLOW_PRIVATE_ADDRESSES: "true" }).checkAllowPrivateAddresses).toBe(true);
    expect(parseEnv({ LATCHKEY_CHECK_ALLOW_PRIVATE_ADDRESSES: "false" }).checkAllowPrivateAddresses).toBe(false);
  });

  it("derives the public URL and the demo provider's port from PORT (PORT=4000 npm run demo)", () => {
    const e = parseEnv({ PORT: "4000" });
    expect(e.LATCHKEY_URL).toBe("http://localhost:4000");
    expect(e.demoOAuth.issuer).toBe("http://127.0.0.1:4001");
    expect(e.auditOrigin).toBe("localhost:4000/audit");
    expect(parseEnv({}).LATCHKEY_URL).toBe("http://localhost:3000");
    expect(parseEnv({ PORT: "4000", LATCHKEY_URL: "https://vault.example.com" }).LATCHKEY_URL).toBe("https://vault.example.com");
    expect(() => parseEnv({ PORT: "http" })).toThrow("PORT: must be a number");
  });

  it("takes a metrics token of 16 characters or more", () => {
    expect(parseEnv({ LATCHKEY_METRICS_TOKEN: "m".repeat(16) }).LATCHKEY_METRICS_TOKEN).toBe("m".repeat(16));
    expect(parseEnv({}).LATCHKEY_METRICS_TOKEN).toBeUndefined();
    expect(() => parseEnv({ LATCHKEY_METRICS_TOKEN: "short" })).toThrow("LATCHKEY_METRICS_TOKEN: must be at least 16 characters");
  });

  it("names the variable that is wrong", () => {
    const bad = () => parseEnv({ DATABASE_URL: "mysql://nope", LATCHKEY_DEK_CACHE_MAX: "lots" });
    expect(bad).toThrow(EnvError);
    try {
      bad();
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
      expect(message).toContain("LATCHKEY_DEK_CACHE_MAX: must be a number");
    }
  });

  it("requires the KMS settings when the aws-kms keyring is chosen", () => {
    expect(() => parseEnv({ LATCHKEY_KEYRING: "aws-kms" })).toThrow(/KMS_KEY_ID: is required[\s\S]*AWS_REGION: is required/);
    expect(parseEnv({ KMS_KEY_ID: "k", AWS_REGION: "eu-west-1" }).keyring).toBe("aws-kms");
  });

  it("rejects a half-configured OIDC sign-in", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://id.example.com" })).toThrow(/OIDC_CLIENT_ID/);
  });
});
