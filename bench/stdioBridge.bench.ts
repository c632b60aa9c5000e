/**
 * `punie stdio`: what the bridge costs an editor. A 64 MiB answer read from the bridge's stdout as fast as
 * it comes, against the same answer read straight from the server's WebSocket in the same run (three rounds); and the bridge's RSS growth while its stdout is read at only 16 MiB/s (slower than the bridge
 * delivers), against its growth with a fast reader. Misses its target when the slow reader costs 96 MiB or more.
 */
import WebSocket from 'ws';
import type { PunieServer } from '../src/server/server';
import { startServer } from '../test/helpers/server';
import { BridgeProcess } from '../test/helpers/stdioBridge';
import { fmt, MiB, repeat, type Figure } from './report';

const MODEL = 'test?chunks=4096&chunkSize=16384'; // 64 MiB of text

const request = (id: number, method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

/** Milliseconds from the prompt to its answer, reading the server's socket directly. */
async function direct(server: PunieServer): Promise<number> {
  const socket = new WebSocket(server.urls().acp, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const answers = new Map<number, any>();
  let started = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  socket.on('message', (data: Buffer) => {
    if (data.includes('"stopReason"')) done(performance.now() - started);
    else if (data.includes('"result"')) answers.set(JSON.parse(data.toString()).id, JSON.parse(data.toString()).result);
  });
  socket.send(request(1, 'initialize', { protocolVersion: 1 }));
  socket.send(request(2, 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: MODEL } }));
  while (!answers.has(2)) await new Promise((r) => setTimeout(r, 1));
  started = performance.now();
  socket.send(request(3, 'session/prompt', { sessionId: answers.get(2).sessionId, prompt: [{ type: 'text', text: 'go' }] }));
  const elapsed = await finished;
  socket.close();
  return elapsed;
}

/** The same through `punie stdio`; a reader slower than the bridge (bytes per second) also reports its RSS growth. */
async function bridged(server: PunieServer, bytesPerSecond = 0): Promise<{ ms: number; growth: number }> {
  const bridge = await BridgeProcess.start(['--server', server.urls().acp, '--model', MODEL, '--log-level', 'warn']);
  const stdout = bridge.child.stdout;
  stdout.setEncoding('utf8');
  let sessionId: string | undefined;
  let started = 0;
  let received = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  stdout.on('data', (text: string) => {
    received += text.length;
    if (sessionId === undefined) sessionId = /"sessionId":"([^"]+)"/.exec(text)?.[1];
    else if (text.includes('"stopReason"')) done(performance.now() - started);
    const ahead = bytesPerSecond && started ? (received / bytesPerSecond) * 1000 - (performance.now() - started) : 0;
    if (ahead > 2) {
      stdout.pause();
      setTimeout(() => stdout.resume(), ahead);
    }
  });
  bridge.send(request(1, 'initialize', { protocolVersion: 1 }) + '\n' + request(2, 'session/new', { cwd: '/w', mcpServers: [] }) + '\n');
  while (sessionId === undefined) await new Promise((r) => setTimeout(r, 1));
  const before = bridge.rssBytes();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, bridge.rssBytes())), 20);
  started = performance.now();
  bridge.send(request(3, 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] }) + '\n');
  const elapsed = await finished;
  clearInterval(sampler);
  bridge.child.stdin.end();
  await bridge.exit;
  return { ms: elapsed, growth: peak - before };
}

export async function run(): Promise<Figure[]> {
  // The server keeps a slow reader's backlog here instead of closing it, so only the bridge is measured.
  const server = await startServer({ slowClientBacklogBytes: 512 * MiB, slowClientMaxBacklogBytes: 512 * MiB, slowClientTimeoutMs: 120_000 });
  try {
    const rounds = await repeat(3, async () => {
      const directMs = await direct(server);
      const fast = await bridged(server);
      return { directMs, fast, slow: await bridged(server, 16 * MiB) };
    });
    const list = (xs: number[], d = 0) => xs.map((x) => fmt(x, d)).join(', ');
    return [
      { name: '64 MiB answer delivered to the editor through punie stdio ÷ straight from the WebSocket', rounds: rounds.map((r) => r.fast.ms / r.directMs), unit: '×', digits: 2, baseline: `through stdio ${list(rounds.map((r) => r.fast.ms))} ms; WebSocket ${list(rounds.map((r) => r.directMs))} ms` },
      { name: 'bridge RSS growth while its stdout is read at 16 MiB/s (64 MiB answer)', rounds: rounds.map((r) => r.slow.growth / MiB), unit: 'MiB', target: { op: '<', limit: 96 }, baseline: `read as fast as it comes: ${list(rounds.map((r) => r.fast.growth / MiB), 1)} MiB` },
    ];
  } finally {
    await server.close();
  }
}
