# Thin layer: the base image plus the harness, root-owned and read-only for the sandbox
# user. Built offline from the local base (no RUN, nothing pulled) by ensureSandboxImage,
# with the context holding only harness/ (packed by the host, uid 0, modes 0644/0755).
ARG BASE
FROM ${BASE}
COPY harness /opt/testgate/harness
USER 10001:10001
WORKDIR /work
