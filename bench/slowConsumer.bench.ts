/**
 * A client that stops reading a 100 MiB stream: the server's RSS growth and another client's paced stream,
 * with the default limits against the same server with the outbound queue turned off (watermarks and
 * backlog limits at 2^40 bytes, so everything goes straight into the socket buffer, as before the queue).
 */
import { ServerProcess } from '../test/helpers/serverProcess';
import { StreamClient } from '../test/helpers/streamClient';
import { fmt, MiB, repeat, type Figure } from './report';

const UNLIMITED = { outboundHighWatermark: 2 ** 40, outboundLowWatermark: 2 ** 39, slowClientBacklogBytes: 2 ** 40, slowClientMaxBacklogBytes: 2 ** 40 };

async function measure(options: Record<string, unknown>): Promise<{ growth: number; pacedMs: number; aloneMs: number }> {
  const server = await ServerProcess.start(options);
  try {
    const before = (await server.stats(true)).rss;
    const other = await StreamClient.connect(server.urls.ws);
    const paced = await other.newSession('test?chunks=100&chunkSize=64&delayMs=5');
    let started = performance.now();
    await other.prompt(paced.sessionId);
    const aloneMs = performance.now() - started;
    const sampler = server.sampleRss();
    const slow = await StreamClient.connect(server.urls.ws);
    const big = await slow.newSession('test?chunks=6400&chunkSize=16384');
    slow.prompt(big.sessionId).catch(() => {});
    while (slow.updates === 0) await new Promise((r) => setTimeout(r, 1));
    slow.socket.pause();
    started = performance.now();
    await other.prompt(paced.sessionId);
    const pacedMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3000)); // let the 100 MiB turn finish
    const peak = Math.max(before, await sampler.stop());
    slow.socket.terminate();
    other.close();
    return { growth: peak - before, pacedMs, aloneMs };
  } finally {
    await server.stop();
  }
}

const ROUNDS = 3;

export async function run(): Promise<Figure[]> {
  const rounds = await repeat(ROUNDS, async () => ({ unlimited: await measure(UNLIMITED), limited: await measure({}) }));
  const list = (xs: number[], d = 1) => xs.map((x) => fmt(x, d)).join(', ');
  return [
    { name: 'server RSS growth while one client does not read a 100 MiB stream (default limits)', rounds: rounds.map((r) => r.limited.growth / MiB), unit: 'MiB', target: { op: '<', limit: 96 }, baseline: `outbound queue off: ${list(rounds.map((r) => r.unlimited.growth / MiB))} MiB` },
    { name: "another client's paced stream (100 chunks, 5 ms apart) meanwhile", rounds: rounds.map((r) => r.limited.pacedMs), unit: 'ms', digits: 0, baseline: `outbound queue off: ${list(rounds.map((r) => r.unlimited.pacedMs), 0)} ms; alone ${list(rounds.map((r) => r.limited.aloneMs), 0)} ms` },
  ];
}
