#!/usr/bin/env bash
# Builds the production server as one self-contained folder, <distDir>/standalone (.next/standalone):
# Next's standalone output (server.js and only the node_modules the server uses) completed with what Next
# leaves out — the browser files (.next/static), public/, the migrations (drizzle/), the compiled operator
# commands (dist-scripts/: worker, keys:*, audit:verify, audit:archive, token:mint) and the node_modules those commands
# need. The Dockerfile runs exactly this, and CI runs it and then starts and checks the result
# (scripts/check-standalone.mjs), so what CI checked is what the image ships. Run it from anywhere:
#   scripts/build-standalone.sh && PORT=3000 node .next/standalone/server.js
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${NEXT_DIST_DIR:-.next}"
out="$dist/standalone"
export NEXT_TELEMETRY_DISABLED=1
started=$SECONDS

npm run -s build:scripts
npx next build

cp -r "$dist/static" "$out/$dist/static"
# Latchkey's own server (server.mjs: the runtime API's lean path in front of Next's handler) replaces the
# server.js Next wrote; server.js stays the entry point, so `node server.js` runs it.
cp server.mjs "$out/server.mjs"
printf '%s\n' '// Starts server.mjs (Latchkey'"'"'s server in front of Next; see that file).' \
  'import("./server.mjs").catch((error) => { console.error(error); process.exit(1); });' >"$out/server.js"
if [ -d public ]; then cp -r public "$out/public"; fi
rm -rf "$out/drizzle" "$out/dist-scripts"
cp -r drizzle dist-scripts "$out/"
# Demo mode starts this provider beside the app (lib/oauth/demo.ts): its entry point and the modules in
# its folder. Next's tracing finds them, but the image must not depend on that.
mkdir -p "$out/scripts"
rm -rf "$out/scripts/demo-oauth-provider"
cp -r scripts/demo-oauth-provider.mjs scripts/demo-oauth-provider "$out/scripts/"
node scripts/trace-commands.mjs "$out"

echo "build-standalone: $out is ready ($(du -sh "$out" | cut -f1), $((SECONDS - started)) s): node $out/server.js"
