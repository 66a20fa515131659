import { describe, expect, it } from "vitest";
import { createClient } from "./client";
import { EnvSecretStore } from "./dev-mode";
import {
  InvalidTokenError,
  LatchkeyNetworkError,
  NeedsReauthorizationError,
  SecretNotDeclaredError,
  SecretValueTooLargeError,
  SecretWriteForbiddenError,
  VaultUnavailableError,
} from "./errors";
import { MockSecretStore } from "./mock";

type Handler = (request: Request) => Response | Promise<Response>;

function fakeServer(handler: Handler) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request.clone());
    return handler(request);
  };
  return { seen, fetch };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const error = (status: number, code: string, message = code, extra: Record<string, unknown> = {}) =>
  json({ error: { code, message, ...extra } }, status);
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const token = `${b64url({ alg: "ES256" })}.${b64url({ installation: "11111111-2222-4333-8444-555555555555" })}.sig`;
const base = { baseUrl: "https://latchkey.example/", token, devMode: false };

describe("createClient", () => {
  it("reads a value with the bearer token, fresh on every call", async () => {
    const server = fakeServer(() => json({ ref: "user.spotify_api_key", value: "sk-1" }));
    const client = createClient({ ...base, fetch: server.fetch });
    expect(await client.secrets.get("spotify_api_key")).toBe("sk-1");
    expect(await client.secrets.get("spotify_api_key")).toBe("sk-1");
    expect(server.seen).toHaveLength(2); // no caching of values
    const [first] = server.seen;
    expect(first?.url).toBe("https://latchkey.example/api/v1/secrets/spotify_api_key");
    expect(first?.headers.get("authorization")).toBe(`Bearer ${token}`);
  });

  it("returns null for an unset secret and maps every other error to its class", async () => {
    const responses: Record<string, Response> = {
      "/api/v1/secrets/user.unset": error(404, "secret_not_set"),
      "/api/v1/secrets/user.nope": error(403, "secret_not_declared", '"user.nope" is not declared'),
      "/api/v1/secrets/user.api_key": error(403, "secret_write_forbidden", "user.api_key has write_mode='user'; only the panel can write"),
      "/api/v1/secrets/org.big": error(413, "secret_value_too_large", "too big", { max_bytes: 200 }),
      "/api/v1/oauth/token": error(409, "needs_reauthorization", "connect", { connect_url: "https://x/connect", missing_scopes: ["a"] }),
      "/api/v1/readiness": error(401, "invalid_token", "expired"),
    };
    const server = fakeServer((request) => responses[new URL(request.url).pathname]?.clone() ?? error(500, "internal_error"));
    const client = createClient({ ...base, fetch: server.fetch });
    expect(await client.secrets.get("user.unset")).toBeNull();
    await expect(client.secrets.get("user.nope")).rejects.toBeInstanceOf(SecretNotDeclaredError);
    const forbidden = await client.secrets.set("user.api_key", "x").catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(SecretWriteForbiddenError);
    expect((forbidden as Error).message).toBe("user.api_key has write_mode='user'; only the panel can write");
    const big = await client.secrets.set("org.big", "x".repeat(300)).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(SecretValueTooLargeError);
    expect((big as SecretValueTooLargeError).details.max_bytes).toBe(200);
    const reauth = await client.oauth.getToken({ provider: "spotify", scopes: ["a"] }).catch((e: unknown) => e);
    expect(reauth).toBeInstanceOf(NeedsReauthorizationError);
    expect((reauth as NeedsReauthorizationError).connectUrl).toBe("https://x/connect");
    expect((reauth as NeedsReauthorizationError).missingScopes).toEqual(["a"]);
    await expect(client.readiness()).rejects.toBeInstanceOf(InvalidTokenError);
    // None of these is retryable: one request each.
    expect(server.seen).toHaveLength(6);
  });

  it("retries 503 and network errors up to 3 attempts, then surfaces the typed error", async () => {
    let calls = 0;
    const flaky = fakeServer(() => (++calls < 3 ? error(503, "vault_unavailable") : json({ value: "v" })));
    expect(await createClient({ ...base, fetch: flaky.fetch }).secrets.get("user.k")).toBe("v");
    expect(flaky.seen).toHaveLength(3);

    const down = fakeServer(() => error(503, "vault_unavailable", "The vault is unavailable"));
    await expect(createClient({ ...base, fetch: down.fetch }).secrets.get("user.k")).rejects.toBeInstanceOf(VaultUnavailableError);
    expect(down.seen).toHaveLength(3);

    let failures = 0;
    const network = fakeServer(() => {
      if (failures++ === 0) throw new TypeError("fetch failed");
      return json({ ref: "user.k", was_set: true });
    });
    expect(await createClient({ ...base, fetch: network.fetch }).secrets.delete("user.k")).toEqual({ wasSet: true });
    expect(network.seen).toHaveLength(2);
  });

  it("gives up on a request that takes longer than the timeout", async () => {
    const hang = async (request: Request) =>
      new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    const started = Date.now();
    const failure = await createClient({ ...base, fetch: hang, timeoutMs: 50, attempts: 2 })
      .secrets.get("user.k")
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LatchkeyNetworkError);
    expect((failure as LatchkeyNetworkError).code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("asks a token function for the current token on every request", async () => {
    let n = 0;
    const server = fakeServer(() => json({ secrets: [] }));
    const client = createClient({ ...base, token: () => `t${++n}`, fetch: server.fetch });
    await client.secrets.list();
    await client.secrets.list();
    expect(server.seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("builds the installation's canonical webhook URL from the token", async () => {
    const client = createClient({ ...base, fetch: fakeServer(() => json({})).fetch });
    expect(await client.webhookUrl("/callback")).toBe(
      "https://latchkey.example/api/v1/hooks/11111111-2222-4333-8444-555555555555/callback",
    );
  });
});

describe("dev mode", () => {
  const declared = {
    "user.spotify_api_key": { writeMode: "user" as const },
    "user.spotify_refresh_token": { writeMode: "extension" as const },
  };

  it("reads LATCHKEY_SECRET_<NAME> for declared names only", async () => {
    const env: Record<string, string | undefined> = { LATCHKEY_SECRET_SPOTIFY_API_KEY: "dev-stub-token", LATCHKEY_SECRET_OTHER: "x" };
    const store = new EnvSecretStore(declared, env);
    expect(await store.get("spotify_api_key")).toBe("dev-stub-token");
    expect(await store.get("user.spotify_api_key")).toBe("dev-stub-token");
    expect(await store.get("spotify_refresh_token")).toBeNull();
    await expect(store.get("other")).rejects.toBeInstanceOf(SecretNotDeclaredError);
    await expect(store.set("spotify_api_key", "x")).rejects.toBeInstanceOf(SecretWriteForbiddenError);
    await store.set("spotify_refresh_token", "rt");
    expect(env.LATCHKEY_SECRET_SPOTIFY_REFRESH_TOKEN).toBe("rt");
  });

  it("is what createClient returns when LATCHKEY_DEV_MODE=1, and insists on the declarations", async () => {
    process.env.LATCHKEY_DEV_MODE = "1";
    process.env.LATCHKEY_SECRET_SPOTIFY_API_KEY = "from-env";
    try {
      expect(() => createClient({ baseUrl: "http://x", token: "t" })).toThrow(/declared/);
      const client = createClient({
        baseUrl: "http://x",
        token: "t",
        declared,
        fetch: () => Promise.reject(new Error("no network in dev mode")),
      });
      expect(await client.secrets.get("spotify_api_key")).toBe("from-env");
      await expect(client.secrets.get("undeclared")).rejects.toBeInstanceOf(SecretNotDeclaredError);
      await expect(client.oauth.getToken({ provider: "spotify" })).rejects.toBeInstanceOf(NeedsReauthorizationError);
    } finally {
      delete process.env.LATCHKEY_DEV_MODE;
      delete process.env.LATCHKEY_SECRET_SPOTIFY_API_KEY;
    }
  });
});

describe("MockSecretStore", () => {
  it("behaves like the server: declared names only, write modes and sizes enforced, calls recorded by name", async () => {
    const store = new MockSecretStore(
      { spotify_api_key: "sk-test-12345" },
      {
        declared: {
          spotify_api_key: { writeMode: "user" },
          spotify_refresh_token: { writeMode: "extension", maxBytes: 8 },
          "ext.client_id": {},
        },
      },
    );
    expect(await store.get("spotify_api_key")).toBe("sk-test-12345");
    expect(await store.isSet("spotify_refresh_token")).toBe(false);
    await expect(store.get("not_declared")).rejects.toBeInstanceOf(SecretNotDeclaredError);
    await expect(store.set("spotify_api_key", "abc")).rejects.toBeInstanceOf(SecretWriteForbiddenError);
    await expect(store.set("ext.client_id", "abc")).rejects.toBeInstanceOf(SecretWriteForbiddenError);
    await expect(store.set("spotify_refresh_token", "123456789")).rejects.toBeInstanceOf(SecretValueTooLargeError);
    await store.set("spotify_refresh_token", "rt");
    expect(store.wasWritten("user.spotify_refresh_token")).toBe(true);
    expect(await store.delete("spotify_refresh_token")).toEqual({ wasSet: true });
    expect((await store.list()).map((s) => [s.ref, s.is_set])).toEqual([
      ["user.spotify_api_key", true],
      ["user.spotify_refresh_token", false],
      ["ext.client_id", false],
    ]);
    expect(JSON.stringify(store.calls)).not.toContain("sk-test-12345");
  });

  it("refuses initial values for undeclared names", () => {
    expect(() => new MockSecretStore({ stray: "x" }, { declared: ["spotify_api_key"] })).toThrow(SecretNotDeclaredError);
  });
});
