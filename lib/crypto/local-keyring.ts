// The local keyring: versioned 256-bit KEKs held by this process, from LATCHKEY_MASTER_KEY or, in the
// embedded default, from a key file created on first run. DEKs are wrapped with the same AES-256-GCM
// envelope as values, bound to the encryption context and the KEK id so a wrapped DEK cannot be replayed
// under another context or presented as belonging to another KEK version.
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, open as openFile, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CryptoError, KeyringUnavailableError } from "@/lib/crypto/errors";
import { DATA_KEY_BYTES, canonicalContext, type DataKey, type EncryptionContext, type KekInfo, type Keyring } from "@/lib/crypto/keyring";
import { gcmOpen, gcmSeal } from "@/lib/crypto/seal";
import { PidLockHeldError, takePidLock } from "@/lib/core/pid-lock";

const ENV_NAME = "LATCHKEY_MASTER_KEY";
const KEK_BYTES = 32;
const KEK_ID = /^local:v([1-9][0-9]*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface KekVersion {
  version: number;
  key: Buffer;
  createdAt?: string;
  retired: boolean;
}

interface KeyringState {
  current: number;
  versions: Map<number, KekVersion>;
}

type KeySource = { kind: "file"; path: string } | { kind: "env" };

const keyFileSchema = z.object({
  current: z.number().int().positive(),
  versions: z
    .array(
      z.object({
        version: z.number().int().positive(),
        key: z.string(),
        createdAt: z.string().optional(),
        retired: z.boolean(),
      }),
    )
    .min(1),
});
type KeyFile = z.infer<typeof keyFileSchema>;

export function localKekId(version: number): string {
  return `local:v${version}`;
}

export class LocalKeyring implements Keyring {
  readonly kind = "local" as const;
  readonly #source: KeySource;
  #state: KeyringState;
  // Serialises this process's own file writes; other processes are kept out by the lock file.
  #writes: Promise<unknown> = Promise.resolve();

  // Use createLocalKeyringFromFile / createLocalKeyringFromEnv, which validate the key material.
  constructor(state: KeyringState, source: KeySource) {
    this.#state = state;
    this.#source = source;
  }

  get source(): "file" | "env" {
    return this.#source.kind;
  }

  currentKekId(): string {
    return localKekId(this.#state.current);
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    await this.#followFile();
    const kekId = this.currentKekId();
    const kek = this.#usableKek(kekId, await this.#lookup(kekId));
    const plaintext = randomBytes(DATA_KEY_BYTES);
    return { plaintext, wrapped: gcmSeal(kek.key, plaintext, wrapAad(kekId, context)), kekId };
  }

  async unwrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<Buffer> {
    const kek = this.#usableKek(kekId, await this.#lookup(kekId));
    const dek = gcmOpen(kek.key, wrapped, wrapAad(kekId, context));
    if (dek.length !== DATA_KEY_BYTES) throw new CryptoError(`unwrapped data key under ${kekId} has the wrong length`);
    return dek;
  }

  async rewrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<{ wrapped: Buffer; kekId: string }> {
    const dek = await this.unwrapDataKey(wrapped, kekId, context);
    try {
      await this.#followFile();
      const target = this.currentKekId();
      const kek = this.#usableKek(target, await this.#lookup(target));
      return { wrapped: gcmSeal(kek.key, dek, wrapAad(target, context)), kekId: target };
    } finally {
      dek.fill(0);
    }
  }

  async listKeks(): Promise<KekInfo[]> {
    return [...this.#state.versions.values()]
      .sort((a, b) => a.version - b.version)
      .map((v) => ({
        id: localKekId(v.version),
        current: v.version === this.#state.current,
        retired: v.retired,
        ...(v.createdAt === undefined ? {} : { createdAt: v.createdAt }),
      }));
  }

  // Adds version N+1 and makes it current. Existing DEKs keep working under their old version until
  // rewrapped; only the key file source can do this, since an env var cannot be rewritten from here.
  async rotate(): Promise<string> {
    const source = this.#fileSource(
      `${ENV_NAME} cannot be rotated from inside Latchkey: append a new entry "N:<base64 32-byte key>" ` +
        `(N one higher than the highest version) to ${ENV_NAME} and restart; the highest version becomes current`,
    );
    return this.#updateFile(source, (state) => {
      const version = Math.max(...state.versions.keys()) + 1;
      state.versions.set(version, {
        version,
        key: randomBytes(KEK_BYTES),
        createdAt: new Date().toISOString(),
        retired: false,
      });
      state.current = version;
      return localKekId(version);
    });
  }

  // After retiring, anything still wrapped under this KEK fails to unwrap, so rewrap first.
  async retire(kekId: string): Promise<void> {
    const source = this.#fileSource(
      `a ${ENV_NAME} key cannot be retired from inside Latchkey: remove its "N:" entry from ${ENV_NAME} ` +
        `once every data key has been rewrapped, and restart`,
    );
    const version = parseKekId(kekId);
    await this.#updateFile(source, (state) => {
      const kek = version === undefined ? undefined : state.versions.get(version);
      if (!kek) throw new Error(`cannot retire ${kekId}: no such KEK in ${source.path}`);
      if (kek.version === state.current) throw new Error(`cannot retire ${kekId}: it is the current KEK; rotate first`);
      kek.retired = true;
    });
  }

  // The key file as last compared (mtime and size). A rotation by another process (`npm run keys:rotate`
  // beside a running app) changes it, and a new data key must be wrapped under the KEK current now, not
  // the one current when this process started: one under a KEK that keys:retire then retires is lost.
  #seen: string | null = null;

  async #followFile(): Promise<void> {
    if (this.#source.kind !== "file") return;
    const info = await stat(this.#source.path);
    const stamp = `${info.mtimeMs}:${info.size}`;
    if (stamp === this.#seen) return;
    await this.reload();
    this.#seen = stamp;
  }

  // Picks up versions added or retired by another process (e.g. `npm run keys:rotate`).
  async reload(): Promise<void> {
    if (this.#source.kind !== "file") return;
    this.#state = await readKeyFile(this.#source.path);
  }

  async #lookup(kekId: string): Promise<KekVersion | undefined> {
    const version = parseKekId(kekId);
    if (version === undefined) return undefined;
    const known = this.#state.versions.get(version);
    if (known || this.#source.kind !== "file") return known;
    // A version we have never seen was most likely added by a rotation in another process.
    await this.reload();
    return this.#state.versions.get(version);
  }

  #usableKek(kekId: string, kek: KekVersion | undefined): KekVersion {
    if (!kek) {
      const where = this.#source.kind === "file" ? `key file ${this.#source.path}` : ENV_NAME;
      throw new KeyringUnavailableError(`KEK ${kekId} is not in the local keyring (${where})`);
    }
    if (kek.retired) {
      throw new CryptoError(`KEK ${kekId} is retired; data keys wrapped under it can no longer be unwrapped`);
    }
    return kek;
  }

  #fileSource(envMessage: string): { kind: "file"; path: string } {
    if (this.#source.kind !== "file") throw new Error(envMessage);
    return this.#source;
  }

  // Read-modify-write under a lock file, starting from the file's current content so a rotation done by
  // another process is never overwritten (losing a KEK would make its DEKs unrecoverable).
  #updateFile<T>(source: { path: string }, change: (state: KeyringState) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const release = await acquireLock(source.path);
      try {
        const state = await readKeyFile(source.path);
        const result = change(state);
        await writeFileAtomic(source.path, serialize(state));
        this.#state = state;
        return result;
      } finally {
        await release();
      }
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => undefined);
    return next;
  }
}

