#!/usr/bin/env bash
# Build (once) a Debian 13 "trixie" root filesystem with the given packages installed, and print
# its path. Shared by the host config checkers (test/host) and the lab VM image builder.
#
#   lab/rootfs/build-rootfs.sh <package-list-file>
#
# The root is cached under ${MAILFORT_CACHE:-/var/cache/mailfort}/rootfs/<hash>, where <hash>
# covers this script, the suite, the mirror and the package list: a change to any of them builds
# a new root; otherwise the cached one is reused. A lock file serialises concurrent builders (two
# test processes, or the tests and the lab), and a root only appears under its final name once
# complete (built in a temporary directory, then renamed), so a crash never leaves a half root.
# Services never start inside it: usr/sbin/policy-rc.d denies them.
set -euo pipefail

die() { echo "build-rootfs: $*" >&2; exit 1; }
[[ $# -eq 1 && -r "$1" ]] || die "usage: $0 <package-list-file> (one Debian package per line)"
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"

SUITE=trixie
MIRROR=${MAILFORT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${MAILFORT_CACHE:-/var/cache/mailfort}/rootfs
mapfile -t PACKAGES < <(grep -v '^[[:space:]]*\(#\|$\)' "$1" | sort -u)
HASH=$( { cat "$0"; echo "$SUITE $MIRROR"; printf '%s\n' "${PACKAGES[@]}"; } | sha256sum | cut -c1-16)
ROOT=$CACHE/$HASH

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [[ -f $ROOT/.mailfort-rootfs-complete ]]; then echo "$ROOT"; exit 0; fi

TMP=$(mktemp -d "$CACHE/.build-$HASH.XXXXXX")
cleanup() {
  # Never delete through a live mount.
  if mountpoint -q "$TMP/proc"; then umount "$TMP/proc" || return 0; fi
  [[ -d $TMP ]] && rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT

start=$SECONDS
echo "build-rootfs: debootstrap $SUITE into $TMP (cold build, a few minutes)" >&2
debootstrap --variant=minbase "$SUITE" "$TMP" "$MIRROR" >&2

printf '#!/bin/sh\n# mailfort: never start services inside a build root\nexit 101\n' >"$TMP/usr/sbin/policy-rc.d"
chmod 0755 "$TMP/usr/sbin/policy-rc.d"
# Postfix asks how to configure itself: mailfort writes main.cf, so the answer is "No configuration".
echo "postfix postfix/main_mailer_type select No configuration" >"$TMP/tmp/debconf"
mount -t proc proc "$TMP/proc"
chroot "$TMP" debconf-set-selections /tmp/debconf
chroot "$TMP" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
chroot "$TMP" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >&2
chroot "$TMP" apt-get clean
umount "$TMP/proc"
printf '%s\n' "${PACKAGES[@]}" >"$TMP/.mailfort-rootfs-packages"
date -u +%FT%TZ >"$TMP/.mailfort-rootfs-complete"
mv "$TMP" "$ROOT"
trap - EXIT
echo "build-rootfs: built $ROOT in $((SECONDS - start)) s" >&2
echo "$ROOT"
