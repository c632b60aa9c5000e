import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import WebSocket from 'ws';
import { Rng } from '../fuzz/generate';
import { MOVES, playMove, type ChaosCounts, type HostileTarget } from '../helpers/hostileClient';
import { cliBundle } from '../helpers/stdioBridge';

const SEEDS = 24;
const CLIENTS_PER_SEED = 4;
const TOKEN = 'chaos-token';
/** What `punie serve` logs when something escaped a boundary (see src/cli/lastLine.ts and src/server/boundary.ts). */
const ESCAPED = /internal error|unexpected failure|failed unexpectedly|^\s+at /m;

/** `punie serve` as a child process, so a crash is seen as an exit, not as a test failure of the parent. */
async function startServe(): Promise<{ child: ChildProcessWithoutNullStreams; urls: { ws: string; acp: string; health: string }; stderr: () => string }> {
  const child = spawn(process.execPath, [await cliBundle(), 'serve', '--port', '0', '--token', TOKEN, '--log-level', 'warn'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const urls = await new Promise<{ ws: string; acp: string; health: string }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const ws = /Punie clients: (\S+)/.exec(out)?.[1];
      const acp = /ACP clients: +(\S+)/.exec(out)?.[1];
      const health = /Health: +(\S+)/.exec(out)?.[1];
      if (ws && acp && health) resolve({ ws, acp, health });
    });
    child.once('exit', (code) => reject(new Error(`punie serve exited with ${code}: ${stderr}`)));
  });
  return { child, urls, stderr: () => stderr };
}

/** A well-behaved client's whole turn: (initialize,) session/new, session/prompt → end_turn. */
async function normalTurn(url: string, acp: boolean): Promise<string> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const answers = new Map<string, (m: Record<string, unknown>) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    if (typeof m.id === 'string') answers.get(m.id)?.(m);
  });
  const call = (id: string, method: string, params: object) =>
    new Promise<Record<string, unknown>>((resolve) => {
      answers.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  try {
    if (acp) await call('i', 'initialize', { protocolVersion: 1 });
    const created = await call('n', 'session/new', { cwd: '/chaos', mcpServers: [] });
    const sessionId = (created.result as { sessionId: string }).sessionId;
    const prompted = await call('p', 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'still there?' }] });
    return (prompted.result as { stopReason: string }).stopReason;
  } finally {
    ws.close();
  }
}

describe('chaos: hostile clients against punie serve', () => {
  it(`survives ${SEEDS} seeds of clients that send random frames and leave at random points, on /ws and /acp`, async function () {
    this.timeout(90_000);
    const started = Date.now();
    const server = await startServe();
    const counts: ChaosCounts = { frames: 0, disconnects: 0, byMove: {} };
    try {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const played = await Promise.all(
          (['ws', 'acp'] as const).map(async (endpoint) => {
            const rng = new Rng(seed * 7919 + (endpoint === 'ws' ? 0 : 1));
            const target: HostileTarget = { url: server.urls[endpoint], endpoint, token: TOKEN };
            // Every move is played on both endpoints within the first seeds; then they mix at random.
            const slot = (i: number) => (seed - 1) * CLIENTS_PER_SEED + i;
            const moves = Array.from({ length: CLIENTS_PER_SEED }, (_, i) => (slot(i) < MOVES.length ? MOVES[slot(i)] : rng.pick(MOVES)));
            await Promise.all(moves.map((move, i) => playMove(target, move, new Rng(seed * 104729 + i), counts)));
            return `/${endpoint}: ${moves.join(', ')}`;
          }),
        );
        const where = `seed ${seed} (${played.join('; ')})`;
        assert.equal(server.child.exitCode, null, `punie serve exited after ${where}: ${server.stderr()}`);
        const health = await fetch(server.urls.health);
        assert.equal(health.status, 200, `/health after ${where}`);
        const turns = await Promise.all([normalTurn(server.urls.ws, false), normalTurn(server.urls.acp, true)]);
        assert.deepEqual(turns, ['end_turn', 'end_turn'], `normal turns on /ws and /acp after ${where}`);
      }
      assert.doesNotMatch(server.stderr(), ESCAPED);
    } finally {
      server.child.kill('SIGTERM');
    }
    for (const move of MOVES) assert.ok((counts.byMove[move] ?? 0) >= 2, `move ${move} was played on both endpoints`);
    console.log(`      chaos: ${SEEDS} seeds × 2 endpoints, ${counts.frames} frames, ${counts.disconnects} disconnects in ${Date.now() - started} ms`);
  });
});
