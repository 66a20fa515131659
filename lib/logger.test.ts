import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SecretValue } from "@/lib/crypto/secret-value";
import { createLogger } from "@/lib/logger";

function capture(): { destination: { write: (line: string) => void }; text: () => string; lines: () => unknown[] } {
  const chunks: string[] = [];
  return {
    destination: { write: (line: string) => void chunks.push(line) },
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as unknown),
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("logger redaction", () => {
  it("redacts secret fields at the top level and nested, and keeps the rest of the line", () => {
    const canary = `canary-${randomBytes(12).toString("hex")}`;
    const out = capture();
    const log = createLogger(out.destination, { level: "info" });
    log.info(
      {
        value: canary,
        stored: { name: "GITHUB_TOKEN", value: canary },
        secret: { value: canary },
        req: { method: "POST", headers: { authorization: `Bearer ${canary}`, cookie: `session=${canary}` } },
        upstream: { tokens: { access_token: canary, refresh_token: canary, id_token: canary } },
        oauth: { client_secret: canary },
        password: canary,
        plaintext: canary,
        token: canary,
        payload: SecretValue.from(canary),
      },
      "stored secret",
    );
    expect(out.text()).not.toContain(canary);
    const [line] = out.lines();
    expect(line).toMatchObject({
      msg: "stored secret",
      stored: { name: "GITHUB_TOKEN", value: "[redacted]" },
      secret: "[redacted]",
      req: { method: "POST", headers: { authorization: "[redacted]", cookie: "[redacted]" } },
      upstream: { tokens: { access_token: "[redacted]", refresh_token: "[redacted]", id_token: "[redacted]" } },
      payload: "[redacted]",
    });
  });

  it("redacts inside arrays of objects", () => {
    const canary = `canary-${randomBytes(12).toString("hex")}`;
    const out = capture();
    createLogger(out.destination, { level: "info" }).info({ secrets: [{ name: "A", value: canary }] });
    expect(out.text()).not.toContain(canary);
    expect(out.text()).toContain('"name":"A"');
  });

  it("does not mutate the object that was logged", () => {
    const out = capture();
    const record = { secret: { value: "kept" } };
    createLogger(out.destination, { level: "info" }).info(record);
    expect(record.secret.value).toBe("kept");
  });
});

describe("logger level", () => {
  it("is silent by default under vitest and follows LOG_LEVEL when set", () => {
    vi.stubEnv("LOG_LEVEL", "");
    expect(createLogger().level).toBe("silent");
    vi.stubEnv("LOG_LEVEL", "debug");
    expect(createLogger().level).toBe("debug");
  });

  it("falls back to info and says so when LOG_LEVEL is not a level", () => {
    vi.stubEnv("LOG_LEVEL", "loud");
    const out = capture();
    const log = createLogger(out.destination);
    expect(log.level).toBe("info");
    expect(out.text()).toContain("LOG_LEVEL");
  });

  it("drops lines below the level", () => {
    const out = capture();
    const log = createLogger(out.destination, { level: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(out.text()).not.toContain("hidden");
    expect(out.text()).toContain("shown");
  });
});

describe("request id in log lines", () => {
  it("stamps every line written while a request is served with its id, and no id outside one", async () => {
    const { withRequestContext } = await import("@/lib/core/request-context");
    const out = capture();
    const log = createLogger(out.destination, { level: "info" });
    withRequestContext({ requestId: "req-log-1234" }, () => log.info("inside"));
    log.info("outside");
    const [inside, outside] = out.lines() as Record<string, unknown>[];
    expect(inside).toMatchObject({ msg: "inside", request_id: "req-log-1234" });
    expect(outside).not.toHaveProperty("request_id");
  });
});
