import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { StdioBridge } from '../../src/cli/bridge/bridge';
import type { PunieServer } from '../../src/server/server';
import { silentLogger } from '../../src/util/logger';
import { until } from '../helpers/client';
import { TestProxy } from '../helpers/proxy';
import { startServer } from '../helpers/server';

const line = (message: unknown) => JSON.stringify(message) + '\n';

describe('stdio bridge flow control (in process)', function () {
  this.timeout(15_000);
  let server: PunieServer;
  let bridge: StdioBridge;
  let input: PassThrough;
  let answers: Map<unknown, any>;

  beforeEach(async () => {
    server = await startServer();
  });

  async function open(url: string): Promise<void> {
    input = new PassThrough();
    const output = new PassThrough();
    answers = new Map();
    let rest = '';
    output.setEncoding('utf8');
    output.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        const m = JSON.parse(l);
        if ('id' in m && !('method' in m)) answers.set(m.id, m);
      }
    });
    const client = { reconnect: { initialDelayMs: 5, maxDelayMs: 40 } };
    bridge = new StdioBridge({ input, output, url, maxMessageBytes: 16 << 20, logger: silentLogger, client });
    input.write(line({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: 1 } }));
    await until(() => answers.has('init'), 'initialize');
  }

  /** The editor sends `count` requests of `bytes` each, as fast as stdin takes them; `written` counts them. */
  function writeRequests(method: string, count: number, bytes: number) {
    const blob = 'x'.repeat(bytes);
    let written = 0;
    const writer = (async () => {
      for (let id = 0; id < count; id++) {
        written++;
        if (!input.write(line({ jsonrpc: '2.0', id, method, params: { blob } }))) await new Promise((r) => input.once('drain', r));
      }
    })();
    return { writer, written: () => written };
  }

  afterEach(async () => {
    for (const connection of (server as any).connections) connection.socket.resume();
    input.end(); // seen once stdin is read again
    await bridge.exited;
    await server.close();
  });

  it('stops reading stdin while the server does not read, keeps the socket backlog near the watermark, and loses nothing', async () => {
    await open(server.urls().acp);
    const connection = [...(server as any).connections][0];
    connection.socket.pause(); // the server stops reading: the kernel's buffers fill (tens of MiB), then the bridge's socket
    const count = 24;
    const { writer, written } = writeRequests('_test/bulk', count, 512 << 10);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, bridge.serverBacklog)), 2);
    try {
      // Held back: nothing more is read from the editor for a while.
      let last = -1;
      await until(
        () => {
          const stalled = written() === last && bridge.flow.pauses.input > 0;
          last = written();
          return stalled;
        },
        'the editor to be held back',
        10_000,
        250,
      );
      assert.ok(written() < count, `the editor was held back after ${written()} of ${count} messages`);
      connection.socket.resume();
      await writer;
      await until(() => answers.size === count + 1, 'every answer', 10_000);
    } finally {
      clearInterval(sampler);
    }
    for (let id = 0; id < count; id++) assert.equal(answers.get(id).error.code, -32601, `request ${id} reached the server`);
    // One watermark (1 MiB) plus the message that crossed it, plus what the loop already held.
    assert.ok(peak <= (1 << 20) + 2 * (512 << 10) + (64 << 10), `socket backlog peaked at ${peak} bytes`);
  });

  it('holds stdin while the server is away once a watermark of requests waits for it, and sends them all on reconnect', async () => {
    const proxy = await TestProxy.start(server.port);
    try {
      await open(proxy.url('/acp'));
      const state = () => (bridge as any).client.state.kind;
      proxy.refuseNew = true;
      proxy.cut();
      await until(() => state() === 'reconnecting', 'the bridge to notice');
      const count = 8;
      const { writer, written } = writeRequests('_test/held', count, 256 << 10);
      await until(() => bridge.flow.pauses.input > 0, 'stdin to be paused');
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(written() <= 6, `only about a watermark (1 MiB) of requests is held: ${written()} of ${count} read`);
      proxy.refuseNew = false;
      await writer;
      await until(() => answers.size === count + 1, 'every answer', 8000);
      for (let id = 0; id < count; id++) assert.equal(answers.get(id).error.code, -32601, `request ${id} reached the server`);
    } finally {
      await proxy.close();
    }
  });
});
