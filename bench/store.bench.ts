/**
 * The session store's costs, each beside its own baseline in the same run: stream throughput with
 * persistence on vs off (target ≥ 0.95), `session/load` of a stored 1 MB answer of 10k updates to its last
 * replayed update after a restart (target < 200 ms), restart-to-resumed (target < 2 s after the server
 * answers again), and bytes on disk per MB of answer, before and after compaction.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PunieServer } from '../src/server/server';
import { compactRecords } from '../src/store/compact';
import { parseLog, serialize } from '../src/store/parse';
import { fmt, median } from './report';
import { timePrompt } from './serverStream.bench';

const STREAM_CHUNKS = 50_000;
const STREAM_ROUNDS = 5;
const LOAD_CHUNKS = 10_000;
const LOAD_CHUNK_SIZE = 100;
const REPEATS = 3;

/** A JSON-RPC connection that resolves calls by id and counts session/updates (keeping the seqs of numbered events). */
export async function rpc(url: string) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waiting = new Map<number, (m: any) => void>();
  let updates = 0;
  const seqs: number[] = [];
  let next = 1;
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (typeof msg.params?._meta?.seq === 'number') seqs.push(msg.params._meta.seq);
    if (msg.method === 'session/update') updates++;
    else if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg);
  });
  return {
    call(method: string, params: unknown): Promise<any> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    },
    get updates() {
      return updates;
    },
    seqs,
    socket,
    close: () => socket.close(),
  };
}

async function streamOnVsOff(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-store-'));
  const model = `test?chunks=${STREAM_CHUNKS}&chunkSize=64`;
  const on = new PunieServer({ port: 0, unauthenticated: true, model, dataDir: dir });
  const off = new PunieServer({ port: 0, unauthenticated: true, model });
  const onUrl = (await on.listen()).ws;
  const offUrl = (await off.listen()).ws;
  await timePrompt(onUrl);
  await timePrompt(offUrl);
  const onMs: number[] = [];
  const offMs: number[] = [];
  for (let i = 0; i < STREAM_ROUNDS; i++) {
    onMs.push((await timePrompt(onUrl)).ms);
    offMs.push((await timePrompt(offUrl)).ms);
  }
  await on.close();
  await off.close();
  await rm(dir, { recursive: true, force: true });
  const ratio = median(onMs.map((ms, i) => offMs[i] / ms));
  const rate = (ms: number) => STREAM_CHUNKS / (ms / 1000);
  console.log(`stream with the store on vs off: ${STREAM_CHUNKS} chunks × 64 chars, median of ${STREAM_ROUNDS} alternating rounds`);
  console.log(`  store on   ${fmt(rate(median(onMs)), 0)} chunks/s`);
  console.log(`  store off  ${fmt(rate(median(offMs)), 0)} chunks/s`);
  console.log(`  ratio      ${fmt(ratio, 3)} (target ≥ 0.95)`);
  if (ratio < 0.95) process.exitCode = 1;
}

/** One 1 MB answer stored, the server restarted: load and resume timings, bytes on disk. */
async function restartRound(): Promise<{ loadMs: number; replayed: number; resumeMs: number; bytesPerMb: number; compactedPerMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-store-'));
  const first = new PunieServer({ port: 0, unauthenticated: true, model: `test?chunks=${LOAD_CHUNKS}&chunkSize=${LOAD_CHUNK_SIZE}`, dataDir: dir });
  const a = await rpc((await first.listen()).acp);
  await a.call('initialize', { protocolVersion: 1 });
  const { sessionId } = (await a.call('session/new', { cwd: '/w', mcpServers: [] })).result;
  await a.call('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] });
  if (a.updates < LOAD_CHUNKS) throw new Error(`only ${a.updates} updates`);
  a.close();
  await first.close();
  const file = join(dir, 'sessions', (await readdir(join(dir, 'sessions')))[0]);
  const answerMb = (LOAD_CHUNKS * LOAD_CHUNK_SIZE) / 1e6;
  const bytes = (await stat(file)).size;
  const compacted = Buffer.byteLength(serialize(compactRecords(parseLog(await readFile(file)).records, Infinity)));

  const second = new PunieServer({ port: 0, unauthenticated: true, dataDir: dir });
  const urls = await second.listen();
  const answersAt = performance.now();
  const b = await rpc(urls.acp);
  await b.call('initialize', { protocolVersion: 1 });
  await b.call('session/resume', { sessionId, cwd: '/w', mcpServers: [] });
  const resumeMs = performance.now() - answersAt;
  b.close();
  await second.close();

  const third = new PunieServer({ port: 0, unauthenticated: true, dataDir: dir });
  const c = await rpc((await third.listen()).acp);
  await c.call('initialize', { protocolVersion: 1 });
  const t0 = performance.now();
  await c.call('session/load', { sessionId, cwd: '/w', mcpServers: [] }); // every replayed update precedes the answer
  const loadMs = performance.now() - t0;
  const replayed = c.updates;
  c.close();
  await third.close();
  await rm(dir, { recursive: true, force: true });
  return { loadMs, replayed, resumeMs, bytesPerMb: bytes / answerMb, compactedPerMb: compacted / answerMb };
}

export async function run(): Promise<void> {
  await streamOnVsOff();
  const rounds = [];
  for (let i = 0; i < REPEATS; i++) rounds.push(await restartRound());
  const show = (xs: number[], digits = 0) => `${xs.map((x) => fmt(x, digits)).join(' / ')} (median ${fmt(median(xs), digits)})`;
  console.log(`stored session: one answer of ${LOAD_CHUNKS} updates × ${LOAD_CHUNK_SIZE} chars (1 MB), server restarted, ${REPEATS} runs`);
  console.log(`  session/load to last replayed update  ${show(rounds.map((r) => r.loadMs))} ms, ${rounds[0].replayed} merged updates (target < 200 ms)`);
  console.log(`  restart to resumed                    ${show(rounds.map((r) => r.resumeMs))} ms after the server answers (target < 2000 ms)`);
  console.log(`  bytes on disk per MB of answer        ${show(rounds.map((r) => r.bytesPerMb / 1e6), 2)} MB; compacted ${fmt(median(rounds.map((r) => r.compactedPerMb / 1e6)), 2)} MB`);
  if (median(rounds.map((r) => r.loadMs)) >= 200 || median(rounds.map((r) => r.resumeMs)) >= 2000) process.exitCode = 1;
}
