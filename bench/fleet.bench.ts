/**
 * Fleet mode (`--store redis://…`) against the embedded store, in the same run, with a real redis-server
 * (AOF, fsync every second, as production runs it): stream throughput with Redis as the store vs the JSONL
 * store (target ≥ 0.7), and cross-replica resume: a client of replica A reconnects to replica B and resumes
 * from the stream, after the turn ended and while it still runs on A (target median < 1 s, 0 lost, 0
 * duplicated). Both replicas run in this process, each with its own connections to Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PunieServer } from '../src/server/server';
import { RedisServer } from '../test/helpers/redisServer';
import { fmt, median } from './report';
import { rpc } from './store.bench';
import { timePrompt } from './serverStream.bench';

const STREAM_CHUNKS = 20_000;
const STREAM_ROUNDS = 5;
const RESUMES = 10;
const MISSED = 200;
const TARGET_RATIO = 0.7;
const TARGET_RESUME_MS = 1000;

function replica(redis: RedisServer, name: string, model?: string): PunieServer {
  return new PunieServer({ port: 0, unauthenticated: true, model, store: { url: redis.url }, replicaId: name, fleetLeaseMs: 2000 });
}

async function throughput(redis: RedisServer): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-fleet-'));
  const model = `test?chunks=${STREAM_CHUNKS}&chunkSize=64`;
  const fleet = replica(redis, 'bench-a', model);
  const embedded = new PunieServer({ port: 0, unauthenticated: true, model, dataDir: dir });
  const fleetUrl = (await fleet.listen()).ws;
  const embeddedUrl = (await embedded.listen()).ws;
  await timePrompt(fleetUrl);
  await timePrompt(embeddedUrl);
  const fleetMs: number[] = [];
  const embeddedMs: number[] = [];
  for (let i = 0; i < STREAM_ROUNDS; i++) {
    fleetMs.push((await timePrompt(fleetUrl)).ms);
    embeddedMs.push((await timePrompt(embeddedUrl)).ms);
  }
  await fleet.close();
  await embedded.close();
  await rm(dir, { recursive: true, force: true });
  const ratios = fleetMs.map((ms, i) => embeddedMs[i] / ms);
  const rate = (ms: number) => STREAM_CHUNKS / (ms / 1000);
  console.log(`stream, Redis store vs embedded (JSONL) store: ${STREAM_CHUNKS} chunks × 64 chars, ${STREAM_ROUNDS} alternating rounds`);
  console.log(`  redis      ${fmt(rate(median(fleetMs)), 0)} chunks/s (rounds: ${fleetMs.map((m) => fmt(rate(m), 0)).join(' / ')})`);
  console.log(`  embedded   ${fmt(rate(median(embeddedMs)), 0)} chunks/s (rounds: ${embeddedMs.map((m) => fmt(rate(m), 0)).join(' / ')})`);
  console.log(`  ratio      min ${fmt(Math.min(...ratios), 3)} / median ${fmt(median(ratios), 3)} / max ${fmt(Math.max(...ratios), 3)} (target ≥ ${TARGET_RATIO}) ${median(ratios) >= TARGET_RATIO ? 'PASS' : 'MISS'}`);
  if (median(ratios) < TARGET_RATIO) process.exitCode = 1;
}

interface Resumed {
  ms: number;
  lost: number;
  duplicated: number;
}

/**
 * One session on A, its client gone having seen all but the last `MISSED` updates (or, mid-turn, what it
 * saw before the cut); a new connection to B resumes it. Time: B's socket open to the resume answer, with
 * every missed update replayed before it.
 */
async function resumeOnce(a: PunieServer, b: PunieServer, midTurn: boolean): Promise<Resumed> {
  const chunks = midTurn ? 400 : 1000;
  const c = await rpc(a.urls().acp);
  await c.call('initialize', { protocolVersion: 1 });
  const { sessionId } = (await c.call('session/new', { cwd: '/w', mcpServers: [], _meta: { model: `test?chunks=${chunks}&chunkSize=32${midTurn ? '&delayMs=1' : ''}` } })).result;
  const prompt = c.call('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] });
  if (midTurn) while (c.updates < 100) await new Promise((r) => setTimeout(r, 2));
  else await prompt;
  const seen = midTurn ? [...c.seqs] : c.seqs.slice(0, c.seqs.length - MISSED);
  c.socket.terminate();
  const started = performance.now();
  const d = await rpc(b.urls().acp);
  await d.call('initialize', { protocolVersion: 1 });
  const lastSeq = seen[seen.length - 1];
  const resumed = await d.call('session/resume', { sessionId, cwd: '/w', _meta: { seq: lastSeq } });
  const ms = performance.now() - started;
  d.close();
  if (resumed.error) throw new Error(`resume failed: ${JSON.stringify(resumed.error)}`);
  const all = [...seen, ...d.seqs];
  const distinct = new Set(all);
  const total = resumed.result._meta.seq as number;
  return { ms, lost: total - distinct.size, duplicated: all.length - distinct.size };
}

async function resumes(redis: RedisServer): Promise<void> {
  const a = replica(redis, 'bench-a');
  const b = replica(redis, 'bench-b');
  await a.listen();
  await b.listen();
  try {
    for (const midTurn of [false, true]) {
      const rounds: Resumed[] = [];
      for (let i = 0; i < RESUMES; i++) rounds.push(await resumeOnce(i % 2 ? b : a, i % 2 ? a : b, midTurn));
      const times = rounds.map((r) => r.ms);
      const lost = rounds.reduce((n, r) => n + r.lost, 0);
      const duplicated = rounds.reduce((n, r) => n + r.duplicated, 0);
      const ok = median(times) < TARGET_RESUME_MS && lost === 0 && duplicated === 0;
      console.log(`cross-replica resume, ${midTurn ? 'mid-turn (B waits for the turn running on A to end)' : `after the turn (${MISSED} updates missed)`}, ${RESUMES} rounds`);
      console.log(`  time       min ${fmt(Math.min(...times), 1)} / median ${fmt(median(times), 1)} / max ${fmt(Math.max(...times), 1)} ms (target median < ${TARGET_RESUME_MS} ms)`);
      console.log(`  lost ${lost}, duplicated ${duplicated} (target 0 / 0) ${ok ? 'PASS' : 'MISS'}`);
      if (!ok) process.exitCode = 1;
    }
  } finally {
    await a.close();
    await b.close();
  }
}

export async function run(): Promise<void> {
  const redis = await RedisServer.start('everysec');
  try {
    await throughput(redis);
    await resumes(redis);
  } finally {
    await redis.stop();
  }
}
