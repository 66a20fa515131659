import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { buildAuthOptions } from "./options";

// next-auth merges a provider's `options` over its defaults at run time; the id a user sees is that one.
const providerIds = (options: ReturnType<typeof buildAuthOptions>) =>
  options.providers.map((p) => (p as { options?: { id?: string } }).options?.id ?? p.id);

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-auth-"));

describe("sign-in options", () => {
  it("offers demo sign-in in demo mode, with a session secret created once under the data dir", () => {
    const dir = dataDir();
    const options = buildAuthOptions(parseEnv({ LATCHKEY_DATA_DIR: dir }));
    expect(providerIds(options)).toEqual(["demo"]);
    const secretFile = path.join(dir, "auth-secret");
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(buildAuthOptions(parseEnv({ LATCHKEY_DATA_DIR: dir })).secret).toBe(options.secret);
  });

  it("refuses demo sign-in when demo mode is off and offers the configured OIDC issuer and GitHub", () => {
    const options = buildAuthOptions(
      parseEnv({
        LATCHKEY_DATA_DIR: dataDir(),
        LATCHKEY_DEMO: "false",
        NEXTAUTH_SECRET: "s".repeat(40),
        OIDC_ISSUER: "https://id.example.com",
        OIDC_CLIENT_ID: "latchkey",
        OIDC_CLIENT_SECRET: "shh",
        GITHUB_ID: "gh",
        GITHUB_SECRET: "gh-secret",
      }),
    );
    expect(providerIds(options)).toEqual(["oidc", "github"]);
    expect(options.secret).toBe("s".repeat(40));
    const oidc = options.providers[0] as unknown as { wellKnown: string; checks: string[] };
    expect(oidc.wellKnown).toBe("https://id.example.com/.well-known/openid-configuration");
    expect(oidc.checks).toEqual(["pkce", "state", "nonce"]);
  });
});
