/**
 * Memory per idle, heartbeating connection: 1,000 clients connect, initialize and stay idle while the
 * server pings them every 200 ms. Measured in the server's own process after a full GC, against a bare
 * `ws` server with the same heartbeat in the same run (the baseline). Target: < 50 KB per connection.
 */
import WebSocket from 'ws';
import { ServerProcess, type ChildStats } from '../test/helpers/serverProcess';
import { kib, ratio, type BenchResult } from './report';

const CONNECTIONS = 1000;
const HEARTBEAT_MS = 200;
const TARGET_BYTES = 50 * 1000;

async function openIdle(url: string, initialize: boolean): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let batch = 0; batch < CONNECTIONS; batch += 100) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(100, CONNECTIONS - batch) }, () => {
        return new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url, { perMessageDeflate: false });
          socket.once('error', reject);
          socket.once('open', () => {
            if (!initialize) return resolve(socket);
            socket.once('message', () => resolve(socket));
            socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }));
          });
        });
      }),
    );
    sockets.push(...opened);
  }
  return sockets;
}

async function perConnection(mode: 'punie' | 'ws'): Promise<{ rss: number; heap: number; stats: ChildStats }> {
  const server = await ServerProcess.start({ heartbeatIntervalMs: HEARTBEAT_MS, maxConnections: CONNECTIONS + 10, rateLimitPerSecond: 0 }, mode);
  try {
    const before = await server.stats(true);
    const sockets = await openIdle(server.urls.ws, mode === 'punie');
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 4)); // a few heartbeats: every connection has been pinged and answered
    const after = await server.stats(true);
    if (after.connections !== CONNECTIONS) throw new Error(`${mode}: ${after.connections} connections open, expected ${CONNECTIONS}`);
    for (const s of sockets) s.terminate();
    const heapOf = (s: ChildStats) => s.heapUsed + s.external + s.arrayBuffers;
    return { rss: (after.rss - before.rss) / CONNECTIONS, heap: (heapOf(after) - heapOf(before)) / CONNECTIONS, stats: after };
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const baseline = await perConnection('ws');
  const punie = await perConnection('punie');
  return [
    {
      name: `memory per idle heartbeating connection (${CONNECTIONS} connections, RSS)`,
      value: `${kib(punie.rss)}`,
      baseline: `${kib(baseline.rss)} (bare ws server)`,
      ratio: ratio(punie.rss, baseline.rss),
      target: `< ${TARGET_BYTES / 1000} KB: ${punie.rss < TARGET_BYTES ? 'met' : 'MISSED'}`,
    },
    {
      name: `memory per idle heartbeating connection (${CONNECTIONS} connections, JS heap + external)`,
      value: `${kib(punie.heap)}`,
      baseline: `${kib(baseline.heap)} (bare ws server)`,
      ratio: ratio(punie.heap, baseline.heap),
    },
  ];
}
