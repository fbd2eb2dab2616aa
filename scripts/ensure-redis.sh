#!/usr/bin/env bash
# Make sure a Redis answers on REDIS_URL's host and port (default 127.0.0.1:6379).
# Idempotent: does nothing when one is already running.
set -euo pipefail
port="${REDIS_PORT:-6379}"
ping() { (exec 3<>/dev/tcp/127.0.0.1/"$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ping; then exit 0; fi
if ! command -v redis-server >/dev/null; then
  echo "ensure-redis: installing redis-server from Debian" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
mkdir -p /var/lib/redis /var/log/redis
echo "ensure-redis: starting redis-server on 127.0.0.1:$port" >&2
redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 1 50); do ping && exit 0; sleep 0.2; done
echo "ensure-redis: Redis did not answer on 127.0.0.1:$port; see /var/log/redis/ci.log" >&2
exit 1
