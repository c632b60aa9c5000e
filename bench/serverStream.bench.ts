/**
 * Server streaming throughput: N test-model chunks from the Punie server to a `ws` client, against a raw
 * `ws` server sending the same frames (serialised as it sends them) to the same client, in the same run. Target ≥ 0.8.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { numberedChunk } from '../src/agent/models/testModel';
import { PunieServer } from '../src/server/server';
import { fmt, median } from './report';

const CHUNKS = 50_000;
const CHUNK_SIZE = 64;
const ROUNDS = 5;

/** Sends a prompt over `url` and resolves with the elapsed ms when the response arrives. */
export function timePrompt(url: string): Promise<{ ms: number; updates: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let updates = 0;
    let started = 0;
    socket.on('error', reject);
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.method === 'session/update') updates++;
      else if (msg.id === 1) {
        started = performance.now();
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'session/prompt', params: { sessionId: msg.result.sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
      } else if (msg.id === 2) {
        resolve({ ms: performance.now() - started, updates });
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

export async function run(): Promise<void> {
  const punie = new PunieServer({ port: 0, unauthenticated: true, model: `test?chunks=${CHUNKS}&chunkSize=${CHUNK_SIZE}` });
  const ours = (await punie.listen()).ws;
  const raw = await rawServer();
  const punieMs: number[] = [];
  const rawMs: number[] = [];
  await timePrompt(ours); // warm-up
  await timePrompt(raw.url);
  for (let i = 0; i < ROUNDS; i++) {
    const a = await timePrompt(ours);
    const b = await timePrompt(raw.url);
    if (a.updates !== CHUNKS || b.updates !== CHUNKS) throw new Error(`lost updates: ${a.updates}/${b.updates} of ${CHUNKS}`);
    punieMs.push(a.ms);
    rawMs.push(b.ms);
  }
  await punie.close();
  raw.close();
  const rate = (ms: number) => CHUNKS / (ms / 1000);
  // Rounds alternate between the two servers; the ratio of each pair cancels load that comes and goes.
  const ratio = median(punieMs.map((ms, i) => rawMs[i] / ms));
  console.log(`server stream: ${CHUNKS} chunks × ${CHUNK_SIZE} chars, median of ${ROUNDS} alternating rounds`);
  console.log(`  punie server   ${fmt(rate(median(punieMs)), 0)} chunks/s`);
  console.log(`  raw ws (base)  ${fmt(rate(median(rawMs)), 0)} chunks/s`);
  console.log(`  ratio          ${fmt(ratio, 2)} (median of per-round ratios; target ≥ 0.80)`);
  if (ratio < 0.8) process.exitCode = 1;
}
