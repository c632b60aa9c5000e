import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import * as net from 'node:net';
import { checkServer, healthUrl, ServerCheckError, type ServerProblem } from '../../src/client/serverCheck';
import type { PunieServer } from '../../src/server/server';
import { startServer } from '../helpers/server';

const TOKEN = 'check-token-0123456789abcdef';

async function listen<T extends net.Server>(server: T): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function close(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function problemOf(check: Promise<void>): Promise<{ problem: ServerProblem; message: string }> {
  const err = await check.then(
    () => assert.fail('the check passed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ServerCheckError, `a ServerCheckError, got ${String(err)}`);
  return { problem: err.problem, message: err.message };
}

describe('checkServer (the look before dialling a remote server)', () => {
  let punie: PunieServer;
  let url: string;

  before(async () => {
    punie = await startServer({ host: '127.0.0.1', token: TOKEN });
    url = punie.urls().ws;
  });

  after(() => punie.close());

  it('finds /health beside the endpoint, keeping a path prefix', () => {
    assert.equal(healthUrl('ws://127.0.0.1:8000/ws'), 'http://127.0.0.1:8000/health');
    assert.equal(healthUrl('wss://example.invalid/punie/ws?x=1'), 'https://example.invalid/punie/health');
  });

  it('passes for a running Punie server that takes the token', async () => {
    await checkServer(url, { token: TOKEN, timeoutMs: 5000 });
  });

  it('says the token is refused (a wrong one and none)', async () => {
    assert.equal((await problemOf(checkServer(url, { token: 'wrong', timeoutMs: 5000 }))).problem, 'token');
    const none = await problemOf(checkServer(url, { timeoutMs: 5000 }));
    assert.equal(none.problem, 'token');
    assert.match(none.message, /refused the token/);
  });

  it('says nothing answers at a port where nothing listens, at once', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await close(probe);
    const started = performance.now();
    const { problem, message } = await problemOf(checkServer(`ws://127.0.0.1:${port}/ws`, { token: TOKEN, timeoutMs: 5000 }));
    assert.equal(problem, 'unreachable');
    assert.match(message, /connection refused/);
    assert.ok(performance.now() - started < 2000, 'no waiting for the timeout');
  });

  it('gives up after the timeout on a server that accepts and never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    const port = await listen(silent);
    try {
      const started = performance.now();
      const { problem, message } = await problemOf(checkServer(`ws://127.0.0.1:${port}/ws`, { timeoutMs: 300 }));
      const took = performance.now() - started;
      assert.equal(problem, 'unreachable');
      assert.match(message, /no answer within/);
      assert.ok(took >= 250 && took < 2000, `gave up after the timeout (took ${Math.round(took)} ms)`);
    } finally {
      for (const s of sockets) s.destroy();
      await close(silent);
    }
  });

  it('says an HTTP server that is not Punie is not one', async () => {
    const other: Server = createServer((_req, res) => res.writeHead(404).end('nope'));
    const port = await listen(other);
    try {
      assert.equal((await problemOf(checkServer(`ws://127.0.0.1:${port}/ws`, { timeoutMs: 2000 }))).problem, 'not-punie');
    } finally {
      other.closeAllConnections();
      await close(other);
    }
  });

  it('says a Punie server has no endpoint at a wrong path', async () => {
    const wrongPath = url.replace(/\/ws$/, '/nope');
    assert.equal((await problemOf(checkServer(wrongPath, { token: TOKEN, timeoutMs: 5000 }))).problem, 'no-endpoint');
  });

  it('stops when its signal aborts (a newer server choice)', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    const port = await listen(silent);
    try {
      const abort = new AbortController();
      const check = checkServer(`ws://127.0.0.1:${port}/ws`, { timeoutMs: 10_000, signal: abort.signal });
      setTimeout(() => abort.abort(new Error('replaced')), 50);
      const started = performance.now();
      await assert.rejects(check, (err: Error) => !(err instanceof ServerCheckError));
      assert.ok(performance.now() - started < 1000, 'abandoned at once');
    } finally {
      for (const s of sockets) s.destroy();
      await close(silent);
    }
  });
});
