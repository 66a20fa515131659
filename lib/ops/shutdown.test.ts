// Graceful shutdown's order and bounds, with the process, its signals and its exit replaced: the drain
// runs only after in-flight requests are done (or Next's own exit came), background work stops before
// the last audit flush, a step that hangs cannot keep the process alive past the deadline, and the exit
// code says whether queued audit events were lost. (scripts/check-standalone.mjs sends a real SIGTERM to
// the production server during a burst of reads and counts the audit events.)
import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { drain, installServerShutdown, isDraining, type DrainSteps } from "./shutdown";

const silent = pino({ level: "silent" });

/** A process stand-in: signals through an emitter, exits recorded (resolving `exited`). */
function fakeProcess() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const proc = {
    exit(code?: number) {
      exits.push(code ?? 0);
      resolveExit(code ?? 0);
    },
    once: (event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => signals.once(event, listener),
  };
  return { proc, exits, exited, signal: (name: NodeJS.Signals) => signals.emit(name, name) };
}

/** Steps that record the order they ran in; `queued` is what the audit flush leaves behind. */
function recordingSteps(queued = 0) {
  const order: string[] = [];
  const steps: DrainSteps = {
    stopBackground: async () => void order.push("stop background"),
    flushAudit: async () => {
      order.push("flush audit");
      return queued;
    },
    close: async () => void order.push("close database"),
  };
  return { order, steps };
}

describe("drain", () => {
  it("writes queued audit events at once and again after background work stopped, then closes the database", async () => {
    const { order, steps } = recordingSteps();
    expect(await drain(steps, silent, Date.now() + 5000)).toBe(true);
    expect(order).toEqual(["stop background", "flush audit", "flush audit", "close database"]);
  });

  it("gives up on a step that hangs at the deadline, still closes the database, and reports the loss", async () => {
    const order: string[] = [];
    const clean = await drain(
      {
        stopBackground: () => new Promise(() => {}), // a refresh pass stuck on a provider
        flushAudit: () => new Promise(() => {}), // a database that no longer answers
        close: async () => void order.push("close database"),
      },
      silent,
      Date.now(),
    );
    expect(clean).toBe(false);
    expect(order).toEqual(["close database"]);
  });
});

describe("installServerShutdown", () => {
  it("under Next's own signal handling, holds Next's exit until the drain is done, then exits with Next's code", async () => {
    const { proc, exits, exited, signal } = fakeProcess();
    const { order, steps } = recordingSteps();
    installServerShutdown({
      steps: () => steps,
      log: silent,
      timeoutMs: 60_000,
      inFlight: () => 0,
      servers: () => [],
      nextHandlesSignals: true,
      process: proc,
    });
    signal("SIGTERM");
    expect(isDraining()).toBe(true);
    expect(order).toEqual([]); // Next is still closing its server and finishing requests
    proc.exit(143); // Next's cleanup, once the server closed
    expect(await exited).toBe(143);
    expect(exits).toEqual([143]);
    expect(order).toEqual(["stop background", "flush audit", "flush audit", "close database"]);
  });

  it("exits 1 when queued audit events could not be written", async () => {
    const { proc, exited, signal } = fakeProcess();
    const { steps } = recordingSteps(12);
    installServerShutdown({
      steps: () => steps,
      log: silent,
      timeoutMs: 60_000,
      inFlight: () => 0,
      servers: () => [],
      nextHandlesSignals: true,
      process: proc,
    });
    signal("SIGTERM");
    proc.exit(143);
    expect(await exited).toBe(1);
  });

  it("with NEXT_MANUAL_SIG_HANDLE, closes the servers itself and drains once in-flight requests are done", async () => {
    const { proc, exited, signal } = fakeProcess();
    const { order, steps } = recordingSteps();
    let inFlight = 2;
    const closed: string[] = [];
    const server = { close: () => void closed.push("server") } as unknown as Server;
    installServerShutdown({
      steps: () => {
        order.push(`drain with ${inFlight} in flight`);
        return steps;
      },
      log: silent,
      timeoutMs: 60_000,
      inFlight: () => (inFlight > 0 ? inFlight-- : 0),
      servers: () => [server],
      nextHandlesSignals: false,
      process: proc,
    });
    signal("SIGINT");
    expect(await exited).toBe(130);
    expect(closed).toEqual(["server"]);
    expect(order).toEqual(["drain with 0 in flight", "stop background", "flush audit", "flush audit", "close database"]);
  });
});
