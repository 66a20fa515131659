// The two servers scripts/check-multi.ts puts around the instances: an OpenID provider whose token
// endpoint rotates refresh tokens and counts any presented twice, and the round-robin proxy in front.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** The OAuth client the demo provider expects (its secret is passed to the instances). */
export const CLIENT = { id: "latchkey-demo", secret: randomBytes(24).toString("base64url") };

/**
 * An OpenID provider's discovery document and token endpoint with refresh-token rotation: each refresh
 * token it issued is good once. A rotation counts as done when its answer has been handed to the
 * connection (`finish`), the moment a refresher can have received it.
 */
export async function startTokenServer(tokenLifetimeS: number) {
  const issued = new Map<string, { connection: string; spentAt: number | null }>();
  const live = new Map<string, string>();
  const duplicates: { connection: string; spentAt: number }[] = [];
  const stats = { granted: 0, badClient: 0, unknown: 0 };
  const issue = (connection: string) => {
    const token = `rt_${randomBytes(18).toString("base64url")}`;
    issued.set(token, { connection, spentAt: null });
    live.set(connection, token);
    return token;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/.well-known/openid-configuration") {
        return json(200, {
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["ES256"],
        });
      }
      if (req.method !== "POST" || req.url !== "/token") return json(404, { error: "not_found" });
      const [id, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
        .toString("utf8")
        .split(":")
        .map((p) => decodeURIComponent(p.replaceAll("+", " ")));
      if (id !== CLIENT.id || secret !== CLIENT.secret) {
        stats.badClient++;
        return json(401, { error: "invalid_client" });
      }
      const presented = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("refresh_token") ?? "";
      const token = issued.get(presented);
      if (!token) {
        stats.unknown++;
        return json(400, { error: "invalid_grant" });
      }
      if (token.spentAt !== null) {
        duplicates.push({ connection: token.connection, spentAt: token.spentAt });
        return json(400, { error: "invalid_grant", error_description: "refresh token already used" });
      }
      // A real provider's latency, so refreshes of different processes overlap.
      setTimeout(
        () => {
          const next = issue(token.connection);
          res.once("finish", () => {
            token.spentAt = Date.now();
            stats.granted++;
          });
          json(200, {
            access_token: `at_${randomBytes(18).toString("base64url")}`,
            token_type: "Bearer",
            expires_in: tokenLifetimeS,
            refresh_token: next,
          });
        },
        3 + Math.random() * 10,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, issue, live, duplicates, stats, close: () => (server.closeAllConnections(), server.close()) };
}

/** A round-robin HTTP proxy over the instances' ports; a refused connection is tried on the next one. */
export async function startProxy(port: number, upstreams: number[]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const target = upstreams[next++ % upstreams.length] as number;
        const upstream = http.request(
          { host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "x-check-upstream": String(target) });
            answer.pipe(res);
          },
        );
        upstream.on("error", (error: NodeJS.ErrnoException) => {
          // Never sent: safe to send elsewhere, whatever the method (what a load balancer does too).
          if (error.code === "ECONNREFUSED" && tries + 1 < upstreams.length) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { close: () => (server.closeAllConnections(), server.close(), agent.destroy()) };
}
