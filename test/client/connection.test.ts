import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PunieClient } from '../../src/client/punieClient';
import type { ConnectionState } from '../../src/client/types';
import type { PunieServer } from '../../src/server/server';
import { ConnectionClosedError, RequestTimeoutError } from '../../src/transport/errors';
import { createLogger } from '../../src/util/logger';
import { Recorder, expectedText, testClient, text, until } from '../helpers/client';
import { TestProxy } from '../helpers/proxy';
import { startServer } from '../helpers/server';

/** A bare ws server on 127.0.0.1 that hands each socket to `onSocket` (for peers our server never is). */
async function bareServer(onSocket: (ws: WebSocket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', onSocket);
  await new Promise((r) => wss.once('listening', r));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

const reconnecting = (r: Recorder) => r.states.filter((s): s is Extract<ConnectionState, { kind: 'reconnecting' }> => s.kind === 'reconnecting');

describe('client connection: heartbeat, timeouts, backoff, failures', function () {
  this.timeout(10_000);
  let server: PunieServer;
  let proxy: TestProxy;
  let client: PunieClient | undefined;

  beforeEach(async () => {
    server = await startServer({ heartbeatIntervalMs: 50 });
    proxy = await TestProxy.start(server.port);
  });
  afterEach(async () => {
    await client?.dispose();
    client = undefined;
    await proxy.close();
    await server.close();
  });

  it('detects a half-open server within two heartbeat intervals, and resumes at once (the newer connection wins)', async () => {
    // The server notices the dead socket later than the client (its heartbeat is slower), as a real one would.
    await proxy.close();
    await server.close();
    server = await startServer({ heartbeatIntervalMs: 500 });
    proxy = await TestProxy.start(server.port);
    const log: string[] = [];
    client = testClient(proxy.url(), { heartbeatIntervalMs: 200, logger: createLogger('debug', (line) => log.push(line)) });
    const recorder = new Recorder(client);
    await client.start();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=250&chunkSize=8&delayMs=10' });
    const done = client.prompt(sessionId, text('go'));
    await new Promise((r) => setTimeout(r, 250));
    const blackholedAt = Date.now();
    proxy.blackhole();
    await until(() => recorder.kinds().includes('reconnecting'), 'the dead connection to be noticed');
    const detectedIn = Date.now() - blackholedAt;
    // Two intervals (400 ms) plus slack for a loaded machine, still short of a third interval.
    assert.ok(detectedIn <= 2 * 200 + 150, `detected in ${detectedIn} ms`);
    assert.match(reconnecting(recorder)[0].lastError, /no answer from the server for \d+ ms \(two heartbeats\)/);
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(250, 8));
    assert.equal(recorder.lost.length, 0);
  });

  it('does not mistake a slow link (latency and a bandwidth cap) for a dead one', async () => {
    // (The server's own 50 ms heartbeat of this suite is shorter than this link's round trip.)
    await proxy.close();
    await server.close();
    server = await startServer();
    proxy = await TestProxy.start(server.port);
    proxy.delayMs = 40;
    proxy.bytesPerSecond = 40_000;
    client = testClient(proxy.url(), { heartbeatIntervalMs: 100 });
    const recorder = new Recorder(client);
    await client.start();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=120&chunkSize=16&delayMs=2' });
    const started = Date.now();
    assert.equal(await client.prompt(sessionId, text('go')), 'end_turn');
    assert.ok(Date.now() - started > 300, 'the link really was slow');
    assert.equal(recorder.text(sessionId), expectedText(120, 16));
    assert.deepEqual(recorder.kinds(), ['connecting', 'connected']);
  });

  it('rejects a pending request within a tick of the close, with a typed error naming method and id', async () => {
    client = testClient(proxy.url());
    const recorder = new Recorder(client);
    await client.start();
    proxy.blackhole();
    let rejected: unknown;
    const pending = client.request('session/list', {}, { timeoutMs: 30_000 }).catch((err) => (rejected = err));
    // The close event and everything it triggers run in one macrotask; the next one must see the rejection.
    let rejectedWithinTick: boolean | undefined;
    client.onStateChange((s) => {
      if (s.kind === 'reconnecting') setImmediate(() => (rejectedWithinTick ??= rejected !== undefined));
    });
    await new Promise((r) => setTimeout(r, 20));
    proxy.cut();
    await pending;
    assert.ok(rejected instanceof ConnectionClosedError);
    assert.match((rejected as Error).message, /^session\/list \(request id "[0-9a-f-]{36}"\) failed: connection closed/);
    await until(() => rejectedWithinTick !== undefined, 'the reconnecting state');
    assert.equal(rejectedWithinTick, true, 'rejected within the tick of the close');
    assert.ok(recorder.kinds().includes('reconnecting'));
  });

  it('times out a control request with a typed error naming method and request id', async () => {
    client = testClient(proxy.url());
    await client.start();
    proxy.blackhole();
    const started = Date.now();
    await assert.rejects(client.request('session/list', {}, { timeoutMs: 100 }), (err: Error) => {
      assert.ok(err instanceof RequestTimeoutError);
      assert.match(err.message, /^session\/list \(request id "[0-9a-f-]{36}"\) timed out: no response within \d+ ms/);
      return true;
    });
    assert.ok(Date.now() - started < 1000);
  });

  it('times out a connect that hangs and a handshake nobody answers, and keeps retrying', async () => {
    proxy.blackholeNew = true;
    client = testClient(proxy.url(), { connectTimeoutMs: 100 });
    const recorder = new Recorder(client);
    const started = client.start();
    await until(() => reconnecting(recorder).length > 0, 'a connect timeout');
    assert.match(reconnecting(recorder)[0].lastError, /timed out/i);
    proxy.blackholeNew = false;
    await started;
    await client.dispose();

    const silent = await bareServer(() => {});
    try {
      client = testClient(silent.url, { handshakeTimeoutMs: 100 });
      const r2 = new Recorder(client);
      client.start().catch(() => {});
      await until(() => reconnecting(r2).length >= 2, 'two handshake timeouts');
      assert.match(reconnecting(r2)[0].lastError, /initialize \(request id "[^"]+"\) timed out: no response within 100 ms/);
    } finally {
      await client.dispose();
      await silent.close();
    }
  });

  it('waits within the jitter bounds and resets the backoff only after the connection stayed up', async () => {
    client = testClient(proxy.url(), { random: () => 0.999, reconnect: { initialDelayMs: 40, maxDelayMs: 1000, minUptimeMs: 300 } });
    const recorder = new Recorder(client);
    const delays: number[] = [];
    client.onStateChange((s) => {
      if (s.kind === 'reconnecting') delays.push(s.retryAt - Date.now());
    });
    await client.start();
    for (let i = 0; i < 2; i++) {
      proxy.cut();
      await until(() => recorder.kinds().filter((k) => k === 'connected').length === i + 2, 'the reconnect');
    }
    await new Promise((r) => setTimeout(r, 350));
    proxy.cut();
    await until(() => recorder.kinds().filter((k) => k === 'connected').length === 4, 'the reconnect');
    // Unstable connections (up less than minUptimeMs) keep growing the bound: 40, 80; a stable one resets it.
    assert.equal(delays.length, 3);
    assert.ok(delays[0] <= 40 && delays[0] >= 30, `first delay ${delays[0]}`);
    assert.ok(delays[1] <= 80 && delays[1] >= 70, `second delay ${delays[1]}`);
    assert.ok(delays[2] <= 40 && delays[2] >= 30, `delay after a stable connection ${delays[2]}`);
  });

  it('dials once per attempt however often retryNow and start are called (single-flight)', async () => {
    proxy.refuseNew = true;
    client = testClient(proxy.url(), { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 0.5 });
    const recorder = new Recorder(client);
    client.start().catch(() => {});
    client.start().catch(() => {});
    await until(() => reconnecting(recorder).length === 1, 'the first failure');
    assert.equal(proxy.accepted, 1);
    for (let i = 0; i < 20; i++) client.retryNow();
    client.start().catch(() => {});
    await until(() => reconnecting(recorder).length === 2, 'the second failure');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(proxy.accepted, 2, 'twenty retryNow calls made one attempt');
    assert.equal(reconnecting(recorder)[1].attempt, 3);
    proxy.refuseNew = false;
    client.retryNow();
    await until(() => client!.state.kind === 'connected', 'the connect');
    assert.equal(proxy.accepted, 3);
  });

  it('gives up with a clear error after maxAttempts, and retryNow starts over', async () => {
    proxy.refuseNew = true;
    client = testClient(proxy.url(), { reconnect: { maxAttempts: 3 } });
    const recorder = new Recorder(client);
    await assert.rejects(client.start(), /gave up after 3 attempt\(s\): cannot connect/);
    assert.equal(client.state.kind, 'failed');
    assert.equal(proxy.accepted, 3);
    await assert.rejects(client.newSession('/w'), /session\/new was not sent: gave up after 3/);
    proxy.refuseNew = false;
    client.retryNow();
    await until(() => client!.state.kind === 'connected', 'the connect after retryNow');
    assert.deepEqual(recorder.kinds().slice(-2), ['connecting', 'connected']);
  });

  it('does not retry on 401, and says to check the token', async () => {
    await proxy.close();
    await server.close();
    server = await startServer({ token: 'right' });
    proxy = await TestProxy.start(server.port);
    client = testClient(proxy.url(), { token: 'wrong' });
    await assert.rejects(client.start(), /answered HTTP 401 — check the token/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(proxy.accepted, 1);
    assert.equal(client.state.kind, 'failed');
    await client.dispose();
    client = testClient(proxy.url(), { token: 'right' });
    await client.start();
  });

  it('does not retry after a close code that says not to (1008)', async () => {
    const strict = await bareServer((ws) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: 1, agentCapabilities: {}, authMethods: [], agentInfo: { name: 'strict', version: '1' } } }));
        setTimeout(() => ws.close(1008, 'too many requests'), 20);
      });
    });
    let connections = 0;
    try {
      client = testClient(strict.url);
      client.onStateChange((s) => s.kind === 'connected' && connections++);
      await client.start();
      await until(() => client!.state.kind === 'failed', 'the failed state');
      const state = client.state as Extract<ConnectionState, { kind: 'failed' }>;
      assert.match(state.reason, /\(1008 too many requests\): policy violation, so the client does not reconnect/);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(connections, 1);
    } finally {
      await client?.dispose();
      await strict.close();
    }
  });

  it('reconnects at once after a graceful server shutdown (1001)', async () => {
    client = testClient(proxy.url(), { reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 }, random: () => 0.999 });
    const recorder = new Recorder(client);
    await client.start();
    const next = await startServer();
    proxy.targetPort = next.port;
    const old = server;
    server = next;
    const closedAt = Date.now();
    await old.close();
    await until(() => recorder.kinds().filter((k) => k === 'connected').length === 2, 'the reconnect', 2000);
    assert.ok(Date.now() - closedAt < 1000, 'no backoff wait');
    const r = reconnecting(recorder)[0];
    assert.match(r.lastError, /1001 server shutting down/);
    assert.equal(r.attempt, 1);
  });

  it('detects sleep from the wall clock before a send and reconnects at once', async () => {
    let offset = 0;
    client = testClient(proxy.url(), { heartbeatIntervalMs: 10_000, sleepToleranceMs: 1000, now: () => Date.now() + offset, reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 } });
    const recorder = new Recorder(client);
    await client.start();
    offset += 3_600_000;
    const started = Date.now();
    const list = await client.request<{ sessions: unknown[] }>('session/list', {});
    assert.deepEqual(list.sessions, []);
    assert.ok(Date.now() - started < 1000, 'the request went out on a fresh connection, without a backoff wait');
    const r = reconnecting(recorder)[0];
    assert.match(r.lastError, /the clock jumped 3600 s while heartbeat timers did not run \(sleep or suspend\)/);
    assert.ok(r.retryAt - (Date.now() + offset) <= 0);
    assert.equal(proxy.accepted, 2);
  });

  it('detects sleep on the heartbeat timer too', async () => {
    let offset = 0;
    client = testClient(proxy.url(), { heartbeatIntervalMs: 50, sleepToleranceMs: 500, now: () => Date.now() + offset });
    const recorder = new Recorder(client);
    await client.start();
    offset += 120_000;
    await until(() => reconnecting(recorder).length === 1, 'sleep detection');
    // 120 s plus however long the loaded machine took to run the timer.
    const jumped = Number(/clock jumped (\d+) s/.exec(reconnecting(recorder)[0].lastError)?.[1]);
    assert.ok(jumped >= 120 && jumped < 130, `jumped ${jumped} s`);
    await until(() => client!.state.kind === 'connected', 'the reconnect');
  });

  it('closes with 1000 on dispose, rejects what waits, and stays closed', async () => {
    client = testClient(proxy.url());
    await client.start();
    proxy.refuseNew = true;
    proxy.cut();
    await until(() => client!.state.kind === 'reconnecting', 'reconnecting');
    const waiting = client.request('session/list', {});
    await client.dispose();
    await assert.rejects(waiting, /session\/list was not sent: the client was closed/);
    assert.deepEqual(client.state, { kind: 'closed', reason: 'closed by the client' });
    await assert.rejects(client.start(), /the client was closed/);
  });
});