// The embedded default: creates the key file (mode 0600, directory 0700) on first run, re-uses it after.
export async function createLocalKeyringFromFile(filePath: string): Promise<LocalKeyring> {
  const resolved = path.resolve(filePath);
  try {
    return new LocalKeyring(await readKeyFile(resolved), { kind: "file", path: resolved });
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  await createKeyFile(resolved);
  return new LocalKeyring(await readKeyFile(resolved), { kind: "file", path: resolved });
}

// LATCHKEY_MASTER_KEY: one base64 32-byte key (version 1), or "1:<b64>,2:<b64>" with the highest current.
export function createLocalKeyringFromEnv(value: string): LocalKeyring {
  const entries = value.split(",").map((entry) => entry.trim());
  if (entries.every((entry) => entry === "")) throw new Error(`${ENV_NAME} is set but empty`);
  const versions = new Map<number, KekVersion>();
  const single = entries.length === 1 && !value.includes(":");
  entries.forEach((entry, index) => {
    const where = single ? ENV_NAME : `${ENV_NAME} entry ${index + 1}`;
    let version = 1;
    let encoded = entry;
    if (!single) {
      const match = /^([^:]*):(.*)$/.exec(entry);
      if (!match) throw new Error(`${where} must look like "N:<base64 key>" when several keys are given`);
      const [, rawVersion = "", rest = ""] = match;
      if (!/^[1-9][0-9]*$/.test(rawVersion.trim())) {
        throw new Error(`${where} has a version that is not a positive integer`);
      }
      version = Number(rawVersion.trim());
      encoded = rest.trim();
      if (versions.has(version)) throw new Error(`${ENV_NAME} lists version ${version} twice`);
    }
    versions.set(version, { version, key: decodeKey(encoded, where), retired: false });
  });
  return new LocalKeyring({ current: Math.max(...versions.keys()), versions }, { kind: "env" });
}

function wrapAad(kekId: string, context: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(["latchkey.dek", kekId, canonicalContext(context)]), "utf8");
}

