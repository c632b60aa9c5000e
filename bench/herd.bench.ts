/**
 * Reconnect herd: 1,000 clients, each with a session, lose their server (killed with SIGKILL) and a new
 * one starts on the same port and data dir. Every client must come back and resume its session — none
 * gives up or loses it — and a prompt in each resumed session must answer. Reports the time from the new
 * server answering to each client's resume (median, p99), the new server's peak RSS, and, as the baseline,
 * the same clients' first connect to a fresh server in the same round.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { freePort } from '../test/helpers/freePort';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PunieClient } from '../src/client/punieClient';
import { ServerProcess } from '../test/helpers/serverProcess';
import { fmt, median, MiB, percentile, repeat, type Figure } from './report';

const CLIENTS = Number(process.env.HERD_CLIENTS ?? 1000);
const ROUNDS = Number(process.env.HERD_ROUNDS ?? 3);
const MODEL = 'test?chunks=2&chunkSize=8';

/**
 * Every session's log holds the updates its client has seen (the commands announced after session/new): the
 * header alone is written before session/new answers, the updates within the store's batch delay, and a kill
 * inside that delay loses them by design (the client then reloads the session instead of resuming it).
 */
async function allWritten(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => []);
  if (names.length < CLIENTS) return false;
  const logs = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  return logs.every((log) => log.includes('"k":"u"'));
}

interface Round {
  resumedMs: number[];
  connectMs: number[];
  peakRss: number;
  gaveUp: number;
  lost: number;
  answered: number;
}

async function round(): Promise<Round> {
  const dataDir = await mkdtemp(join(tmpdir(), 'punie-bench-herd-'));
  const options = { port: await freePort(), dataDir, maxConnections: CLIENTS + 50, maxSessions: CLIENTS + 50, rateLimitPerSecond: 0 };
  let server = await ServerProcess.start(options);
  const clients = Array.from({ length: CLIENTS }, () => new PunieClient({ url: server.urls.ws }));
  try {
    let started = performance.now();
    const connectMs = await Promise.all(clients.map(async (c) => (await c.start(), performance.now() - started)));
    const sessions = await Promise.all(clients.map((c) => c.newSession('/bench', { model: MODEL })));
    let lost = 0;
    let gaveUp = 0;
    for (const c of clients) {
      c.onSessionLost((l) => lost++ === 0 && console.log(`first lost session: ${JSON.stringify(l)}`));
      c.onStateChange((s) => s.kind === 'failed' && gaveUp++);
    }
    // The store writes updates down in batches: everything the clients saw is on disk before the kill.
    while (!(await allWritten(join(dataDir, 'sessions')))) await new Promise((r) => setTimeout(r, 100));
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    const resumed = clients.map(
      (c) =>
        new Promise<number>((resolve) => {
          const sub = c.onStateChange((s) => {
            if (s.kind !== 'connected') return;
            sub.dispose();
            resolve(performance.now());
          });
        }),
    );
    server = await ServerProcess.start(options);
    started = performance.now();
    const sampler = server.sampleRss();
    const resumedMs = (await Promise.all(resumed)).map((at) => at - started);
    const answers = await Promise.all(clients.map((c, i) => c.prompt(sessions[i].sessionId, [{ type: 'text', text: 'go' }]).catch(() => 'failed')));
    const peakRss = await sampler.stop();
    return { resumedMs, connectMs, peakRss, gaveUp, lost, answered: answers.filter((a) => a === 'end_turn').length };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Figure[]> {
  const rounds = await repeat(ROUNDS, round);
  const list = (xs: number[]) => xs.map((x) => fmt(x, 0)).join(', ');
  return [
    { name: `new server answering → resumed, median over ${CLIENTS} clients (SIGKILL, restart on the same data dir)`, rounds: rounds.map((r) => median(r.resumedMs)), unit: 'ms', digits: 0, baseline: `first connect of the same ${CLIENTS} clients at once, median ${list(rounds.map((r) => median(r.connectMs)))} ms` },
    { name: '… p99', rounds: rounds.map((r) => percentile(r.resumedMs, 99)), unit: 'ms', digits: 0, baseline: `max ${list(rounds.map((r) => Math.max(...r.resumedMs)))} ms` },
    { name: 'new server peak RSS during the herd and one prompt per session', rounds: rounds.map((r) => r.peakRss / MiB), unit: 'MiB' },
    { name: `clients that gave up, lost their session or whose prompt failed (of ${CLIENTS})`, rounds: rounds.map((r) => r.gaveUp + r.lost + (CLIENTS - r.answered)), unit: '', digits: 0, target: { op: '<=', limit: 0 }, baseline: `gave up ${list(rounds.map((r) => r.gaveUp))}; lost ${list(rounds.map((r) => r.lost))}; prompts answered ${list(rounds.map((r) => r.answered))}` },
  ];
}
