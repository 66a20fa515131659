// Failed authentications become one `auth.failure` event per (kind, address) and window, written when
// the window ends (time moved with fake timers), with a bounded number of open windows and reasons.
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthFailureLog, callerText } from "./failures";
import type { ReadRecord } from "./read-recorder";

afterEach(() => {
  vi.useRealTimers();
});

function sink() {
  const written: ReadRecord[] = [];
  return { written, record: (entry: ReadRecord) => void written.push(entry) };
}

const from = (ip: string | null) => ({ kind: "api" as const, ip, userAgent: "curl/8" });

describe("AuthFailureLog", () => {
  it("writes each window when it ends, not before", () => {
    vi.useFakeTimers({ now: new Date("2026-11-20T10:00:00Z") });
    const events = sink();
    const log = new AuthFailureLog(events);
    log.note("runtime_token", from("203.0.113.9"), "The token's signature does not verify.");
    vi.advanceTimersByTime(30_000);
    log.note("publisher_token", from("198.51.100.7"), "This API token is not valid.");
    log.note("runtime_token", from("203.0.113.9"), "The token's signature does not verify.");
    vi.advanceTimersByTime(30_000);
    expect(events.written.map((e) => [e.event.target, e.event.source.ip, e.event.details?.count])).toEqual([
      ["runtime_token", "203.0.113.9", 2],
    ]);
    vi.advanceTimersByTime(30_000);
    expect(events.written.map((e) => [e.event.target, e.event.source.ip, e.event.details?.count])).toEqual([
      ["runtime_token", "203.0.113.9", 2],
      ["publisher_token", "198.51.100.7", 1],
    ]);
    expect(log.open).toBe(0);
    expect(events.written[0]?.event).toMatchObject({
      action: "auth.failure",
      outcome: "failure",
      actor: { kind: "system", id: "unauthenticated" },
      source: { kind: "api", ip: "203.0.113.9", userAgent: "curl/8" },
      details: {
        first_at: "2026-11-20T10:00:00.000Z",
        last_at: "2026-11-20T10:00:30.000Z",
        window_seconds: 60,
        reasons: { "The token's signature does not verify.": 2 },
      },
    });
  });

  it("keeps at most five reasons, counting the rest as other", () => {
    const events = sink();
    const log = new AuthFailureLog(events, { timer: false });
    for (let i = 0; i < 8; i++) log.note("runtime_token", from(null), `reason ${i}`);
    log.flush({ all: true });
    expect(events.written).toHaveLength(1);
    expect(events.written[0]?.event.details).toMatchObject({
      count: 8,
      reasons: { "reason 0": 1, "reason 1": 1, "reason 2": 1, "reason 3": 1, "reason 4": 1, other: 3 },
    });
  });

  it("writes every open window early rather than hold more than maxOpen", () => {
    const events = sink();
    const log = new AuthFailureLog(events, { timer: false, maxOpen: 100 });
    for (let i = 0; i < 250; i++) log.note("runtime_token", from(`198.51.100.${i % 250}`), "bad");
    expect(log.open).toBeLessThanOrEqual(100);
    log.flush({ all: true });
    expect(events.written).toHaveLength(250);
  });
});

describe("callerText", () => {
  it("stores no control character (a NUL would fail the whole batch) and cuts at the limit", () => {
    expect(callerText("user.api\u0000key\n")).toBe("user.api\ufffdkey\ufffd");
    expect(callerText("x".repeat(500))).toHaveLength(200);
  });
});
