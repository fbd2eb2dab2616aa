# The Testgate app image (server and worker share it; compose picks the command).
# Workspace packages run as TypeScript source through tsx: there is no build step.
FROM node:20-bookworm-slim
# python3-pip: the worker resolves and downloads each project's dependencies as wheels on
# the trusted side (packages/environment); nothing of a package runs here, they install in
# the sandbox.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates debootstrap \
      python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*
RUN corepack enable
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV TESTGATE_CACHE_DIR=/home/node/.cache/testgate
USER node
