// The runtime API's two ways in, for tests that must hold for both: in process (`runtimeApi.handle`,
// what Next's route handlers call) and over real HTTP through the lean path's Node listener
// (lib/runtime/node-listener.ts, what server.mjs puts in front of Next). Each API gets its own loopback
// server the first time a request is sent to it; closeRuntimeServers() ends them all.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RuntimeApi } from "@/lib/runtime/api";
import { runtimeListener } from "@/lib/runtime/node-listener";

/** Sends a Fetch request (whose URL names Latchkey's public origin) to a runtime API and answers its response. */
export type RuntimeTransport = (api: RuntimeApi, request: Request) => Promise<Response>;

export const inProcess: RuntimeTransport = (api, request) => api.handle(request);

const servers = new Map<RuntimeApi, Promise<{ port: number; server: http.Server }>>();

/**
 * The lean path over loopback HTTP: the request's method, path, headers and body are sent to a node:http
 * server whose only listener is runtimeListener (a path it does not take is answered 404 `not a runtime
 * route`, so a test cannot pass by reaching anything else).
 */
export function overHttp(options: { baseUrl: string; trustedProxyHops: number }): RuntimeTransport {
  return async (api, request) => {
    let serving = servers.get(api);
    if (!serving) {
      serving = new Promise((resolve) => {
        const listener = runtimeListener({ api: async () => api, ...options });
        const server = http.createServer((req, res) => {
          if (listener(req, res)) return;
          res.writeHead(404, { "content-type": "text/plain" }).end("not a runtime route");
        });
        server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as AddressInfo).port, server }));
      });
      servers.set(api, serving);
    }
    const { port } = await serving;
    const url = new URL(request.url);
    const body = request.body ? await request.arrayBuffer() : undefined;
    return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body });
  };
}

/** Closes every server overHttp started. */
export async function closeRuntimeServers(): Promise<void> {
  const all = await Promise.all(servers.values());
  servers.clear();
  await Promise.all(
    all.map(({ server }) => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    }),
  );
}
