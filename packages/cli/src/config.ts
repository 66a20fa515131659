// Where the CLI keeps its login: ~/.config/latchkey/credentials.json, readable by the user only. The
// LATCHKEY_TOKEN and LATCHKEY_URL environment variables (and --url) take precedence, for CI.
import fs from "node:fs/promises";
import path from "node:path";
import type { CliIo } from "./io";

export interface StoredLogin {
  url: string;
  token: string;
}

export const DEFAULT_URL = "http://localhost:3000";

export const credentialsFile = (io: CliIo) => path.join(io.configDir, "credentials.json");

export async function readLogin(io: CliIo): Promise<Partial<StoredLogin>> {
  try {
    const data = JSON.parse(await fs.readFile(credentialsFile(io), "utf8")) as Partial<StoredLogin>;
    return { url: typeof data.url === "string" ? data.url : undefined, token: typeof data.token === "string" ? data.token : undefined };
  } catch {
    return {};
  }
}

export async function writeLogin(io: CliIo, login: StoredLogin): Promise<string> {
  await fs.mkdir(io.configDir, { recursive: true, mode: 0o700 });
  const file = credentialsFile(io);
  // Write-then-rename so a crash never leaves half a file; the mode is set before the token lands in it.
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(temp, 0o600);
  await fs.rename(temp, file);
  return file;
}

/**
 * The base URL and token a command uses: --url, then the environment, then the stored login, then the
 * default. An empty variable (`LATCHKEY_URL=`) counts as unset, as shells and CI systems often leave them.
 */
export async function resolveLogin(io: CliIo, urlOption?: string): Promise<{ url: string; token: string | undefined }> {
  const stored = await readLogin(io);
  return {
    url: (urlOption || io.env.LATCHKEY_URL || stored.url || DEFAULT_URL).replace(/\/+$/, ""),
    token: io.env.LATCHKEY_TOKEN || stored.token,
  };
}
