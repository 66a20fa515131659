// The embedded database shared with other processes while the app runs. PGlite is PostgreSQL inside the
// app's process, so a command (`audit:verify`, `keys:*`, `token:mint`) or `npm run worker` cannot open its
// files at the same time (lib/db/pglite-lock.ts refuses). Instead the app serves its PGlite over the
// PostgreSQL wire protocol (v3) on a Unix socket in the data directory, readable by this user only, and
// those processes connect to it with postgres.js, the driver of PostgreSQL mode (lib/db/client.ts).
//
// PGlite has one session (one backend), which the app's own queries use too. So a connection's work runs
// while it holds PGlite's transaction mutex, which every PGlite query, exec and transaction takes first:
// from its first message until PostgreSQL reports the session idle again (ReadyForQuery 'I') with nothing
// more from it waiting, i.e. over a whole extended-protocol batch, and over a whole transaction. A
// connection that stops mid-transaction for longer than `idleInTransactionMs` is closed and rolled back,
// so a stuck command cannot stop the app. Clients must not create named prepared statements (postgres.js
// `prepare: false`): they would outlive the connection in the shared session.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";

/** The socket's file name, as PostgreSQL names its own (`<dir>/.s.PGSQL.<port>`), so libpq-style `host=<dir>` finds it. */
export const BRIDGE_SOCKET = ".s.PGSQL.5432";

/** Unix socket paths longer than this do not fit sockaddr_un on Linux. */
const MAX_SOCKET_PATH = 107;

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** A served bridge: where it listens, and how to stop it. */
export interface PgliteBridge {
  socketPath: string;
  /** Clients connected now. */
  readonly connections: number;
  /**
   * Resolves once no client is connected (at once when none is), still taking connections meanwhile: a
   * client's pool may open another one before it is done.
   */
  drain(): Promise<void>;
  /** Stops taking connections and closes the open ones (their transactions rolled back). */
  close(): Promise<void>;
}

/** The socket path for a data directory, or null when it is too long for a Unix socket. */
export function bridgeSocketPath(dir: string): string | null {
  const socketPath = path.join(path.resolve(dir), BRIDGE_SOCKET);
  return socketPath.length <= MAX_SOCKET_PATH ? socketPath : null;
}

/**
 * Serves `pglite` on `socketPath` (a stale socket file left by a crash is replaced; the file is made
 * readable and writable by this user only).
 *
 * @param options.idleInTransactionMs how long a connection may hold the session without sending
 *   anything before it is closed and its transaction rolled back (default 30 s)
 * @param options.startTimer how that wait is timed (tests pass their own): calls `fire` after `ms`
 *   unless the returned cancel is called first
 */
