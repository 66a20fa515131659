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
  // rate-limiter-flexible's drizzle store imports drizzle-orm by a computed name at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres", "rate-limiter-flexible"],
  experimental: { authInterrupts: true },
  // `npm run typecheck` (run by CI before the tests) checks every file, tests included; the build's
  // own pass would repeat a subset of it and add ~40 s to every e2e and demo build.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  typedRoutes: false,
  // Headers that are the same for every response; proxy.ts adds the per-request ones (CSP, HSTS).
  async headers() {
    return [{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default nextConfig;
