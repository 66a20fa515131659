// `npm run token:mint` refuses what it does not understand with the usage, never a stack trace, and
// `--help` prints the usage; both before opening any database.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function mint(...args: string[]) {
  const result = spawnSync("npx", ["tsx", "--conditions=react-server", "lib/runtime/mint-main.ts", ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("npm run token:mint", () => {
  it("prints its usage for --help and exits 0", () => {
    const { code, out } = mint("--help");
    expect(code).toBe(0);
    expect(out).toContain("Usage: npm run token:mint -- --installation ID");
  });

  it("names an unknown option, shows the usage and exits 1 without a stack trace", () => {
    const { code, err } = mint("--bogus");
    expect(code).toBe(1);
    expect(err).toContain("Unknown option '--bogus'");
    expect(err).toContain("Usage: npm run token:mint");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
