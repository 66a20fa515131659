// `latchkey token mint --installation ID [--user ID]`: a runtime token for local testing of an
// extension. Minting needs the platform's signing key, so it runs against the configured database and
// keyring (lib/runtime/mint-main.ts, in a child process with the react-server condition the server
// modules require), not over HTTP. With the embedded database, stop the app first.
import { spawn } from "node:child_process";
import path from "node:path";
import type { CliCommand } from "./command";
import { CliError } from "./api";

const repoRoot = path.resolve(__dirname, "..");

export const tokenMint: CliCommand = {
  name: "token mint",
  register(command, io) {
    command
      .description("Mint a short-lived runtime token for an installation (for local testing); prints the token on stdout")
      .requiredOption("--installation <id>", "installation id")
      .option("--user <id>", "user id (must be a member of the installation's organization)")
      .option("--ttl <seconds>", "lifetime in seconds, at most 900")
      .option("--scopes <list>", "comma list of secrets:read, secrets:write, oauth:token, readiness:read (default: all)")
      .action(async (options: { installation: string; user?: string; ttl?: string; scopes?: string }) => {
        const args = [
          "tsx",
          "--conditions=react-server",
          path.join(repoRoot, "lib/runtime/mint-main.ts"),
          "--installation",
          options.installation,
        ];
        if (options.user) args.push("--user", options.user);
        if (options.ttl) args.push("--ttl", options.ttl);
        if (options.scopes) args.push("--scopes", options.scopes);
        const child = spawn("npx", args, { cwd: repoRoot, env: { ...process.env, ...io.env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
        const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
        const notes = err
          .split("\n")
          .filter((l) => l.trim() && !l.startsWith("npm warn"))
          .join("\n");
        if (code !== 0) throw new CliError(notes || `token mint failed (exit ${code})`);
        if (notes) io.err(notes);
        io.out(out.trim());
      });
  },
};
