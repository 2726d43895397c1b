# syntax=docker/dockerfile:1
# The API and the worker, from one build: `docker build --target api .` and `docker build --target worker .`
# (api is the default). Node 24 on Debian 12 (bookworm); the worker adds Debian's ffmpeg. Both run as the
# unprivileged `node` user (uid 1000), with tini as PID 1 so SIGTERM reaches Node, which drains as it does outside
# a container; they need nothing writable but /tmp (the worker's transcodes), so the root filesystem may be
# read-only. No secret is read at build time: configuration comes from the environment when the container starts.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY plugins plugins
COPY routes routes
COPY scripts/admin.ts scripts/admin.ts
COPY clients/ts clients/ts
COPY web web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf node_modules/.cache

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="microdrama-api" \
      org.opencontainers.image.description="Vertical micro-drama streaming backend: API and media worker" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED"
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TMPDIR=/tmp
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM runtime AS worker
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["node", "--max-semi-space-size=16", "--import", "./dist/src/telemetry-register.js", "dist/src/worker.js"]

FROM runtime AS api
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=104", "--import", "./dist/src/telemetry-register.js", "dist/src/server.js"]
