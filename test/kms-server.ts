// A loopback stand-in for AWS KMS that speaks its JSON protocol well enough for the real
// @aws-sdk/client-kms to talk to it: GenerateDataKey, Decrypt and ReEncrypt with encryption-context
// binding, strict request checking, a record of every call, and switches to play "KMS is down" or
// "key disabled". Used by tests and benches so the aws-kms path runs without AWS.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface KmsCall {
  op: string;
  body: unknown;
  /** The JSON the server answered with, for tests that search the wire traffic. */
  response?: unknown;
}

export type DownMode = "reset" | "error500" | "hang";

interface FakeKey {
  id: string;
  material: Buffer;
  enabled: boolean;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const BLOB_MAGIC = Buffer.from("FKMS");
const TARGET_PREFIX = "TrentService.";

// Fields each operation accepts; anything else is rejected, so a typo in the client shows up in tests.
const FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  GenerateDataKey: { required: ["KeyId"], optional: ["KeySpec", "NumberOfBytes", "EncryptionContext", "GrantTokens"] },
  Decrypt: { required: ["CiphertextBlob"], optional: ["EncryptionContext", "KeyId", "EncryptionAlgorithm", "GrantTokens"] },
  ReEncrypt: {
    required: ["CiphertextBlob", "DestinationKeyId"],
    optional: [
      "SourceEncryptionContext",
      "SourceKeyId",
      "DestinationEncryptionContext",
      "SourceEncryptionAlgorithm",
      "DestinationEncryptionAlgorithm",
      "GrantTokens",
    ],
  },
};

export class FakeKmsServer {
  readonly calls: KmsCall[] = [];
  readonly #keys = new Map<string, FakeKey>();
  readonly #server: Server;
  #down: DownMode | undefined;

  constructor() {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  createKey(): string {
    const id = `arn:aws:kms:us-east-1:000000000000:key/${randomUUID()}`;
    this.#keys.set(id, { id, material: randomBytes(32), enabled: true });
    return id;
  }

  disableKey(id: string): void {
    const key = this.#keys.get(id);
    if (!key) throw new Error(`no such fake KMS key ${id}`);
    key.enabled = false;
  }

  setDown(down: boolean, mode: DownMode = "reset"): void {
    // Checked per request, so kept-alive connections see the switch too; closing them here would add a
    // spurious reset that the client retries before ever reaching the mode under test.
    this.#down = down ? mode : undefined;
  }

  callsTo(op: string): KmsCall[] {
    return this.calls.filter((call) => call.op === op);
  }

  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => {
        const { port } = this.#server.address() as AddressInfo;
        resolve(`http://127.0.0.1:${port}`);
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = header(req, "x-amz-target");
    const op = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Recorded as the raw text; rejected below.
    }
    const call: KmsCall = { op, body };
    this.calls.push(call);

    if (this.#down === "reset") {
      req.socket.destroy();
      return;
    }
    if (this.#down === "hang") return; // never answers; the client's timeout has to fire
    if (this.#down === "error500") {
      send(res, 500, { __type: "KMSInternalException", message: "fake KMS is down" });
      return;
    }

    try {
      if (req.method !== "POST" || req.url !== "/") throw new KmsError("UnknownOperationException", "POST / only", 404);
      if (!header(req, "authorization")?.startsWith("AWS4-HMAC-SHA256")) {
        throw new KmsError("MissingAuthenticationTokenException", "request is not SigV4-signed");
      }
      if (header(req, "content-type") !== "application/x-amz-json-1.1") {
        throw new KmsError("SerializationException", "Content-Type must be application/x-amz-json-1.1");
      }
      if (!target) throw new KmsError("UnknownOperationException", "missing X-Amz-Target");
      const spec = FIELDS[op];
      if (!spec) throw new KmsError("UnsupportedOperationException", `fake KMS does not implement ${target}`);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new KmsError("SerializationException", "body must be a JSON object");
      }
      const input = body as Record<string, unknown>;
      for (const field of Object.keys(input)) {
        if (!spec.required.includes(field) && !spec.optional.includes(field)) {
          throw new KmsError("ValidationException", `${op} does not accept ${field}`);
        }
      }
      for (const field of spec.required) {
        if (input[field] === undefined) throw new KmsError("ValidationException", `${op} requires ${field}`);
      }
      const response = this.#dispatch(op, input);
      call.response = response;
      send(res, 200, response);
    } catch (error) {
      if (error instanceof KmsError) send(res, error.status, { __type: error.type, message: error.message });
      else send(res, 500, { __type: "KMSInternalException", message: String(error) });
    }
  }

