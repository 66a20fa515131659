// Graceful shutdown on SIGTERM (and SIGINT) for the server and the worker: stop taking work, finish what
// is in flight, write the read-audit events still queued (they are batched for up to a second, so an
// abrupt exit would lose the last second of reads on every deploy), stop the OAuth refresher and the
// audit sequencer after their current pass, close the database pool, exit.
//
// In the Next server, Next's own signal handler (next/dist/server/lib/start-server.js) closes the HTTP
// server — no new connections, in-flight requests run to their end — and then calls process.exit. Its
// exit is held here until the drain is done, so the order is: stop accepting, finish requests, drain,
// exit. With NEXT_MANUAL_SIG_HANDLE set Next leaves signals alone, and this module closes the servers
// the request observer has seen and waits for in-flight requests itself. Either way /api/ready answers
// 503 from the signal on, so a load balancer stops routing here at once, and the whole shutdown is
// bounded by LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS (give the orchestrator's grace period a few seconds more).
import type { Server } from "node:http";
import type { Logger } from "pino";

/** The work a process drains; each part is optional (what this process never started). */
export interface DrainSteps {
  /** Stops background work (refresher, sequencer) after its current pass; may record read events. */
  stopBackground?: () => Promise<void>;
  /**
   * Writes queued read-audit events; resolves with how many are still queued (0 when all were written).
   * Called at once (beside stopBackground) and once more after background work stopped.
   */
  flushAudit?: () => Promise<number>;
  /** Closes the database pool. */
  close?: () => Promise<void>;
}

const globalForShutdown = globalThis as unknown as { latchkeyShutdown?: { draining: boolean; installed: boolean } };
const state = (globalForShutdown.latchkeyShutdown ??= { draining: false, installed: false });

/** True once a shutdown signal arrived: /api/ready answers 503 so load balancers stop routing here. */
export function isDraining(): boolean {
  return state.draining;
}

/**
 * Runs the drain, each step bounded by what is left of `deadline` (ms since the epoch): the audit flush
 * and stopping background work together (the queue is written at once, not after a refresh pass ends),
 * then the flush again for what the last pass recorded, then closing the database. Resolves true when
 * every queued audit event was written; a step that fails or runs out of time is logged and the next one
 * still runs.
 */
export async function drain(steps: DrainSteps, log: Logger, deadline: number): Promise<boolean> {
  const within = async <T>(what: string, step: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (!step) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    try {
      const result = await Promise.race([step(), timeout]);
      if (result === "timeout") {
        log.error({ step: what }, "shutdown step ran out of time");
        return undefined;
      }
      return result;
    } catch (error) {
      log.error({ err: error, step: what }, "shutdown step failed");
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  await Promise.all([within("stop background work", steps.stopBackground), within("write queued audit events", steps.flushAudit)]);
  const left = steps.flushAudit ? await within("write queued audit events", steps.flushAudit) : 0;
  await within("close the database", steps.close);
  if (left === 0) {
    log.info("shutdown: queued audit events written, background work stopped, database closed");
    return true;
  }
  log.error({ queued: left ?? "unknown" }, "shutdown: read-audit events could not be written and are lost");
  return false;
}

/** What the server's shutdown needs to know. */
export interface ServerShutdownOptions {
  steps: () => DrainSteps;
  log: Logger;
  timeoutMs: number;
  /** Requests in flight and the servers seen, from the request observer (lib/http/request-log.ts). */
  inFlight: () => number;
  servers: () => Iterable<Server>;
  /** Whether Next handles the signals itself (it does unless NEXT_MANUAL_SIG_HANDLE is set). */
  nextHandlesSignals?: boolean;
  /** Whose exit to hold and call, and where the signals come from (tests pass their own). */
  process?: { exit: (code?: number) => void; once: (event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => unknown };
}

/**
 * Installs the server process's SIGTERM/SIGINT handling (once per process). Returns the handler, which
 * tests call directly.
 */
export function installServerShutdown(options: ServerShutdownOptions): (signal: NodeJS.Signals) => void {
  const proc = options.process ?? process;
  // The real exit, taken before Next's is held (proc.exit is replaced below).
  const realExit: (code: number) => void = proc.exit.bind(proc);
  const nextHandles = options.nextHandlesSignals ?? !process.env.NEXT_MANUAL_SIG_HANDLE;
  let draining: Promise<boolean> | null = null;
  let deadline = 0;
  const runDrain = () => (draining ??= drain(options.steps(), options.log, deadline));

  let signalled = false;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const finish = (code: number) => {
    clearTimeout(deadlineTimer);
    realExit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    state.draining = true;
    deadline = Date.now() + options.timeoutMs;
    options.log.info({ signal, timeout_ms: options.timeoutMs }, "shutting down: finishing requests, then draining");
    // Past the deadline (a client holding a connection open keeps Next's server.close() from ever
    // finishing), drain whatever is queued and exit regardless.
    deadlineTimer = setTimeout(() => {
      options.log.error({ in_flight: options.inFlight() }, "shutdown deadline reached with requests still open");
      void runDrain().finally(() => finish(1));
    }, options.timeoutMs).unref();
    if (nextHandles) {
      // Next's handler closes the server, waits for in-flight requests, then exits: hold that exit.
      proc.exit = ((code?: number) => {
        void runDrain().then((clean) => finish(clean ? (code ?? 0) : 1));
      }) as typeof proc.exit;
      return;
    }
    void (async () => {
      for (const server of options.servers()) server.close();
      while (options.inFlight() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const clean = await runDrain();
      // 128 + the signal's number, as Next's own handler exits: the process ended because it was told to.
      finish(clean ? (signal === "SIGINT" ? 130 : 143) : 1);
    })();
  };
  // Once per process (a dev server may load this module again); tests bring their own process.
  if (options.process || !state.installed) {
    if (!options.process) state.installed = true;
    proc.once("SIGTERM", onSignal);
    proc.once("SIGINT", onSignal);
  }
  return onSignal;
}

/**
 * The worker's handling: on the first SIGTERM/SIGINT, drain (bounded by `timeoutMs`) and exit 0, or 1
 * when queued audit events could not be written.
 */
export function installWorkerShutdown(steps: () => DrainSteps, log: Logger, timeoutMs: number, before?: () => void): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    state.draining = true;
    log.info({ signal }, "worker stopping");
    before?.();
    void drain(steps(), log, Date.now() + timeoutMs).then((clean) => process.exit(clean ? 0 : 1));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
