// Local dev mode: with LATCHKEY_DEV_MODE=1, secrets come from LATCHKEY_SECRET_<NAME> environment
// variables instead of the vault (so `LATCHKEY_SECRET_SPOTIFY_API_KEY=dev-stub npm run dev` works with no
// Latchkey at all). The manifest contract still holds: undeclared names fail exactly as in production.
import { Declarations, type Declared } from "./declared";
import { info } from "./mock";
import type { SecretInfo, SecretStore } from "./types";

type Env = Record<string, string | undefined>;

/** The variable dev mode reads a secret from: `spotify_api_key` → `LATCHKEY_SECRET_SPOTIFY_API_KEY`. */
export const envVarFor = (name: string) => `LATCHKEY_SECRET_${name.toUpperCase()}`;

/** The process environment where there is one (Node, Bun, Deno); an empty one on edge runtimes. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/** Whether LATCHKEY_DEV_MODE is 1, true or yes (any case). */
export function devModeEnabled(env: Env = processEnv()): boolean {
  return ["1", "true", "yes"].includes((env.LATCHKEY_DEV_MODE ?? "").toLowerCase());
}

/** A SecretStore over environment variables (dev mode): declared names only, write rules enforced. */
export class EnvSecretStore implements SecretStore {
  readonly #declared: Declarations;
  readonly #env: Env;

  constructor(declared: Declared, env: Env = processEnv()) {
    this.#declared = new Declarations(declared);
    this.#env = env;
  }

  async get(ref: string): Promise<string | null> {
    const value = this.#env[envVarFor(this.#declared.resolve(ref).name)];
    return value === undefined || value === "" ? null : value;
  }

  async set(ref: string, value: string): Promise<void> {
    const entry = this.#declared.resolve(ref);
    this.#declared.assertWritable(entry, value);
    this.#env[envVarFor(entry.name)] = value;
  }

  async delete(ref: string): Promise<{ wasSet: boolean }> {
    const entry = this.#declared.resolve(ref);
    this.#declared.assertWritable(entry);
    const wasSet = Boolean(this.#env[envVarFor(entry.name)]);
    delete this.#env[envVarFor(entry.name)];
    return { wasSet };
  }

  async isSet(ref: string): Promise<boolean> {
    return (await this.get(ref)) !== null;
  }

  async list(): Promise<SecretInfo[]> {
    return this.#declared.entries.map((e) =>
      info(e.scope ?? "user", e.name, Boolean(this.#env[envVarFor(e.name)]), e.writeMode, e.maxBytes),
    );
  }
}
