import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { createLogger } from '../../src/util/logger';
import { until } from '../helpers/client';
import { TestProxy } from '../helpers/proxy';
import { startServer } from '../helpers/server';
import { BridgeProcess, cliBundle, readLines } from '../helpers/stdioBridge';

const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1, clientCapabilities: {} } };
const line = (message: unknown) => JSON.stringify(message) + '\n';

describe('punie stdio: bad input, limits, EOF and failures (raw stdio)', function () {
  this.timeout(15_000);
  let bridge: BridgeProcess | undefined;
  let out: any[];

  before(() => cliBundle());
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  async function start(args: string[]): Promise<BridgeProcess> {
    bridge = await BridgeProcess.start(args);
    out = readLines(bridge);
    return bridge;
  }

  const answer = async (id: unknown) => {
    await until(() => out.some((m) => m.id === id && ('result' in m || 'error' in m)), `the answer to ${JSON.stringify(id)}`, 8000);
    return out.find((m) => m.id === id && ('result' in m || 'error' in m));
  };

  it('answers an invalid line with -32700 and a non-object with -32600, logs them, and keeps working', async () => {
    const b = await start([]);
    b.send('not json\n42\n');
    b.send(line({ jsonrpc: '2.0', id: 'early', method: 'session/new', params: { cwd: '/tmp', mcpServers: [] } }));
    await until(() => out.length >= 3, 'three answers');
    assert.deepEqual(out.slice(0, 2).map((m) => [m.id, m.error.code]), [[null, -32700], [null, -32600]]);
    const early = await answer('early');
    assert.equal(early.error.code, -32600);
    assert.match(early.error.message, /session\/new \(request id "early"\): send initialize first/);
    assert.match(b.stderr, /the editor sent an invalid message \(no request id\), answered with -32700: Parse error/);
    b.send(line(init));
    assert.equal((await answer(1)).result.protocolVersion, 1);
  });

  it('passes lines far over 64 KiB up to the server’s payload limit, and answers a longer one with -32600 under its own id', async () => {
    const b = await start([]);
    b.send(line(init));
    await answer(1);
    const tooBig = line({ jsonrpc: '2.0', id: 7, method: 'session/prompt', params: { sessionId: 's', prompt: [{ type: 'text', text: 'x'.repeat(17 << 20) }] } });
    b.send(tooBig);
    b.send(line({ jsonrpc: '2.0', id: 8, method: '_test/big', params: { blob: 'y'.repeat(1 << 20) } }));
    const refused = await answer(7);
    assert.equal(refused.error.code, -32600);
    assert.match(refused.error.message, /session\/prompt \(request id 7\) is larger than 16777216 bytes, the most this connection accepts/);
    const passed = await answer(8);
    assert.equal(passed.error.code, -32601, 'the 1 MiB message reached the server, which does not know the method');
    assert.match(passed.error.message, /Method not found: _test\/big/);
  });

  it('tells the editor why initialize failed when the server cannot be reached, and still exits 0 at EOF', async () => {
    const b = await start(['--server', 'ws://127.0.0.1:9/acp', '--log-level', 'warn']);
    b.send(line(init));
    const failed = await answer(1);
    assert.equal(failed.error.code, -32603);
    assert.match(failed.error.message, /initialize \(request id 1\): cannot reach the Punie server: cannot connect to ws:\/\/127\.0\.0\.1:9\/acp: connection refused/);
    b.child.stdin.end();
    assert.equal((await b.exit).code, 0);
  });

  it('shuts down cleanly on SIGTERM: exit 0, the embedded server stopped', async () => {
    const b = await start([]);
    b.send(line(init));
    await answer(1);
    b.child.kill('SIGTERM');
    assert.deepEqual(await b.exit, { code: 0, signal: null });
    assert.match(b.stderr, /stopping: received SIGTERM[\s\S]*\[server\] server stopped/);
  });

  describe('with a server in the test', () => {
    let server: PunieServer;
    const serverLog: string[] = [];
    beforeEach(async () => {
      serverLog.length = 0;
      server = await startServer({ logger: createLogger('info', (l) => serverLog.push(l)) });
    });
    afterEach(() => server.close());

    it('EOF mid-prompt: the turn is cancelled on the server, the socket closes with 1000, exit 0', async () => {
      const b = await start(['--server', server.urls().acp, '--model', 'test?chunks=100000&chunkSize=16&delayMs=5']);
      b.send(line(init));
      b.send(line({ jsonrpc: '2.0', id: 2, method: 'session/new', params: { cwd: '/tmp', mcpServers: [] } }));
      const sessionId = (await answer(2)).result.sessionId;
      assert.equal((await answer(2)).result._meta, undefined, 'the resume token stays with the bridge');
      b.send(line({ jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
      await until(() => out.filter((m) => m.method === 'session/update').length >= 5, 'some output');
      const agent = server.store.owned(sessionId, 'client-0').agent;
      assert.equal(agent.isRunning, true);
      b.child.stdin.end();
      assert.deepEqual(await b.exit, { code: 0, signal: null });
      await until(() => serverLog.some((l) => /client-0 disconnected \(1000 client closed\)/.test(l)), 'the close with 1000');
      assert.equal(agent.isRunning, false, 'the turn was cancelled, not left running for 500 s');
      assert.match(b.stderr, /stopping: the editor closed stdin/);
    });

    it('exits 1 with the reason once the server refuses it for good, after answering what was pending', async () => {
      const proxy = await TestProxy.start(server.port);
      const guarded = await startServer({ token: 'secret' });
      try {
        const b = await start(['--server', proxy.url('/acp'), '--model', 'test?chunks=1000&chunkSize=16&delayMs=5']);
        b.send(line(init));
        b.send(line({ jsonrpc: '2.0', id: 2, method: 'session/new', params: { cwd: '/tmp', mcpServers: [] } }));
        const sessionId = (await answer(2)).result.sessionId;
        b.send(line({ jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
        await until(() => out.some((m) => m.method === 'session/update'), 'some output');
        proxy.targetPort = guarded.port; // the server came back requiring a token this bridge does not have
        proxy.cut();
        const failed = await answer(3);
        assert.match(failed.error.message, /HTTP 401 — check the token/);
        assert.equal((await b.exit).code, 1);
        assert.match(b.stderr, /Error: .*HTTP 401 — check the token/);
      } finally {
        await proxy.close();
        await guarded.close();
      }
    });

    it('a 100 MiB answer through a stdout read slowly: every byte arrives, in order, and the bridge stays small', async function () {
      this.timeout(60_000);
      // The paused bridge leaves the backlog with the server; this one holds it all instead of closing it
      // as a slow client (1013), so the test sees the bridge alone.
      await server.close();
      server = await startServer({ slowClientBacklogBytes: 256 << 20, slowClientMaxBacklogBytes: 256 << 20, slowClientTimeoutMs: 60_000 });
      const chunks = 6400;
      const chunkSize = 16 << 10; // 6400 × 16 KiB = 100 MiB of text
      const b = await start(['--server', server.urls().acp, '--model', `test?chunks=${chunks}&chunkSize=${chunkSize}`, '--log-level', 'trace']);
      b.child.stdout.removeAllListeners('data'); // read by hand below, slowly
      const stdout = b.child.stdout;
      let text = '';
      let nextIndex = 0;
      let rest = '';
      let response: any;
      const messages: any[] = [];
      const bytesPerSecond = 40 << 20;
      let received = 0;
      let started = 0;
      stdout.on('data', (chunk: string) => {
        received += chunk.length;
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          const m = JSON.parse(l);
          const t = m.params?.update?.content?.text;
          if (typeof t === 'string') {
            // Numbered chunks, however the updates split them: check the order as they come instead of keeping 100 MiB.
            text += t;
            while (text.length >= chunkSize) {
              assert.ok(text.startsWith(`[${nextIndex}]`), `chunk ${nextIndex} in order`);
              text = text.slice(chunkSize);
              nextIndex++;
            }
          } else if (m.id === 3) response = m;
          else messages.push(m);
        }
        if (started) {
          const ahead = (received / bytesPerSecond) * 1000 - (Date.now() - started);
          if (ahead > 2) {
            stdout.pause();
            setTimeout(() => stdout.resume(), ahead);
          }
        }
      });
      b.send(line(init));
      b.send(line({ jsonrpc: '2.0', id: 2, method: 'session/new', params: { cwd: '/tmp', mcpServers: [] } }));
      await until(() => messages.some((m) => m.id === 2), 'session/new');
      const sessionId = messages.find((m) => m.id === 2).result.sessionId;
      const baseline = b.rssBytes();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, b.rssBytes())), 20);
      started = Date.now();
      b.send(line({ jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } }));
      try {
        await until(() => response !== undefined, 'the end of the answer', 50_000);
      } finally {
        clearInterval(sampler);
      }
      const seconds = (Date.now() - started) / 1000;
      assert.deepEqual(response.result, { stopReason: 'end_turn' });
      assert.equal(nextIndex, chunks, 'every chunk arrived, once, in order');
      assert.equal(text, '');
      const pauses = b.stderr.match(/the server's socket is not read until it drains/g)?.length ?? 0;
      const mb = (n: number) => (n / (1 << 20)).toFixed(1);
      console.log(`      100 MiB in ${seconds.toFixed(1)} s; bridge RSS ${mb(baseline)} → peak ${mb(peak)} MiB (+${mb(peak - baseline)}); socket paused ${pauses} times`);
      assert.ok(pauses > 0, 'the slow stdout paused the socket');
      assert.ok(peak - baseline < 96 << 20, `bridge RSS grew by ${mb(peak - baseline)} MiB, over the 96 MiB bound`);
    });
  });
});
