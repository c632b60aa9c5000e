/**
 * The session store's costs (its stream cost is in serverStream.bench.ts): `session/load` of a stored 1 MB answer of 10k updates to its last
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
import { fmt, median, repeat, type Figure } from './report';

const LOAD_CHUNKS = 10_000;
const LOAD_CHUNK_SIZE = 100;
const REPEATS = 3;

/** A JSON-RPC connection that resolves calls by id and counts session/updates (keeping the seqs of numbered events). */
export async function rpc(url: string) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waiting = new Map<number, (m: any) => void>();
  let watchers: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  let updates = 0;
  const seqs: number[] = [];
  const texts: string[] = [];
  let next = 1;
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (typeof msg.params?._meta?.seq === 'number') seqs.push(msg.params._meta.seq);
    if (watchers.length) watchers = watchers.filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true));
    if (msg.method === 'session/update') {
      updates++;
      if (msg.params.update.sessionUpdate === 'agent_message_chunk') texts.push(msg.params.update.content.text);
    }
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
    /** The next message that matches. */
    next(match: (m: any) => boolean): Promise<any> {
      return new Promise((resolve) => watchers.push({ match, resolve }));
    },
    get updates() {
      return updates;
    },
    seqs,
    /** The answer's text chunks as received (a slow client's are coalesced: several chunks in one). */
    texts,
    socket,
    close: () => socket.close(),
  };
}

/**
 * One 1 MB answer stored, the server restarted: load and resume timings, bytes on disk. The model yields a
 * turn between chunks (`tick=1`), so each chunk is an update of its own as at a model's pace, not one
 * coalesced burst: the log holds the 10k updates the load must replay.
 */
async function restartRound(): Promise<{ loadMs: number; replayed: number; resumeMs: number; bytesPerMb: number; compactedPerMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-store-'));
  const first = new PunieServer({ port: 0, unauthenticated: true, model: `test?chunks=${LOAD_CHUNKS}&chunkSize=${LOAD_CHUNK_SIZE}&tick=1`, dataDir: dir });
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

export async function run(): Promise<Figure[]> {
  const rounds = await repeat(REPEATS, restartRound);
  const what = `one answer of ${LOAD_CHUNKS} updates × ${LOAD_CHUNK_SIZE} chars (1 MB), server restarted`;
  return [
    { name: `session/load to its last replayed update (${what}; ${rounds[0].replayed} merged updates)`, rounds: rounds.map((r) => r.loadMs), unit: 'ms', digits: 0, target: { op: '<', limit: 200 } },
    { name: 'restart to resumed, after the server answers', rounds: rounds.map((r) => r.resumeMs), unit: 'ms', digits: 0, target: { op: '<', limit: 2000 } },
    { name: 'bytes on disk per MB of answer', rounds: rounds.map((r) => r.bytesPerMb / 1e6), unit: 'MB', digits: 2, baseline: `compacted ${fmt(median(rounds.map((r) => r.compactedPerMb / 1e6)), 2)} MB` },
  ];
}
