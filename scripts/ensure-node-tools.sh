#!/usr/bin/env bash
# Contract tools the API teams run, pinned and installed locally into .node-tools/ (git-ignored):
# Spectral (OAS ruleset, `make lint`) and Specmatic (its jar ships inside the npm package; it runs
# on Debian's Java). Idempotent: nothing is installed when the pinned versions are already there.
# Node/npm and a Java runtime come from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SPECTRAL_VERSION=6.16.3
SPECMATIC_VERSION=2.55.1
PREFIX=.node-tools
STAMP="$PREFIX/.installed-spectral-$SPECTRAL_VERSION-specmatic-$SPECMATIC_VERSION"
[ -f "$STAMP" ] && exit 0
need=()
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p "$PREFIX"
echo "installing @stoplight/spectral-cli@$SPECTRAL_VERSION and specmatic@$SPECMATIC_VERSION into $PREFIX" >&2
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --loglevel=error \
  "@stoplight/spectral-cli@$SPECTRAL_VERSION" "specmatic@$SPECMATIC_VERSION" >&2
rm -f "$PREFIX"/.installed-*
touch "$STAMP"
