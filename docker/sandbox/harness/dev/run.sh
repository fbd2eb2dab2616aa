#!/usr/bin/env bash
# Run the harness on a request dir by hand, like the host does (no network, read-only root).
# Usage: dev/run.sh REQDIR [IMAGE]   REQDIR holds request.json, base/, head/, candidates/
set -euo pipefail
req="$1"; image="${2:-testgate-harness-dev:latest}"
python3 "$(dirname "$0")/make_tar.py" "$req" | docker run -i --rm --network none --read-only \
  --tmpfs /work:uid=10001,exec,size=512m --tmpfs /tmp:uid=10001,exec,size=256m --user 10001 \
  --cap-drop ALL --security-opt no-new-privileges --init --memory 1g --memory-swap 1g --pids-limit 256 --cpus 1.5 \
  -e HOME=/tmp -e PYTHONDONTWRITEBYTECODE=1 -e PYTHONHASHSEED=0 \
  "$image" python3 -I /opt/testgate/harness/main.py
