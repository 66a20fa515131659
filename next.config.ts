import type { NextConfig } from "next";
import { env } from "./lib/env";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

// Validate configuration at build and start: a bad value stops here with the variable's name.
// next-auth reads its own base URL variable; derive it from ours so one setting is enough.
process.env.NEXTAUTH_URL ??= env().LATCHKEY_URL;

const nextConfig: NextConfig = {
  // Separate build folders let several e2e runs (each on its own port) build side by side.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // PGlite loads its WASM and data files relative to its own module; pino uses worker threads;
  // rate-limiter-flexible's drizzle store imports drizzle-orm by a computed name at run time; the source
  // scanner's @ast-grep/napi is a native addon and its Python grammar a shared library found by path.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres", "rate-limiter-flexible", "@ast-grep/napi", "@ast-grep/lang-python"],
  // Source archives are uploaded through a server action: up to 20 MiB (lib/scan/archive.ts) plus the form.
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "21mb" } },
  // A self-contained server (`.next/standalone/server.js` with only the node_modules it uses) for the
  // container image; scripts/build-standalone.sh adds the static files, migrations and operator commands.
  output: "standalone",
  // `*.bench.ts` files are routes only in `npm run bench:runtime`'s own build (it sets LATCHKEY_BENCH_ROUTES=1):
  // the bare baseline route app/api/v1/%5Fbench/route.bench.ts never ships in a production build.
  pageExtensions: process.env.LATCHKEY_BENCH_ROUTES === "1" ? ["tsx", "ts", "jsx", "js", "bench.ts"] : ["tsx", "ts", "jsx", "js"],
  poweredByHeader: false,
  typedRoutes: false,
  // Headers that are the same for every response; proxy.ts adds the per-request ones (CSP, HSTS).
  async headers() {
    return [{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default nextConfig;
