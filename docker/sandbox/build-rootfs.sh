#!/usr/bin/env bash
# Offline path for machines without a registry: debootstrap a minimal bookworm with the
# pinned packages of packages.txt and import it as a Docker image. The Dockerfile beside
# this script is the registry path and must produce the same filesystem contract: same
# pinned packages, sandbox user uid/gid 10001, same ENV, no setuid bits.
# Usage: build-rootfs.sh IMAGE_TAG
# Normally called by ensureSandboxImage (packages/sandbox), which picks the tag
# testgate-sandbox-base:<content hash>; run scripts/ensure-image.sh rather than this.
set -euo pipefail
tag="${1:?usage: build-rootfs.sh IMAGE_TAG}"
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "build-rootfs.sh needs root (debootstrap and chroot)" >&2; exit 1; }
if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap" >&2
  # A fresh machine may have no apt lists yet.
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
work="$(mktemp -d /var/tmp/testgate-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
echo "debootstrap: minimal bookworm into $root (a few minutes)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
pkgs="$(grep -v '^#' "$here/packages.txt" | grep -v '^$' | tr '\n' ' ')"
echo "installing: $pkgs" >&2
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs" >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; exit 1; }
chroot "$root" /bin/sh -c "apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/* /var/tmp/* /usr/share/doc/* /usr/share/man/* /usr/share/info/*"
rm -f "$root/etc/resolv.conf"; : >"$root/etc/resolv.conf"
# Defence in depth next to no-new-privileges: nothing in the image can raise privileges.
find "$root" -xdev -type f -perm /6000 -exec chmod ug-s {} +
# The sandbox user (uid 10001) owns nothing in the image but the empty /env: /work and /tmp
# are tmpfs at run time, and /env is where a project's environment volume is mounted (the
# setup container fills a new volume as 10001; Docker copies this directory's owner to it).
echo 'sandbox:x:10001:10001::/tmp:/usr/sbin/nologin' >>"$root/etc/passwd"
echo 'sandbox:x:10001:' >>"$root/etc/group"
mkdir -p "$root/work" "$root/opt/testgate" "$root/env"
chown 10001:10001 "$root/env"
echo "docker import -> $tag" >&2
# docker import has no default PATH, so ENV sets the whole environment the sandbox sees.
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/tmp PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0' \
  -c 'USER 10001:10001' -c 'WORKDIR /work' - "$tag" >/dev/null
echo "built $tag" >&2
