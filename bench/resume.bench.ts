/**
 * Resume after a cut, with the client manager's default backoff and heartbeat: 10 clients each stream a
 * long answer through their own TCP proxy, which cuts the connection 5 times (50 cuts), each cut after the
 * connection stayed up longer than `minUptimeMs` (so every cut meets a reset backoff, as in real life).
 * Reports time from cut to resumed stream (median, p95), chunks lost/duplicated (must be 0), and the
 * ratio to a cold connect measured in the same run.
 */
import { numberedChunk } from '../src/agent/models/testModel';
import { PunieClient } from '../src/client/punieClient';
import { defaultReconnectOptions } from '../src/client/options';
import { PunieServer } from '../src/server/server';
import { TestProxy, seededRandom } from '../test/helpers/proxy';
import { fmt, median, percentile, type Figure } from './report';

const CLIENTS = 10;
const CUTS_PER_CLIENT = 5;
const CHUNK = 32;
const DELAY_MS = 20;
const TARGET_MEDIAN_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Measured {
  toConnected: number[];
  toFirstUpdate: number[];
  lost: number;
  duplicated: number;
  disordered: number;
  expected: number;
}

export async function run(): Promise<Figure[]> {
  const server = new PunieServer({ port: 0, unauthenticated: true });
  await server.listen();
  try {
    const cold = await coldConnects(server, 10);
    const { minUptimeMs } = defaultReconnectOptions;
    // Long enough for every cut, spaced past minUptimeMs, plus a tail.
    const streamMs = 2000 + CUTS_PER_CLIENT * (minUptimeMs + 1200) + 2000;
    const chunks = Math.ceil(streamMs / DELAY_MS);
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => oneClient(server, i + 1, chunks)));
    return resumeFigures(cold, merge(results, chunks));
  } finally {
    await server.close();
  }
}

async function coldConnects(server: PunieServer, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const client = new PunieClient({ url: server.urls().ws });
    const started = performance.now();
    await client.start();
    times.push(performance.now() - started);
    await client.dispose();
  }
  return times;
}

async function oneClient(server: PunieServer, seed: number, chunks: number): Promise<Measured> {
  const random = seededRandom(seed);
  const proxy = await TestProxy.start(server.port);
  const client = new PunieClient({ url: proxy.url() });
  let text = '';
  let updates = 0;
  client.onUpdate(({ update }) => {
    updates++;
    if (update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text') text += update.content.text;
  });
  const measured: Measured = { toConnected: [], toFirstUpdate: [], lost: 0, duplicated: 0, disordered: 0, expected: chunks };
  try {
    await client.start();
    const { sessionId } = await client.newSession('/bench', { model: `test?chunks=${chunks}&chunkSize=${CHUNK}&delayMs=${DELAY_MS}` });
    const done = client.prompt(sessionId, [{ type: 'text', text: 'go' }]);
    await sleep(1000 + random() * 1000);
    for (let i = 0; i < CUTS_PER_CLIENT; i++) {
      const cutAt = performance.now();
      proxy.cut();
      await new Promise<void>((resolve) => {
        const seen = updates;
        const sub = client.onStateChange((s) => {
          if (s.kind !== 'connected') return;
          sub.dispose();
          measured.toConnected.push(performance.now() - cutAt);
          const poll = setInterval(() => {
            if (updates === seen) return;
            clearInterval(poll);
            measured.toFirstUpdate.push(performance.now() - cutAt);
            resolve();
          }, 1);
        });
      });
      await sleep(defaultReconnectOptions.minUptimeMs + 200 + random() * 1000);
    }
    if ((await done) !== 'end_turn') throw new Error('the prompt did not end with end_turn');
  } finally {
    await client.dispose();
    await proxy.close();
  }
  count(text, chunks, measured);
  return measured;
}

/** Counts each numbered chunk of the stream: missing, repeated, or out of order. */
function count(text: string, chunks: number, into: Measured): void {
  const seen = new Array<number>(chunks).fill(0);
  let last = -1;
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    const i = Number(match[1]);
    seen[i]++;
    if (i < last) into.disordered++;
    last = i;
  }
  into.lost += seen.filter((n) => n === 0).length;
  into.duplicated += seen.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const expected = Array.from({ length: chunks }, (_, i) => numberedChunk(i, CHUNK)).join('');
  if (text !== expected && into.lost + into.duplicated + into.disordered === 0) into.disordered++;
}

function merge(results: Measured[], chunks: number): Measured {
  return {
    toConnected: results.flatMap((r) => r.toConnected),
    toFirstUpdate: results.flatMap((r) => r.toFirstUpdate),
    lost: results.reduce((s, r) => s + r.lost, 0),
    duplicated: results.reduce((s, r) => s + r.duplicated, 0),
    disordered: results.reduce((s, r) => s + r.disordered, 0),
    expected: chunks * results.length,
  };
}

function resumeFigures(cold: number[], m: Measured): Figure[] {
  const { initialDelayMs, maxDelayMs, minUptimeMs } = defaultReconnectOptions;
  const wrong = m.lost + m.duplicated + m.disordered;
  return [
    {
      name: `cut → resumed (replay delivered, connected), ${m.toConnected.length} cuts over ${CLIENTS} clients; first retry ≤ ${initialDelayMs} ms, cap ${maxDelayMs} ms, reset after ${minUptimeMs} ms up`,
      rounds: m.toConnected,
      unit: 'ms',
      digits: 0,
      target: { op: '<', limit: TARGET_MEDIAN_MS },
      baseline: `p95 ${fmt(percentile(m.toConnected, 95), 0)} ms; cut → first update after the resume median ${fmt(median(m.toFirstUpdate), 0)} ms; cold connect median ${fmt(median(cold), 1)} ms`,
    },
    { name: `chunks lost + duplicated + out of order (of ${m.expected} streamed)`, rounds: [wrong], unit: '', digits: 0, target: { op: '<=', limit: 0 }, baseline: `${m.lost} lost, ${m.duplicated} duplicated, ${m.disordered} out of order` },
  ];
}
