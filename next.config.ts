import type { NextConfig } from "next";
import { env } from "./lib/env";

// Validate configuration at build and start: a bad value stops here with the variable's name.
// next-auth reads its own base URL variable; derive it from ours so one setting is enough.
process.env.NEXTAUTH_URL ??= env().LATCHKEY_URL;

const nextConfig: NextConfig = {
  // Separate build folders let several e2e runs (each on its own port) build side by side.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // PGlite loads its WASM and data files relative to its own module; pino uses worker threads.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres"],
  experimental: { authInterrupts: true },
  // `npm run typecheck` (run by CI before the tests) checks every file, tests included; the build's
  // own pass would repeat a subset of it and add ~40 s to every e2e and demo build.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
