/**
 * Fleet mode (`--store redis://…`) against the embedded store, in the same run, with a real redis-server
 * (AOF, fsync every second, as production runs it): stream throughput with Redis as the store vs the JSONL
 * store (target ≥ 0.7); relay throughput, the turn on replica A and its client moved to replica B, whose
 * updates B relays live from the session's stream, against the embedded store (target ≥ 0.7); and cross-replica resume: a client of replica A reconnects to replica B and resumes
 * from the stream, after the turn ended and while it still runs on A (target median < 1 s, 0 lost, 0
 * duplicated). Both replicas run in this process, each with its own connections to Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMPT_FINISHED } from '../src/protocol/punie';
import { PunieServer } from '../src/server/server';
import { RedisServer } from '../test/helpers/redisServer';
import { fmt, median, type Figure } from './report';
import { rpc } from './store.bench';
import { timePrompt } from './serverStream.bench';

/**
 * As many chunks as serverStream's stream: a relayed round also pays a reconnect, an initialize and a resume on B
 * (10–20 ms, measured on its own below); with 20,000 chunks, once the embedded stream took 40 ms, that fixed
 * cost was a third of the round and the ratio measured it rather than the relay's throughput.
 */
const STREAM_CHUNKS = 50_000;
const STREAM_ROUNDS = 5;
const RESUMES = 10;
const MISSED = 200;
const TARGET_RATIO = 0.7;
const TARGET_RESUME_MS = 1000;

function replica(redis: RedisServer, name: string, model?: string): PunieServer {
  return new PunieServer({ port: 0, unauthenticated: true, model, store: { url: redis.url }, replicaId: name, fleetLeaseMs: 2000 });
}

async function throughput(redis: RedisServer): Promise<Figure[]> {
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
  const rate = (ms: number) => STREAM_CHUNKS / (ms / 1000);
  return [
    {
      name: `stream throughput, Redis store / embedded (JSONL) store, client on the replica running the turn (${STREAM_CHUNKS} chunks × 64 chars, per-round ratio)`,
      rounds: fleetMs.map((ms, i) => embeddedMs[i] / ms),
      unit: '',
      digits: 3,
      target: { op: '>=', limit: TARGET_RATIO },
      baseline: `Redis store median ${fmt(rate(median(fleetMs)), 0)} chunks/s, embedded ${fmt(rate(median(embeddedMs)), 0)} chunks/s`,
    },
  ];
}

/**
 * One turn on A whose client moves to B after its first update and resumes there: B relays the rest live from
 * the session's stream while the turn keeps running on A. Time: the prompt sent on A to its end seen on B.
 */