function parseKekId(kekId: string): number | undefined {
  const digits = KEK_ID.exec(kekId)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

// Never echoes the input: the message says what is wrong, not what was given.
function decodeKey(encoded: string, where: string): Buffer {
  if (encoded === "" || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new Error(`${where} is not valid base64 (expected a 32-byte key, e.g. from \`openssl rand -base64 32\`)`);
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length !== KEK_BYTES) {
    throw new Error(`${where} decodes to ${key.length} bytes; a master key must be exactly ${KEK_BYTES} bytes`);
  }
  return key;
}

async function readKeyFile(filePath: string): Promise<KeyringState> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
    const { mode } = await stat(filePath);
    // Group/other access to the KEKs is tightened rather than refused, so a copied file still starts.
    if ((mode & 0o077) !== 0) await chmod(filePath, 0o600);
  } catch (error) {
    if (isErrno(error, "ENOENT")) throw error;
    throw new KeyringUnavailableError(`cannot read key file ${filePath}: ${errnoCode(error)}`, { cause: error });
  }
  let file: KeyFile;
  try {
    file = keyFileSchema.parse(JSON.parse(text));
  } catch (error) {
    // Zod issues name the field and the expected type, never the key material itself.
    const detail =
      error instanceof z.ZodError
        ? error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")
        : "not valid JSON";
    throw new Error(`key file ${filePath} is malformed: ${detail}`);
  }
  const versions = new Map<number, KekVersion>();
  for (const entry of file.versions) {
    const where = `key file ${filePath}, version ${entry.version}`;
    if (versions.has(entry.version)) throw new Error(`key file ${filePath} is malformed: version ${entry.version} appears twice`);
    versions.set(entry.version, {
      version: entry.version,
      key: decodeKey(entry.key, where),
      retired: entry.retired,
      ...(entry.createdAt === undefined ? {} : { createdAt: entry.createdAt }),
    });
  }
  const current = versions.get(file.current);
  if (!current || current.retired) {
    throw new Error(`key file ${filePath} is malformed: current version ${file.current} is missing or retired`);
  }
  return { current: file.current, versions };
}

function serialize(state: KeyringState): string {
  const versions = [...state.versions.values()]
    .sort((a, b) => a.version - b.version)
    .map((v) => ({ version: v.version, key: v.key.toString("base64"), createdAt: v.createdAt, retired: v.retired }));
  return `${JSON.stringify({ current: state.current, versions }, null, 2)}\n`;
}

async function createKeyFile(filePath: string): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 });
  const state: KeyringState = {
    current: 1,
    versions: new Map([[1, { version: 1, key: randomBytes(KEK_BYTES), createdAt: new Date().toISOString(), retired: false }]]),
  };
  const temp = await writeTemp(filePath, serialize(state));
  try {
    // link() fails if the file appeared meanwhile, so two processes starting together agree on one key.
    await link(temp, filePath);
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function writeFileAtomic(filePath: string, content: string): Promise<void> {
  const temp = await writeTemp(filePath, content);
  try {
    await rename(temp, filePath);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function writeTemp(filePath: string, content: string): Promise<string> {
  const temp = `${filePath}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await openFile(temp, "wx", 0o600);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

async function acquireLock(filePath: string): Promise<() => Promise<void>> {
  // Names its process, so a lock left by one that died (a kill -9 mid-rotation) is taken over.
  try {
    const release = takePidLock(`${filePath}.lock`);
    return async () => release();
  } catch (error) {
    if (error instanceof PidLockHeldError) {
      throw new Error(`key file ${filePath} is being changed by process ${error.pid}: wait for it to finish`);
    }
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function errnoCode(error: unknown): string {
  return (error instanceof Error && (error as NodeJS.ErrnoException).code) || "unknown error";
}
