// Everything the CLI touches outside itself, in one object so tests can run commands against a fake
// terminal, a fake HTTP server and a temporary config directory.
import os from "node:os";
import path from "node:path";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whole standard input when it is piped; null when stdin is a terminal. */
  readPipedStdin(): Promise<string | null>;
  /** Asks for a value without echoing it (only called when stdin is a terminal). */
  promptSecret(message: string): Promise<string>;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  configDir: string;
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readPipedStdin: async () => (process.stdin.isTTY ? null : readAll(process.stdin)),
    promptSecret: async (message) => {
      const { default: password } = await import("@inquirer/password");
      return password({ message });
    },
    env: process.env,
    fetch: globalThis.fetch,
    configDir: process.env.LATCHKEY_CONFIG_DIR ?? path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config"), "latchkey"),
  };
}
