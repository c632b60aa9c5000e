#!/usr/bin/env bash
# `npm run test:vscode`: the extension in a real VS Code (code-server, driven by headless Chromium).
#  (a) the mocha suite in test/vscode/suite runs inside the real extension host (unpackaged extension);
#  (b) Playwright UI checks through the command palette on the packaged VSIX, with screenshots.
# Artifacts (screenshots, code-server and extension host logs) go to $OUT (default .e2e-out).
# SKIP_EXTTESTS=1 or SKIP_UI=1 runs only the other half (while working on one of them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-$ROOT/.e2e-out}
TOOLS=$(bash scripts/setup-vscode-tests.sh | tail -n 1)
T0=$SECONDS
log() { echo "[test:vscode +$((SECONDS - T0))s] $*"; }

npm run --silent package >/dev/null
node test/vscode/build.mjs
VSIX=$ROOT/punie-$(node -p 'require("./package.json").version').vsix
log "built and packaged $(basename "$VSIX")"

export PATH="$TOOLS/node_modules/.bin:$PATH" TOOLS
CS="$TOOLS/cs/node_modules/.bin/code-server"
RUN=$(mktemp -d /tmp/punie-vscode-XXXXXX)
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# code-server writes config.yaml under XDG_CONFIG_HOME; Chromium writes under HOME: keep both in the run dir.
export XDG_CONFIG_HOME=$RUN/xdg-config XDG_DATA_HOME=$RUN/xdg-data HOME=$RUN/home
rm -rf "$OUT" && mkdir -p "$RUN/ud/User" "$RUN/ext" "$RUN/ws" "$RUN/home" "$OUT"
cat > "$RUN/ud/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "chat.disableAIFeatures": true, "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false, "extensions.autoCheckUpdates": false, "update.mode": "none",
  "workbench.enableExperiments": false, "security.workspace.trust.enabled": false,
  "workbench.tips.enabled": false, "git.enabled": false, "workbench.secondarySideBar.defaultVisibility": "hidden" }
JSON
"$CS" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" --install-extension "$VSIX" >"$OUT/install.log" 2>&1
setsid "$CS" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
  --vscode-option enable-smoke-test-driver "$RUN/ws" >"$OUT/code-server.log" 2>&1 &
CS_PID=$!
cleanup() {
  kill -- -"$CS_PID" 2>/dev/null || true   # the whole process group: the wrapper alone leaves orphans
  cp -r "$RUN/ud/logs" "$OUT/vscode-logs" 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
log "code-server $("$CS" --version | head -n 1) up on 127.0.0.1:$PORT"

rc=0
[ -n "${SKIP_EXTTESTS:-}" ] || OUT="$OUT" SCHEME_PREFIX="vscode-remote://127.0.0.1:$PORT" node test/vscode/exttests.mjs "http://127.0.0.1:$PORT/" "$ROOT" "$ROOT/out/test/vscode/index.js" "$RUN/ws" || rc=1
log "extension-host suite done (rc=$rc)"
mkdir -p "$RUN/ws2"
# The UI checks use a paced test model, so that an answer is still streaming when Escape stops it.
sed -i 's/^{ /{ "punie.model": "test?delayMs=25", /' "$RUN/ud/User/settings.json"
[ -n "${SKIP_UI:-}" ] || SETTINGS="$RUN/ud/User/settings.json" node test/vscode/ui.mjs "http://127.0.0.1:$PORT/?folder=$RUN/ws2" "$OUT" || rc=1
log "UI checks done (rc=$rc); artifacts in $OUT"
exit $rc
