/**
 * Memory per idle, heartbeating connection: 1,000 clients connect, initialize and stay idle while the
 * server pings them every second. Measured in the server's own process after a full GC, against a bare
 * `ws` server with the same heartbeat in the same round (the baseline). Target: < 25 KiB RSS per connection.
 */
import WebSocket from 'ws';
import { ServerProcess, type ChildStats } from '../test/helpers/serverProcess';
import { fmt, KiB, repeat, type Figure } from './report';

const CONNECTIONS = 1000;
const HEARTBEAT_MS = 1000;
const TARGET_KIB = 25;

async function openIdle(url: string, initialize: boolean): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let batch = 0; batch < CONNECTIONS; batch += 100) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(100, CONNECTIONS - batch) }, () => {
        return new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url, { perMessageDeflate: false });
          socket.once('error', reject);
          // Closed by the server before it answered (e.g. the heartbeat gave up on a starved client): say so, do not hang.
          socket.once('close', (code) => reject(new Error(`connection closed with ${code} before it was ready`)));
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

async function perConnection(mode: 'punie' | 'ws'): Promise<{ rss: number; heap: number }> {
  const server = await ServerProcess.start({ heartbeatIntervalMs: HEARTBEAT_MS, maxConnections: CONNECTIONS + 10, rateLimitPerSecond: 0 }, mode);
  try {
    const before = await server.stats(true);
    const sockets = await openIdle(server.urls.ws, mode === 'punie');
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 4)); // a few heartbeats: every connection has been pinged and answered
    const after = await server.stats(true);
    if (after.connections !== CONNECTIONS) throw new Error(`${mode}: ${after.connections} connections open, expected ${CONNECTIONS}`);
    for (const s of sockets) s.terminate();
    const heapOf = (s: ChildStats) => s.heapUsed + s.external + s.arrayBuffers;
    return { rss: (after.rss - before.rss) / CONNECTIONS, heap: (heapOf(after) - heapOf(before)) / CONNECTIONS };
  } finally {
    await server.stop();
  }
}

const ROUNDS = 3;

export async function run(): Promise<Figure[]> {
  const rounds = await repeat(ROUNDS, async () => ({ ws: await perConnection('ws'), punie: await perConnection('punie') }));
  const base = (pick: (r: { rss: number; heap: number }) => number) => `bare ws server, same heartbeat: ${rounds.map((r) => fmt(pick(r.ws) / KiB, 1)).join(', ')} KiB`;
  return [
    { name: `RSS per idle heartbeating connection (${CONNECTIONS} connections)`, rounds: rounds.map((r) => r.punie.rss / KiB), unit: 'KiB', target: { op: '<', limit: TARGET_KIB }, baseline: base((r) => r.rss) },
    { name: 'JS heap + external per idle connection', rounds: rounds.map((r) => r.punie.heap / KiB), unit: 'KiB', baseline: base((r) => r.heap) },
  ];
}
