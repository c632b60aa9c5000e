/**
 * Bench fixture (bench/e2eLatency.bench.ts): the floor of the latency a chat webview can reach in this VS Code.
 * A bare extension posts stamped messages at a set rate, each the size of one of the chat's op messages, to a
 * webview that puts each into its DOM on the next frame, with no server, client, batching or markdown between.
 */
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('punieBench.relayFloor', () => {
      const panel = vscode.window.createWebviewPanel('relayFloor', 'Relay floor', vscode.ViewColumn.One, { enableScripts: true });
      let timer;
      panel.onDidDispose(() => clearTimeout(timer));
      panel.webview.onDidReceiveMessage((message) => {
        if (message?.type !== 'start') return;
        clearTimeout(timer);
        const started = Date.now();
        let sent = 0;
        // Paced like the test model: chunk i is due at started + i / rate, so a late timer catches up.
        const tick = () => {
          const due = Math.floor(((Date.now() - started) * message.rate) / 1000) + 1;
          for (; sent < Math.min(due, message.count); sent++) {
            const text = `[${sent}@${Date.now()}]`.padEnd(message.size, '.');
            void panel.webview.postMessage({ type: 'ops', ops: [{ op: 'append', id: 'agent-00000000-0000-4000-8000-000000000000', text }] });
          }
          if (sent < message.count) timer = setTimeout(tick, Math.max(0, started + (sent * 1000) / message.rate - Date.now()));
        };
        tick();
      });
      panel.webview.html = html();
    }),
  );
}

function html() {
  const nonce = Math.random().toString(36).slice(2);
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
</head><body><div id="out"></div><script nonce="${nonce}">
const vscode = acquireVsCodeApi();
const out = document.getElementById('out');
const stamp = /\\[(\\d+)@(\\d+)\\]/;
const state = { latencies: [], arrivals: [], queue: [], want: Infinity, done: undefined, scheduled: false };
window.__floor = state;
state.start = (count, rate, size) => new Promise((resolve) => {
  Object.assign(state, { latencies: [], arrivals: [], queue: [], want: count, done: resolve });
  vscode.postMessage({ type: 'start', count, rate, size });
});
window.addEventListener('message', (event) => {
  const text = event.data?.ops?.[0]?.text;
  const m = typeof text === 'string' && stamp.exec(text);
  if (!m) return;
  state.arrivals.push(Date.now() - Number(m[2]));
  state.queue.push([text, Number(m[2])]);
  if (state.scheduled) return;
  state.scheduled = true;
  requestAnimationFrame(() => {
    state.scheduled = false;
    const now = Date.now();
    for (const [t, at] of state.queue.splice(0)) {
      out.append(document.createTextNode(t));
      state.latencies.push(now - at);
    }
    if (state.latencies.length < state.want) return;
    // Emptied after each round: its text left in the page made every later frame of the chat's rounds cost the
    // GPU process (software compositing) 2.3 times as much.
    out.replaceChildren();
    state.done?.();
  });
});
</script></body></html>`;
}

module.exports = { activate, deactivate() {} };
