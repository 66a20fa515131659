// The loopback OAuth token endpoint of bench:refresh: the refresh_token grant with rotation (each refresh
// token valid once, as strict providers do), counting every duplicate presentation; optionally holding
// its answers to play a slow provider.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** The OAuth client the bench's provider extension is configured with. */
export const CLIENT = { id: "bench-client", secret: randomBytes(16).toString("hex") };
/** Lifetime of every access token the endpoint grants, in seconds. */
export const EXPIRES_IN_S = 3600;
/** A slow provider: answers are held until release(), and never longer than this (bounded). */
export const HOLD_MAX_MS = 8_000;

interface IssuedToken {
  connectionId: string;
  spent: boolean;
}

/** What the endpoint has issued and counted. */
interface Ledger {
  issued: Map<string, IssuedToken>;
  /** The one unspent refresh token of each connection: what the database must hold when all is done. */
  live: Map<string, string>;
  stats: { requests: number; granted: number; duplicates: number; unknown: number; badClient: number; badRequest: number };
  issue(connectionId: string): string;
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before base64 (clients differ in what they escape).
function clientAuthenticated(header: string | undefined): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "");
  const [id, secret] = Buffer.from(match?.[1] ?? "", "base64")
    .toString("utf8")
    .split(":")
    .map((part) => decodeURIComponent(part.replaceAll("+", " ")));
  return id === CLIENT.id && secret === CLIENT.secret;
}

/** The endpoint's answer to one request (status and JSON body), counted in the ledger. */
function grant(ledger: Ledger, req: http.IncomingMessage, body: Buffer): [number, Record<string, unknown>] {
  const { issued, stats } = ledger;
  if (req.method !== "POST" || req.url !== "/token") return [404, { error: "not_found" }];
  stats.requests++;
  if (!clientAuthenticated(req.headers.authorization)) {
    stats.badClient++;
    return [401, { error: "invalid_client" }];
  }
  const form = new URLSearchParams(body.toString("utf8"));
  const presented = form.get("refresh_token") ?? "";
  if (form.get("grant_type") !== "refresh_token" || !presented) {
    stats.badRequest++;
    return [400, { error: "invalid_request" }];
  }
  const token = issued.get(presented);
  if (!token) {
    stats.unknown++;
    return [400, { error: "invalid_grant", error_description: "unknown refresh token" }];
  }
  if (token.spent) {
    stats.duplicates++;
    return [400, { error: "invalid_grant", error_description: "refresh token already used" }];
  }
  token.spent = true;
  stats.granted++;
  return [
    200,
    {
      access_token: `at_${randomBytes(24).toString("base64url")}`,
      token_type: "Bearer",
      expires_in: EXPIRES_IN_S,
      refresh_token: ledger.issue(token.connectionId),
    },
  ];
}

/** Presents a refresh token to the endpoint at `base` again, as a process that missed a rotation would. */
async function replay(base: string, spentToken: string) {
  const response = await fetch(`${base}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: spentToken }),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

/**
 * A token endpoint implementing the refresh_token grant with rotation: every refresh token it issued is
 * accepted once and answered with a new access token and a new refresh token. A spent one presented
 * again is a duplicate refresh (counted, answered invalid_grant like a strict provider would). With
 * `hold`, each answer waits until release() (or HOLD_MAX_MS) instead of the usual 5–20 ms.
 */
export async function startTokenServer(options: { hold?: boolean } = {}) {
  const held = new Set<() => void>();
  let onHeld: (() => void) | null = null;
  const issued = new Map<string, IssuedToken>();
  const live = new Map<string, string>();
  const stats = { requests: 0, granted: 0, duplicates: 0, unknown: 0, badClient: 0, badRequest: 0 };
  const issue = (connectionId: string) => {
    const token = `rt_${randomBytes(24).toString("base64url")}`;
    issued.set(token, { connectionId, spent: false });
    live.set(connectionId, token);
    return token;
  };
  const ledger: Ledger = { issued, live, stats, issue };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const respond = () => {
        const [status, body] = grant(ledger, req, Buffer.concat(chunks));
        res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify(body));
      };
      // Request-to-response time of a real provider, so refreshes overlap as they would in production.
      const latencyMs = 5 + Math.random() * 15;
      if (!options.hold) return void setTimeout(respond, latencyMs);
      const go = () => {
        clearTimeout(cap);
        if (held.delete(go)) respond();
      };
      const cap = setTimeout(go, HOLD_MAX_MS);
      held.add(go);
      onHeld?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    stats,
    issue,
    live,
    /** Answers held right now. */
    held: () => held.size,
    /** Resolves once `n` answers are held at the same time, or after `timeoutMs` (then with how many were). */
    async heldAtLeast(n: number, timeoutMs: number): Promise<number> {
      const deadline = performance.now() + timeoutMs;
      while (held.size < n && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          onHeld = resolve;
          setTimeout(resolve, Math.max(0, deadline - performance.now()));
        });
      }
      onHeld = null;
      return held.size;
    },
    /** Answers every held request now. */
    release() {
      for (const go of [...held]) go();
    },
    /** A refresh token already accepted once, if any. */
    spentToken(): string | null {
      for (const [token, { spent }] of issued) if (spent) return token;
      return null;
    },
    /** Presents a refresh token again, as a process that missed a rotation would. */
    replay: (spentToken: string) => replay(base, spentToken),
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The running endpoint: its base URL, counters, issued tokens, and the controls above. */
export type TokenServer = Awaited<ReturnType<typeof startTokenServer>>;
