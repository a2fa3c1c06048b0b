# leadrelay as an image: built with the dev tools, run without them (npm ci --omit=dev --omit=optional + dist/).
# Not built here (no image registry to pull node:20-slim from): see README → Run in production.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production LEADRELAY_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional too: the lockfile records the Prisma CLI and TypeScript as optional peers of
# @prisma/client, which --omit=dev alone keeps; the other optional packages are the embedded
# PostgreSQL's binaries, not needed with DATABASE_URL.
RUN npm ci --omit=dev --omit=optional && npm cache clean --force
# resvg (the digest's charts) ships its native part as an optional package per platform: the one
# the build stage installed for this same platform.
COPY --from=build /app/node_modules/@resvg ./node_modules/@resvg
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY prisma/migrations ./prisma/migrations
COPY teams ./teams
COPY leadrelay.example.yml manifest.yml ./
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 3000
# Liveness (/healthz), not readiness: Docker and Swarm act on an unhealthy container, and a
# database outage must not restart every instance. Load balancers ask /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm start` and the tests; exec form, so node gets the SIGTERM itself.
CMD ["node", "bin/leadrelay.mjs", "start"]
