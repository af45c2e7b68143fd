# strisk as a container image: `docker build -t strisk .`, then
#   docker run --rm --network none -v "$PWD:/src:ro" strisk audit /src
# Multi-stage: the build stage has the dev dependencies (TypeScript, esbuild) and compiles dist/ and
# the CLI's bundle/; the runtime stage gets them, bin/ and the production dependencies only, and runs
# as `node`.
# The base is pinned by digest (node:20-bookworm-slim, linux/amd64+arm64 index, as pinned in public
# Dockerfiles; bump it deliberately). BASE is an argument so a build without a registry can pass a
# locally imported Node 20 base (scripts/build-image.sh does).
ARG BASE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${BASE} AS build
# Optional: an npm registry mirror (empty: npm's default).
ARG NPM_CONFIG_REGISTRY
WORKDIR /build
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/prepare.mjs scripts/bundle.mjs scripts/
COPY src src
# bin/ too: the build makes the bundle's V8 code cache by running the CLI once.
COPY bin bin
RUN node scripts/prepare.mjs

FROM ${BASE} AS deps
ARG NPM_CONFIG_REGISTRY
WORKDIR /build
COPY package.json package-lock.json ./
# No dev dependencies; install scripts off (tree-sitter-python's native build is not used: strisk
# loads its WASM grammar).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${BASE}
ENV NODE_ENV=production
WORKDIR /opt/strisk
COPY --from=deps /build/node_modules node_modules
COPY package.json LICENSE ./
COPY bin bin
COPY --from=build /build/dist dist
COPY --from=build /build/bundle bundle
USER node
WORKDIR /src
# A CLI that runs once and exits: there is no long-running service to health-check.
HEALTHCHECK NONE
ENTRYPOINT ["node", "/opt/strisk/bin/strisk.js"]
CMD ["--help"]