export async function servePglite(
  pglite: PGlite,
  socketPath: string,
  options: { idleInTransactionMs?: number; startTimer?: StartTimer } = {},
): Promise<PgliteBridge> {
  const idle = { ms: options.idleInTransactionMs ?? 30_000, start: options.startTimer ?? realTimer };
  const connections = new Set<BridgeConnection>();
  let drained: (() => void)[] = [];
  const server = net.createServer((socket) => {
    const connection = new BridgeConnection(pglite, socket, idle, () => {
      connections.delete(connection);
      if (connections.size > 0) return;
      for (const resolve of drained) resolve();
      drained = [];
    });
    connections.add(connection);
  });
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    socketPath,
    get connections() {
      return connections.size;
    },
    drain: () => (connections.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))),
    close: async () => {
      // net.Server#close: no new connections; calls back once the open ones have all ended.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((c) => c.end()));
      await closed;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** Starts a timer calling `fire` after `ms`; returns its cancel. */
export type StartTimer = (ms: number, fire: () => void) => () => void;

const realTimer: StartTimer = (ms, fire) => {
  const timer = setTimeout(fire, ms).unref();
  return () => clearTimeout(timer);
};

/** One client connection: frames its messages and runs them in the shared session, holding it as described above. */
class BridgeConnection {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;
  #closed = false;
  /** Resolves the held session (releases PGlite's transaction mutex). */
  #release: (() => void) | null = null;
  #status: "I" | "T" | "E" = "I";
  #work: Promise<void> = Promise.resolve();
  #cancelIdle: () => void = () => {};

  constructor(
    private readonly pglite: PGlite,
    private readonly socket: net.Socket,
    private readonly idle: { ms: number; start: StartTimer },
    private readonly onGone: () => void,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#work = this.#work.then(() => this.#drain()).catch((error: unknown) => this.#fail(error));
    });
    socket.on("close", () => void this.end());
    socket.on("error", () => void this.end());
  }

  /**
   * Closes the connection; once the message in progress is done, a transaction it left open is rolled
   * back and the session released. Resolves when that is done.
   */
  end(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#cancelIdle();
      this.socket.destroy();
      this.#work = this.#work
        .catch(() => {})
        .then(async () => {
          if (this.#release && this.#status !== "I") await this.pglite.execProtocolRaw(simpleQuery("ROLLBACK")).catch(() => {});
          this.#unhold();
          this.onGone();
        });
    }
    return this.#work;
  }

  #fail(error: unknown): void {
    if (!this.#closed && this.socket.writable) this.socket.write(errorResponse(`Latchkey's database bridge: ${(error as Error).message}`));
    void this.end();
  }

  /** Processes every complete message in the buffer, in order. */
  async #drain(): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      const message = this.#nextMessage();
      if (!message) break;
      if (message.kind === "ssl") {
        this.socket.write("N");
        continue;
      }
      if (message.kind === "cancel") continue;
      if (message.kind === "terminate") {
        void this.end();
        return;
      }
      await this.#hold();
      // Closed while it waited for the session: end() releases it once this pass is over.
      if (this.#closed) return;
      const reply = await this.pglite.execProtocolRaw(message.bytes);
      const ready = finalReadyStatus(reply);
      if (ready) this.#status = ready;
      if (reply.length > 0) this.socket.write(reply);
      // The batch is answered, PostgreSQL is idle and nothing more from this client is waiting: let the
      // app (and other connections) in.
      if (ready === "I" && this.#buffer.length === 0) this.#unhold();
    }
    this.#cancelIdle();
    if (this.#release) this.#cancelIdle = this.idle.start(this.idle.ms, () => void this.end());
  }

  async #hold(): Promise<void> {
    this.#cancelIdle();
    if (this.#release) return;
    let acquired!: () => void;
    const gotIt = new Promise<void>((resolve) => (acquired = resolve));
    void this.pglite._runExclusiveTransaction(
      () =>
        new Promise<void>((resolve) => {
          this.#release = resolve;
          acquired();
        }),
    );
    await gotIt;
  }

  #unhold(): void {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  /**
   * The next complete message, or null when more bytes are needed. Consecutive ordinary messages come as
   * one (a client's Parse, Bind, Describe, Execute and Sync): PGlite runs a batch in one call, which costs
   * far less than a call per message.
   */
  #nextMessage(): { kind: "ssl" | "cancel" | "terminate" | "message"; bytes: Uint8Array } | null {
    const buffer = this.#buffer;
    if (!this.#started) {
      // Untyped: SSLRequest, CancelRequest or StartupMessage (length, then a code).
      if (buffer.length < 8) return null;
      const length = buffer.readInt32BE(0);
      if (buffer.length < length) return null;
      const code = buffer.readInt32BE(4);
      this.#buffer = buffer.subarray(length);
      if (code === SSL_REQUEST) return { kind: "ssl", bytes: new Uint8Array() };
      if (code === CANCEL_REQUEST) return { kind: "cancel", bytes: new Uint8Array() };
      if (code !== PROTOCOL_3) throw new Error(`unsupported protocol ${code >>> 16}.${code & 0xffff}`);
      this.#started = true;
      return { kind: "message", bytes: new Uint8Array(buffer.subarray(0, length)) };
    }
    let end = 0;
    while (buffer.length - end >= 5 && buffer[end] !== 0x58 /* X */) {
      const length = 1 + buffer.readInt32BE(end + 1);
      if (buffer.length - end < length) break;
      end += length;
    }
    if (end === 0) {
      if (buffer.length < 5 || buffer[0] !== 0x58) return null;
      this.#buffer = buffer.subarray(1 + buffer.readInt32BE(1));
      return { kind: "terminate", bytes: new Uint8Array() };
    }
    this.#buffer = buffer.subarray(end);
    return { kind: "message", bytes: new Uint8Array(buffer.subarray(0, end)) };
  }
}

/** A simple Query message for `text`. */
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, "utf8");
  const message = Buffer.alloc(5 + body.length);
  message.write("Q", 0, "ascii");
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

/** An ErrorResponse (severity FATAL, SQLSTATE 08006) carrying `text`. */
function errorResponse(text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C08006\0M${text}\0\0`, "utf8");
  const message = Buffer.alloc(5 + fields.length);
  message.write("E", 0, "ascii");
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}

/**
 * The transaction status of a reply's last message when that is ReadyForQuery ('Z', length 5): the end of
 * a Sync'd batch or a simple query ('I' idle, 'T' in a transaction, 'E' in a failed one); else null.
 */
function finalReadyStatus(reply: Uint8Array): "I" | "T" | "E" | null {
  const at = reply.length - 6;
  if (at < 0 || reply[at] !== 0x5a || reply[at + 1] !== 0 || reply[at + 2] !== 0 || reply[at + 3] !== 0 || reply[at + 4] !== 5) return null;
  const status = String.fromCharCode(reply[at + 5] ?? 0);
  return status === "I" || status === "T" || status === "E" ? status : null;
}
