# The Testgate app image (server and worker share it; compose picks the command).
# Workspace packages run as TypeScript source through tsx: there is no build step.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates debootstrap \
    && rm -rf /var/lib/apt/lists/*
RUN corepack enable
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
USER node
