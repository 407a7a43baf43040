#!/usr/bin/env bash
# Install the Debian packages the tests and the lab drive (.ci/apt-packages), as root.
# Used by .ci/run and by `npm run lab` when a lab tool is missing.
# Packages such as postfix and nsd are installed for their binaries only: the lab runs them inside
# its own network namespaces with private configs. Keep their maintainer scripts from configuring
# or starting host-wide daemons: postfix gets "No configuration", and a policy-rc.d denies service
# starts for the duration of the install (an existing policy-rc.d is put back afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "install-debian-packages: run as root" >&2; exit 1; }

echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then saved=$(mktemp); cp -p "$policy" "$saved"; fi
printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
restore_policy() { if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi; }
trap restore_policy EXIT
mapfile -t packages < <(grep -Ev '^[[:space:]]*(#|$)' .ci/apt-packages)
apt-get -o Acquire::Retries=3 update -qq
apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
