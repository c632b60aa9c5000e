import assert from 'node:assert/strict';
import { request } from 'node:http';
import { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

/** Sends a raw upgrade request and returns the HTTP status the server answered with. */
function upgradeStatus(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server security', () => {
  let server: PunieServer;
  afterEach(() => server?.close());

  it('binds 127.0.0.1 by default', async () => {
    server = await startServer();
    assert.match(server.urls().ws, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
  });

  it('refuses to run without a token on a non-loopback address, even when asked to', () => {
    assert.throws(() => new PunieServer({ host: '0.0.0.0', port: 0, unauthenticated: true }), /without a token/);
    assert.doesNotThrow(() => new PunieServer({ host: '0.0.0.0', port: 0, token: 't' }));
  });

  it('used as a library with no token, makes a random one and requires it, on loopback too', async () => {
    server = new PunieServer({ port: 0 });
    await server.listen();
    const token = server.options.token;
    assert.match(token ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(new PunieServer({ port: 0 }).options.token, token, 'each server gets its own');
    const host = `127.0.0.1:${server.port}`;
    assert.equal(await upgradeStatus(server.port, '/ws', { host }), 401);
    assert.equal(await upgradeStatus(server.port, '/acp', { host }), 401);
    assert.equal(await upgradeStatus(server.port, '/ws', { host, authorization: `Bearer ${token}` }), 101);
  });

  it('refuses a browser Origin that is not on the allowlist with 403, and allows a listed one', async () => {
    server = await startServer({ allowedOrigins: ['vscode-webview://ok'] });
    assert.equal(await upgradeStatus(server.port, '/ws', { host: `127.0.0.1:${server.port}`, origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(server.port, '/ws', { host: `127.0.0.1:${server.port}`, origin: 'vscode-webview://ok' }), 101);
    assert.equal(await upgradeStatus(server.port, '/acp', { host: `localhost:${server.port}` }), 101);
  });

  it('refuses a Host that is not loopback or configured (DNS rebinding) with 403', async () => {
    server = await startServer();
    assert.equal(await upgradeStatus(server.port, '/ws', { host: `attacker.example:${server.port}` }), 403);
    assert.equal(await upgradeStatus(server.port, '/ws', { host: `[::1]:${server.port}` }), 101);
  });

  it('requires the bearer token when one is set: missing or wrong → 401', async () => {
    server = await startServer({ token: 's3cret-token' });
    const host = `127.0.0.1:${server.port}`;
    assert.equal(await upgradeStatus(server.port, '/ws', { host }), 401);
    assert.equal(await upgradeStatus(server.port, '/ws', { host, authorization: 'Bearer wrong' }), 401);
    assert.equal(await upgradeStatus(server.port, '/ws', { host, authorization: 'Bearer s3cret-token' }), 101);
    const client = await RawClient.connect(server.urls().ws, { headers: { authorization: 'Bearer s3cret-token' } });
    assert.ok((await client.call(1, 'initialize', { protocol_version: 1 })).result);
    client.close();
  });

  it('answers 404 for an upgrade to an unknown path and 426 for plain HTTP to /ws', async () => {
    server = await startServer();
    assert.equal(await upgradeStatus(server.port, '/other', { host: `127.0.0.1:${server.port}` }), 404);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/ws`)).status, 426);
  });
});
