#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: Debian's nginx (the tests run it
# on loopback in front of the gateway), uWSGI with its Python plugin and wrk (benchmark baselines),
# autotools (aws-lambda-ric's native build), then the npm packages and npm's node@20/22/24 binaries.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(nginx uwsgi uwsgi-plugin-python3 wrk autoconf automake libtool make g++ cmake python3 openssl systemd logrotate curl)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing apt packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
# Tool folders with their own lockfiles (kept out of the package's dependencies).
for dir in test/helpers/ric; do
  if [ -f "$dir/package.json" ]; then
    npm ci --no-audit --no-fund --prefix "$dir"
  fi
done
# npm test runs the suite on this Node and on Node 24; the packed-tarball quick start test runs on
# Node 20, 22 and 24. npm's node@N packages provide the binaries (fetched once, then cached).
for major in 20 22 24; do
  npx -y -p "node@$major" -- node -e "console.log('setup: node@$major is ' + process.version)"
done
echo "setup: done"