async function relayOnce(a: PunieServer, b: PunieServer): Promise<Resumed & { relayed: boolean }> {
  const c = await rpc(a.urls().ws);
  await c.call('initialize', { protocolVersion: 1 });
  const { sessionId } = (await c.call('session/new', { cwd: '/w', mcpServers: [] })).result;
  const started = performance.now();
  c.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
  await c.next((m) => m.method === 'session/update');
  c.socket.terminate();
  const seen = [...c.seqs];
  const seenText = c.texts.join('');
  const d = await rpc(b.urls().ws);
  await d.call('initialize', { protocolVersion: 1 });
  const ended = d.next((m) => m.method === PROMPT_FINISHED && m.params.requestId === 'p');
  const resumed = await d.call('session/resume', { sessionId, cwd: '/w', _meta: { seq: seen[seen.length - 1], prompts: ['p'] } });
  if (resumed.error) throw new Error(`resume failed: ${JSON.stringify(resumed.error)}`);
  await ended;
  const ms = performance.now() - started;
  d.close();
  // Counted by content: a client that falls behind gets runs of chunks coalesced (one seq for several).
  const indices = [...(seenText + d.texts.join('')).matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  const distinct = new Set(indices);
  return { ms, lost: STREAM_CHUNKS - distinct.size, duplicated: indices.length - distinct.size, relayed: resumed.result._meta.prompts.p.status === 'running' };
}

/** Relay throughput (turn on A, client on B) against the embedded store's stream, rounds alternating. */
async function relay(redis: RedisServer): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-bench-fleet-'));
  const model = `test?chunks=${STREAM_CHUNKS}&chunkSize=64`;
  const a = replica(redis, 'bench-relay-a', model);
  const b = replica(redis, 'bench-relay-b', model);
  const embedded = new PunieServer({ port: 0, unauthenticated: true, model, dataDir: dir });
  await a.listen();
  await b.listen();
  const embeddedUrl = (await embedded.listen()).ws;
  try {
    await relayOnce(a, b);
    await timePrompt(embeddedUrl);
    const rounds: (Resumed & { relayed: boolean })[] = [];
    const embeddedMs: number[] = [];
    for (let i = 0; i < STREAM_ROUNDS; i++) {
      rounds.push(await relayOnce(i % 2 ? b : a, i % 2 ? a : b));
      embeddedMs.push((await timePrompt(embeddedUrl)).ms);
    }
    const relayMs = rounds.map((r) => r.ms);
    const rate = (ms: number) => STREAM_CHUNKS / (ms / 1000);
    const relayed = rounds.filter((r) => r.relayed).length;
    return [
      {
        name: `relay throughput, turn on replica A and its client moved to B after the first update (relayed live in ${relayed} of ${rounds.length} rounds) / embedded store, prompt on A to its end on B (${STREAM_CHUNKS} chunks × 64 chars, per-round ratio)`,
        rounds: relayMs.map((ms, i) => embeddedMs[i] / ms),
        unit: '',
        digits: 3,
        target: { op: '>=', limit: TARGET_RATIO },
        baseline: `relayed median ${fmt(rate(median(relayMs)), 0)} chunks/s, embedded ${fmt(rate(median(embeddedMs)), 0)} chunks/s`,
      },
      ...countFigures('relayed turns', rounds),
    ];
  } finally {
    await a.close();
    await b.close();
    await embedded.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Resumed {
  ms: number;
  lost: number;
  duplicated: number;
}

/**
 * One session on A, its client gone having seen all but the last `MISSED` updates (or, mid-turn, what it
 * saw before the cut); a new connection to B resumes it. Time: B's socket open to the resume answer, with
 * every missed update replayed before it. The model yields a turn between chunks (`tick=1`, or `delayMs=1`
 * mid-turn) so that each chunk is an update of its own, as at a model's pace, not one coalesced burst.
 */
async function resumeOnce(a: PunieServer, b: PunieServer, midTurn: boolean): Promise<Resumed> {
  const chunks = midTurn ? 400 : 1000;
  const c = await rpc(a.urls().acp);
  await c.call('initialize', { protocolVersion: 1 });
  const { sessionId } = (await c.call('session/new', { cwd: '/w', mcpServers: [], _meta: { model: `test?chunks=${chunks}&chunkSize=32${midTurn ? '&delayMs=1' : '&tick=1'}` } })).result;
  const prompt = c.call('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] });
  if (midTurn) while (c.updates < 100) await new Promise((r) => setTimeout(r, 2));
  else await prompt;
  const seen = midTurn ? [...c.seqs] : c.seqs.slice(0, c.seqs.length - MISSED);
  c.socket.terminate();
  const started = performance.now();
  const d = await rpc(b.urls().acp);
  await d.call('initialize', { protocolVersion: 1 });
  const lastSeq = seen[seen.length - 1];
  const ended = d.next((m) => m.method === PROMPT_FINISHED);
  const resumed = await d.call('session/resume', { sessionId, cwd: '/w', _meta: { seq: lastSeq } });
  const ms = performance.now() - started;
  if (resumed.error) throw new Error(`resume failed: ${JSON.stringify(resumed.error)}`);
  // Mid-turn, the rest of the turn is relayed from A after the answer: counted up to the turn's end.
  const total = midTurn ? ((await ended).params._meta.seq as number) : (resumed.result._meta.seq as number);
  d.close();
  const all = [...seen, ...d.seqs];
  const distinct = new Set(all);
  return { ms, lost: total - distinct.size, duplicated: all.length - distinct.size };
}

async function resumes(redis: RedisServer): Promise<Figure[]> {
  const a = replica(redis, 'bench-a');
  const b = replica(redis, 'bench-b');
  await a.listen();
  await b.listen();
  const figures: Figure[] = [];
  try {
    for (const midTurn of [false, true]) {
      const rounds: Resumed[] = [];
      for (let i = 0; i < RESUMES; i++) rounds.push(await resumeOnce(i % 2 ? b : a, i % 2 ? a : b, midTurn));
      const what = midTurn ? 'mid-turn (B relays the rest of the turn running on A; counted to its end)' : `after the turn (${MISSED} updates missed)`;
      figures.push(
        { name: `cross-replica resume ${what}: B's socket open to the resume answer, ${RESUMES} rounds`, rounds: rounds.map((r) => r.ms), unit: 'ms', target: { op: '<', limit: TARGET_RESUME_MS } },
        ...countFigures(`resumes ${what}`, rounds),
      );
    }
  } finally {
    await a.close();
    await b.close();
  }
  return figures;
}

/** Lost and duplicated over all rounds, each one figure of one value (a median would hide one bad round). */
function countFigures(what: string, rounds: Resumed[]): Figure[] {
  const sum = (key: 'lost' | 'duplicated') => rounds.reduce((n, r) => n + r[key], 0);
  return (['lost', 'duplicated'] as const).map((key) => ({ name: `${key} over ${rounds.length} ${what}`, rounds: [sum(key)], unit: '', digits: 0, target: { op: '<=', limit: 0 } }));
}

export async function run(): Promise<Figure[]> {
  const redis = await RedisServer.start('everysec');
  try {
    return [...(await throughput(redis)), ...(await relay(redis)), ...(await resumes(redis))];
  } finally {
    await redis.stop();
  }
}