  #dispatch(op: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (op) {
      case "GenerateDataKey": {
        const key = this.#usableKey(stringField(input, "KeyId"));
        const bytes = dataKeyLength(input);
        const context = contextField(input, "EncryptionContext");
        const plaintext = randomBytes(bytes);
        return { KeyId: key.id, Plaintext: b64(plaintext), CiphertextBlob: b64(wrap(key, plaintext, context)) };
      }
      case "Decrypt": {
        const { key, plaintext } = this.#unwrap(input, "CiphertextBlob", "KeyId", "EncryptionContext");
        return { KeyId: key.id, Plaintext: b64(plaintext), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
      }
      case "ReEncrypt": {
        const { key: source, plaintext } = this.#unwrap(input, "CiphertextBlob", "SourceKeyId", "SourceEncryptionContext");
        const destination = this.#usableKey(stringField(input, "DestinationKeyId"));
        const context = contextField(input, "DestinationEncryptionContext");
        return {
          KeyId: destination.id,
          SourceKeyId: source.id,
          CiphertextBlob: b64(wrap(destination, plaintext, context)),
          SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
          DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        };
      }
      default:
        throw new KmsError("UnsupportedOperationException", `fake KMS does not implement ${op}`);
    }
  }

  #unwrap(input: Record<string, unknown>, blobField: string, keyField: string, contextName: string): { key: FakeKey; plaintext: Buffer } {
    const blob = Buffer.from(stringField(input, blobField), "base64");
    const parsed = parseBlob(blob);
    const key = this.#keys.get(parsed.keyId);
    if (!key) throw new KmsError("InvalidCiphertextException", "ciphertext refers to an unknown key");
    const expected = input[keyField];
    if (expected !== undefined && expected !== key.id) {
      throw new KmsError("IncorrectKeyException", "ciphertext was not encrypted under the given KeyId");
    }
    this.#usableKey(key.id);
    return { key, plaintext: unwrap(key, parsed, contextField(input, contextName)) };
  }

  #usableKey(id: string): FakeKey {
    const key = this.#keys.get(id);
    if (!key) throw new KmsError("NotFoundException", `key ${id} does not exist`);
    if (!key.enabled) throw new KmsError("DisabledException", `key ${id} is disabled`);
    return key;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function stringField(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== "string" || value === "") throw new KmsError("ValidationException", `${field} must be a string`);
  return value;
}

function dataKeyLength(input: Record<string, unknown>): number {
  const { KeySpec: spec, NumberOfBytes: count } = input;
  if ((spec === undefined) === (count === undefined)) {
    throw new KmsError("ValidationException", "exactly one of KeySpec and NumberOfBytes is required");
  }
  if (spec !== undefined) {
    if (spec === "AES_256") return 32;
    if (spec === "AES_128") return 16;
    throw new KmsError("ValidationException", "KeySpec must be AES_256 or AES_128");
  }
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1024) {
    throw new KmsError("ValidationException", "NumberOfBytes must be an integer from 1 to 1024");
  }
  return count;
}

function contextField(input: Record<string, unknown>, field: string): Array<[string, string]> {
  const value = input[field];
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KmsError("ValidationException", `${field} must be a map of strings`);
  }
  return Object.entries(value)
    .map(([key, item]): [string, string] => {
      if (typeof item !== "string") throw new KmsError("ValidationException", `${field}.${key} must be a string`);
      return [key, item];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Blob: magic ‖ key-id length (2 bytes) ‖ key id ‖ IV ‖ ciphertext ‖ tag; AAD binds key id and context.
function wrap(key: FakeKey, plaintext: Buffer, context: Array<[string, string]>): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.material, iv);
  cipher.setAAD(Buffer.from(JSON.stringify([key.id, context])));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const id = Buffer.from(key.id, "utf8");
  const length = Buffer.alloc(2);
  length.writeUInt16BE(id.length);
  return Buffer.concat([BLOB_MAGIC, length, id, iv, body, cipher.getAuthTag()]);
}

interface ParsedBlob {
  keyId: string;
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

function parseBlob(blob: Buffer): ParsedBlob {
  const invalid = new KmsError("InvalidCiphertextException", "ciphertext is not a fake KMS blob");
  if (blob.length < 6 || !blob.subarray(0, 4).equals(BLOB_MAGIC)) throw invalid;
  const idLength = blob.readUInt16BE(4);
  const ivStart = 6 + idLength;
  if (blob.length < ivStart + 12 + 16) throw invalid;
  return {
    keyId: blob.subarray(6, ivStart).toString("utf8"),
    iv: blob.subarray(ivStart, ivStart + 12),
    body: blob.subarray(ivStart + 12, blob.length - 16),
    tag: blob.subarray(blob.length - 16),
  };
}

function unwrap(key: FakeKey, blob: ParsedBlob, context: Array<[string, string]>): Buffer {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.material, blob.iv);
    decipher.setAAD(Buffer.from(JSON.stringify([key.id, context])));
    decipher.setAuthTag(blob.tag);
    return Buffer.concat([decipher.update(blob.body), decipher.final()]);
  } catch {
    throw new KmsError("InvalidCiphertextException", "ciphertext or encryption context does not match");
  }
}

function b64(bytes: Buffer): string {
  return bytes.toString("base64");
}

export async function startFakeKms(): Promise<{ server: FakeKmsServer; endpoint: string }> {
  const server = new FakeKmsServer();
  return { server, endpoint: await server.start() };
}
