/**
 * Fairness under load: the latency of each streamed chunk (model produced it → client parsed it) with
 * 100 sessions streaming at once (baseline: one session alone), and with one more client on a 100 MiB
 * stream that stopped reading (baseline: the same client reading it, so that only its slowness differs).
 * One server, one run. A lone session's p50 includes waking two idle processes per chunk, so a busy
 * server can beat it.
 */
import { preciseNow } from '../test/helpers/benchModels';
import { ServerProcess } from '../test/helpers/serverProcess';
import { StreamClient } from '../test/helpers/streamClient';
import { fmt, percentile, repeat, type Figure } from './report';

const SESSIONS = 100;
const MODEL = 'clock?chunks=100&chunkSize=64&delayMs=10';
const STAMP = /@(\d+\.\d+);/g;

/** Alongside the sessions: nothing, a client streaming 100 MiB that reads it, or one that stopped reading. */
type BigStream = 'none' | 'reading' | 'paused';

async function streamLatencies(server: ServerProcess, sessions: number, big: BigStream): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: sessions }, () => StreamClient.connect(server.urls.ws)));
  const ids = await Promise.all(clients.map((c) => c.newSession(MODEL)));
  let bigClient: StreamClient | undefined;
  if (big !== 'none') {
    bigClient = await StreamClient.connect(server.urls.ws, { skipUTF8Validation: true });
    const session = await bigClient.newSession('test?chunks=6400&chunkSize=16384');
    // The reader only counts frames: parsing 100 MiB here would slow the measuring process instead.
    bigClient.parse = false;
    bigClient.prompt(session.sessionId).catch(() => {});
    if (big === 'paused') bigClient.socket.pause();
  }
  const latencies: number[] = [];
  for (const c of clients) {
    c.onUpdate = (m) => {
      // Chunks produced within one event-loop turn (timers running late on a loaded machine) arrive as one
      // update (chunkCoalescer.ts): every stamp in it is a chunk.
      const now = preciseNow();
      for (const stamp of (m.params.update.content?.text ?? '').matchAll(STAMP)) latencies.push(now - Number(stamp[1]));
    };
  }
  await Promise.all(clients.map((c, i) => c.prompt(ids[i].sessionId)));
  for (const c of clients) c.close();
  bigClient?.socket.terminate();
  if (latencies.length !== sessions * 100) throw new Error(`expected ${sessions * 100} chunks, got ${latencies.length}`);
  return latencies.sort((a, b) => a - b);
}

const ROUNDS = 3;

/** p50 and p99 of one round of each scenario. */
async function round(server: ServerProcess): Promise<Record<'alone' | 'many' | 'reading' | 'paused', [number, number]>> {
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) alone.push(...(await streamLatencies(server, 1, 'none')));
  alone.sort((a, b) => a - b);
  const p = (xs: number[]): [number, number] => [percentile(xs, 50), percentile(xs, 99)];
  return {
    alone: p(alone),
    many: p(await streamLatencies(server, SESSIONS, 'none')),
    reading: p(await streamLatencies(server, SESSIONS, 'reading')),
    paused: p(await streamLatencies(server, SESSIONS, 'paused')),
  };
}

export async function run(): Promise<Figure[]> {
  const server = await ServerProcess.start({ allowedModels: ['clock?*'] }); // the bench model, beside the built-in ones
  try {
    await streamLatencies(server, 1, 'none'); // warm-up
    const rounds = await repeat(ROUNDS, () => round(server));
    const figures: Figure[] = [];
    for (const [index, p] of [[0, 50], [1, 99]] as const) {
      const of = (scenario: keyof (typeof rounds)[number]) => rounds.map((r) => r[scenario][index]);
      const list = (xs: number[]) => xs.map((x) => fmt(x, 2)).join(', ');
      figures.push(
        { name: `chunk latency p${p}, ${SESSIONS} concurrent streaming sessions`, rounds: of('many'), unit: 'ms', digits: 2, baseline: `1 session alone: ${list(of('alone'))} ms` },
        { name: `chunk latency p${p}, ${SESSIONS} sessions + 1 client that stopped reading a 100 MiB stream`, rounds: of('paused'), unit: 'ms', digits: 2, baseline: `the same client reading: ${list(of('reading'))} ms` },
      );
    }
    return figures;
  } finally {
    await server.stop();
  }
}
