/**
 * Hostile clients for the chaos test: each sends random valid and invalid frames (the fuzzer's) and leaves
 * at a random point — mid-frame, right after a request, while its answers are being written, during a
 * prompt, during a resume, or before `initialize` on /acp. Seeded: a seed always plays the same moves.
 */
import WebSocket from 'ws';
import { FrameFactory, type Endpoint } from '../fuzz/frames';
import { Rng } from '../fuzz/generate';

export const MOVES = ['mid-frame', 'after-request', 'while-answered', 'during-prompt', 'during-resume', 'before-initialize', 'fuzz-then-close'] as const;
export type Move = (typeof MOVES)[number];

export interface ChaosCounts {
  frames: number;
  disconnects: number;
  byMove: Record<string, number>;
}

export interface HostileTarget {
  url: string;
  endpoint: Endpoint;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One hostile client playing one move; resolves once it is gone. */
export async function playMove(target: HostileTarget, move: Move, rng: Rng, counts: ChaosCounts): Promise<void> {
  counts.byMove[move] = (counts.byMove[move] ?? 0) + 1;
  const ws = await open(target);
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const send = (value: object | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    counts.frames++;
  };
  const call = (id: string, method: string, params: object) => send({ jsonrpc: '2.0', id, method, params });
  const answer = (id: string) =>
    new Promise<Record<string, unknown> | undefined>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if (message.id !== id) return;
        ws.off('message', onMessage);
        resolve(message);
      };
      ws.on('message', onMessage);
      ws.once('close', () => resolve(undefined));
    });
  const factory = new FrameFactory(rng, target.endpoint, () => 'punie-session-none');
  const fuzz = (n: number) => {
    for (let i = 0; i < n; i++) {
      const frame = factory.frame();
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame.data, { binary: frame.binary });
      counts.frames++;
    }
  };
  const setUp = async (): Promise<string | undefined> => {
    if (target.endpoint === 'acp') {
      call('init', 'initialize', { protocolVersion: 1 });
      await answer('init');
    }
    call('new', 'session/new', { cwd: '/chaos', mcpServers: [] });
    const created = await answer('new');
    return (created?.result as { sessionId?: string } | undefined)?.sessionId;
  };

  switch (move) {
    case 'mid-frame': {
      fuzz(rng.int(5));
      // A masked text frame header that announces 1000 bytes, then 10 of them, then the TCP connection ends.
      const header = Buffer.from([0x81, 0xfe, 0x03, 0xe8, 1, 2, 3, 4]);
      const tcp = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      tcp.write(Buffer.concat([header, Buffer.alloc(10, 0x41)]));
      counts.frames++;
      tcp.destroy();
      break;
    }
    case 'after-request':
      fuzz(rng.int(3));
      call(`r${rng.int(1000)}`, rng.pick(['session/new', 'session/list', 'initialize', 'nope']), { cwd: '/chaos', mcpServers: [], protocolVersion: 1 });
      ws.terminate();
      break;
    case 'while-answered':
      // Every one of these is answered with an error; the client is gone before the answers are written.
      for (let i = 0, n = 20 + rng.int(200); i < n; i++) send(rng.chance(0.5) ? `{not json ${i}` : { jsonrpc: '2.0', id: i, method: `nope/${i}` });
      ws.terminate();
      break;
    case 'during-prompt': {
      const sessionId = await setUp();
      call('p', 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'chaos '.repeat(1 + rng.int(20)) }] });
      fuzz(rng.int(10));
      await sleep(rng.int(15));
      ws.terminate();
      break;
    }
    case 'during-resume': {
      const sessionId = await setUp();
      ws.terminate();
      await gone;
      const again = await open(target);
      const token = 'stale-or-wrong';
      if (target.endpoint === 'acp') again.send(JSON.stringify({ jsonrpc: '2.0', id: 'i', method: 'initialize', params: { protocolVersion: 1 } }));
      again.send(JSON.stringify({ jsonrpc: '2.0', id: 'r', method: 'session/resume', params: { sessionId, cwd: '/chaos', resumeToken: token, _meta: { seq: 0, prompts: ['x'] } } }));
      counts.frames += 2;
      await sleep(rng.int(5));
      again.terminate();
      counts.disconnects++;
      await new Promise<void>((resolve) => again.once('close', () => resolve()));
      break;
    }
    case 'before-initialize':
      // On /acp the answer is followed by close 1002; on /ws it is just answered. Leave before either.
      call('early', 'session/new', { cwd: '/chaos', mcpServers: [] });
      fuzz(rng.int(4));
      ws.terminate();
      break;
    case 'fuzz-then-close':
      fuzz(10 + rng.int(100));
      if (rng.chance(0.5)) ws.close();
      else ws.terminate();
      break;
  }
  counts.disconnects++;
  await gone;
}

function open(target: HostileTarget): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.url, { headers: { authorization: `Bearer ${target.token}` }, perMessageDeflate: false });
    ws.on('error', () => {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('close', () => reject(new Error('closed before open')));
  });
}
