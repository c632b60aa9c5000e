/**
 * Fairness under load: the latency of each streamed chunk (model produced it → client parsed it) with
 * 100 sessions streaming at once (baseline: one session alone), and again with one more client that stops
 * reading a 100 MiB stream (baseline: the 100 sessions without it). One server, one run. A lone session's
 * p50 includes waking two idle processes per chunk, so a busy server can beat it.
 */
import { preciseNow } from '../test/helpers/benchModels';
import { ServerProcess } from '../test/helpers/serverProcess';
import { StreamClient } from '../test/helpers/streamClient';
import { ms, percentile, ratio, type BenchResult } from './report';

const SESSIONS = 100;
const MODEL = 'clock?chunks=100&chunkSize=64&delayMs=10';

async function streamLatencies(server: ServerProcess, sessions: number, withSlowClient: boolean): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: sessions }, () => StreamClient.connect(server.urls.ws)));
  const ids = await Promise.all(clients.map((c) => c.newSession(MODEL)));
  let slow: StreamClient | undefined;
  if (withSlowClient) {
    slow = await StreamClient.connect(server.urls.ws);
    const big = await slow.newSession('test?chunks=6400&chunkSize=16384');
    slow.prompt(big.sessionId).catch(() => {});
    while (slow.updates === 0) await new Promise((r) => setTimeout(r, 1));
    slow.socket.pause();
  }
  const latencies: number[] = [];
  for (const c of clients) {
    c.onUpdate = (m) => {
      const text = m.params.update.content?.text ?? '';
      const stamp = Number(text.slice(1, text.indexOf(';')));
      if (Number.isFinite(stamp)) latencies.push(preciseNow() - stamp);
    };
  }
  await Promise.all(clients.map((c, i) => c.prompt(ids[i].sessionId)));
  for (const c of clients) c.close();
  slow?.socket.terminate();
  if (latencies.length !== sessions * 100) throw new Error(`expected ${sessions * 100} chunks, got ${latencies.length}`);
  return latencies.sort((a, b) => a - b);
}

export async function run(): Promise<BenchResult[]> {
  const server = await ServerProcess.start({});
  try {
    await streamLatencies(server, 1, false); // warm-up
    // As many samples alone as under load would take 100 runs; 10 runs give a stable p99.
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) alone.push(...(await streamLatencies(server, 1, false)));
    alone.sort((a, b) => a - b);
    const many = await streamLatencies(server, SESSIONS, false);
    const withSlow = await streamLatencies(server, SESSIONS, true);
    const results: BenchResult[] = [];
    for (const p of [50, 99]) {
      const base = percentile(alone, p);
      const loaded = percentile(many, p);
      results.push({
        name: `chunk latency p${p}, ${SESSIONS} concurrent streaming sessions`,
        value: ms(loaded),
        baseline: `${ms(base)} (1 session alone)`,
        ratio: ratio(loaded, base),
      });
      results.push({
        name: `chunk latency p${p}, ${SESSIONS} sessions + 1 client not reading a 100 MiB stream`,
        value: ms(percentile(withSlow, p)),
        baseline: `${ms(loaded)} (the ${SESSIONS} sessions without it)`,
        ratio: ratio(percentile(withSlow, p), loaded),
      });
    }
    return results;
  } finally {
    await server.stop();
  }
}
