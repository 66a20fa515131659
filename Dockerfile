# syntax=docker/dockerfile:1
# Latchkey's container image: one image for the app server and the worker.
#   docker build -t latchkey .
#   docker run -p 3000:3000 -e DATABASE_URL=… -e NEXTAUTH_SECRET=… latchkey                  # the app
#   docker run -e DATABASE_URL=… latchkey node dist-scripts/worker.mjs                     # the worker
# compose.yaml runs both with PostgreSQL. The build stage runs scripts/build-standalone.sh — the same script
# CI runs before it starts the result and checks it (scripts/check-standalone.mjs) — and the runtime stage
# holds only its output: Next's standalone server with the node_modules it uses, the migrations and the
# compiled operator commands, run as the unprivileged `node` user on a slim Node 20 base.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1 CI=true
# The lock file lists every platform's optional binaries, so `npm ci` takes it as it is.
COPY . .
RUN npm ci --no-audit --no-fund
RUN scripts/build-standalone.sh

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    LATCHKEY_DATA_DIR=/data
# Code and dependencies belong to root and are read-only to the process; it writes only to /data (the
# anchor file, the embedded database and key file if no DATABASE_URL / LATCHKEY_MASTER_KEY is given) and
# Next's cache.
COPY --from=build /src/.next/standalone ./
RUN mkdir -p /data .next/cache && chown node:node /data .next/cache
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness only: readiness (/api/ready) is the load balancer's business, and a database outage must not
# get healthy containers restarted.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains queued audit events and background work (LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS, default 25):
# give `docker stop -t` / terminationGracePeriodSeconds 30 or more.
STOPSIGNAL SIGTERM
CMD ["node", "server.js"]
