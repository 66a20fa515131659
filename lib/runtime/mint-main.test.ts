// `npm run token:mint` refuses what it does not understand with the usage and a configuration it cannot
// run with by naming the settings, never with a stack trace; `--help` prints the usage. All of it before
// opening any database.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function mint(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync("npx", ["tsx", "--conditions=react-server", "lib/runtime/mint-main.ts", ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("npm run token:mint", () => {
  it("prints its usage for --help and exits 0", () => {
    const { code, out } = mint(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: npm run token:mint -- --installation ID");
  });

  it("names an unknown option, shows the usage and exits 1 without a stack trace", () => {
    const { code, err } = mint(["--bogus"]);
    expect(code).toBe(1);
    expect(err).toContain("Unknown option '--bogus'");
    expect(err).toContain("Usage: npm run token:mint");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("names the settings a configuration lacks, without a stack trace", () => {
    const { code, err } = mint(["--installation", "00000000-0000-4000-8000-000000000000"], {
      LATCHKEY_DEMO: "false",
      NEXTAUTH_SECRET: "",
      OIDC_ISSUER: "",
      GITHUB_ID: "",
    });
    expect(code).toBe(1);
    expect(err).toContain("NEXTAUTH_SECRET: is required when demo mode is off");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
