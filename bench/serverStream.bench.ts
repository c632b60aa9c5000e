/**
 * Server streaming throughput: N test-model chunks from the Punie server (durable store off, and on) to a `ws`
 * client, against a raw `ws` server sending the same frames (serialised as it sends them) to the same client,
 * in rounds of the same run whose order is rotated. Targets: ≥ 0.95 of raw ws with the store off, ≥ 0.90 with it on, and
 * persistence alone costs ≤ 5 %. The baseline sends one frame per chunk, as the model produced them; Punie sends
 * a burst (chunks faster than one event-loop turn) as fewer, longer chunks, so the figure is chunks of text
 * delivered per second, and the frame counts are printed beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { numberedChunk } from '../src/agent/models/testModel';
import { PunieServer } from '../src/server/server';
import { fmt, median, type Figure } from './report';

const CHUNKS = 50_000;
const CHUNK_SIZE = 64;
/** A multiple of 3: each server runs first, second and third equally often (a later place pays more of what earlier rounds left for the garbage collector). */
const ROUNDS = 15;
const SETTLE_MS = 250;

/** Sends a prompt over `url` and resolves with the elapsed ms when the response arrives. */
export function timePrompt(url: string): Promise<{ ms: number; cpuMs: number; updates: number; chars: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let updates = 0;
    let chars = 0;
    let started = 0;
    let cpu = process.cpuUsage();
    socket.on('error', reject);
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.method === 'session/update') {
        updates++;
        chars += msg.params.update.content?.text?.length ?? 0;
      }
      else if (msg.id === 1) {
        started = performance.now();
        cpu = process.cpuUsage();
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'session/prompt', params: { sessionId: msg.result.sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
      } else if (msg.id === 2) {
        const used = process.cpuUsage(cpu);
        resolve({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, updates, chars });
        socket.close();
      }
    });
    socket.on('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session/new', params: { cwd: '/', mcpServers: [] } })));
  });
}

/** A raw ws server that answers session/new, then streams the same update frames and the response. */
async function rawServer(): Promise<{ url: string; close(): void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  // The baseline still serialises each frame when it sends it, as any server must; it just does nothing else.
  const texts = Array.from({ length: CHUNKS }, (_, i) => numberedChunk(i, CHUNK_SIZE));
  wss.on('connection', (socket) =>
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.method === 'session/new') socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { sessionId: 's' } }));
      else {
        texts.forEach((text, i) =>
          socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: 's', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } }, _meta: { seq: i + 1 } } })),
        );
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { stopReason: 'end_turn' } }));
      }
    }),
  );
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, close: () => wss.close() };
}

/** One server's time for the stream in each round, in alternating rounds with the others. */
export async function run(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-stream-'));
  const model = `test?chunks=${CHUNKS}&chunkSize=${CHUNK_SIZE}`;
  const off = new PunieServer({ port: 0, unauthenticated: true, model });
  const on = new PunieServer({ port: 0, unauthenticated: true, model, dataDir: dir });
  const raw = await rawServer();
  const urls = { raw: raw.url, off: (await off.listen()).ws, on: (await on.listen()).ws };
  const ms = { raw: [] as number[], off: [] as number[], on: [] as number[] };
  const cpu = { raw: [] as number[], off: [] as number[], on: [] as number[] };
  const frames = { raw: [] as number[], off: [] as number[], on: [] as number[] };
  try {
    for (const url of Object.values(urls)) await timePrompt(url); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      const order = (['raw', 'off', 'on'] as const).map((_, k, keys) => keys[(i + k) % keys.length]);
      for (const key of order) {
        const r = await timePrompt(urls[key]);
        // Punie sends a burst as fewer, longer chunks (chunkCoalescer.ts): every character must arrive.
        if (r.chars !== CHUNKS * CHUNK_SIZE) throw new Error(`${key}: lost text: ${r.chars} of ${CHUNKS * CHUNK_SIZE} characters`);
        frames[key].push(r.updates);
        // Let what a round left behind (the store's batched writes, garbage) run before the next server's round.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        ms[key].push(r.ms);
        cpu[key].push(r.cpuMs);
      }
    }
  } finally {
    await off.close();
    await on.close();
    raw.close();
    await rm(dir, { recursive: true, force: true });
  }
  const rate = (xs: number[]) => `${fmt(CHUNKS / (median(xs) / 1000), 0)} chunks/s`;
  const perRound = (a: number[], b: number[]) => a.map((x, i) => b[i] / x);
  const what = `${CHUNKS} chunks × ${CHUNK_SIZE} chars, ${ROUNDS} rounds, the order rotated`;
  return [
    { name: `relay, store off ÷ raw ws (${what})`, rounds: perRound(ms.off, ms.raw), unit: '', digits: 3, target: { op: '>=', limit: 0.95 }, baseline: `raw ws median ${rate(ms.raw)}; punie store off ${rate(ms.off)}; update frames per stream, medians: raw ${median(frames.raw)}, off ${median(frames.off)}, on ${median(frames.on)}` },
    { name: 'relay, store on ÷ raw ws', rounds: perRound(ms.on, ms.raw), unit: '', digits: 3, target: { op: '>=', limit: 0.9 }, baseline: `punie store on median ${rate(ms.on)}` },
    { name: 'persistence: store on ÷ store off', rounds: perRound(ms.on, ms.off), unit: '', digits: 3, target: { op: '>=', limit: 0.95 } },
    // CPU time of this process (servers and client) per stream: what the relay costs, whatever else the machine runs.
    { name: 'CPU per stream, raw ws ÷ store off (less sensitive to machine load than wall time)', rounds: perRound(cpu.off, cpu.raw), unit: '', digits: 3, baseline: `CPU ms per stream, medians: raw ${fmt(median(cpu.raw), 0)}, store off ${fmt(median(cpu.off), 0)}, store on ${fmt(median(cpu.on), 0)}` },
    { name: 'CPU per stream, raw ws ÷ store on', rounds: perRound(cpu.on, cpu.raw), unit: '', digits: 3 },
  ];
}
