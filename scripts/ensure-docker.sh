#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs docker.io from Debian apt when dockerd is
# missing, and starts `dockerd --bridge=none --iptables=false` in the background when the
# engine does not answer (sandboxes run with NetworkMode none, so no bridge is wanted).
# Idempotent: does nothing when `docker info` already works.
set -euo pipefail
log() { echo "ensure-docker: $*" >&2; }
if docker info >/dev/null 2>&1; then log "engine answers"; exit 0; fi
sudo_cmd=""
[ "$(id -u)" = 0 ] || sudo_cmd="sudo"
if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian apt"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq docker.io >/dev/null
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine"; exit 1
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd --bridge=none --iptables=false (log: /var/log/testgate-dockerd.log)"
  # setsid + nohup: the engine outlives this script and the shell that ran it.
  $sudo_cmd setsid nohup dockerd --bridge=none --iptables=false >/var/log/testgate-dockerd.log 2>&1 </dev/null &
fi
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then log "engine answers"; exit 0; fi
  sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/testgate-dockerd.log"
tail -20 /var/log/testgate-dockerd.log >&2 || true
exit 1
