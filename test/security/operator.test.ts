/**
 * Attacks on the server's operator: a local process or a client that tries to use the server without the
 * token, to learn about it, to pick a model that calls an address of its choosing, or to read secrets from
 * its logs.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ask } from '../../src/cli/ask';
import { storedServerToken } from '../../src/cli/token';
import { parseOpenAiSpec } from '../../src/agent/models/openaiSpec';
import { PunieServer } from '../../src/server/server';
import { createLogger, type Logger } from '../../src/util/logger';
import { RawClient, startServer } from '../helpers/server';

function get(port: number, urlPath: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security: the server protects its operator', () => {
  let server: PunieServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a generated server token is kept in a user-only file, reused, and refused when others could read it', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'punie-token-')), 'punie');
    const first = storedServerToken(dir);
    assert.equal(first.created, true);
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.ok(first.token.length >= 40);
    assert.deepEqual(storedServerToken(dir), { ...first, created: false });
    chmodSync(first.path, 0o644);
    assert.throws(() => storedServerToken(dir), /can be read by other users \(mode 644\); run chmod 600/);
  });

  it('punie serve on loopback without --token generates one in a user-only file and refuses clients without it', async function () {
    this.timeout(60_000); // three CLI processes
    const config = mkdtempSync(path.join(tmpdir(), 'punie-xdg-'));
    const root = path.join(__dirname, '../..');
    const cli = (args: string[]) => {
      const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'src/cli/main.ts'), ...args], {
        env: { ...process.env, XDG_CONFIG_HOME: config, PUNIE_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = { stdout: '', stderr: '' };
      child.stdout.on('data', (d) => (out.stdout += d));
      child.stderr.on('data', (d) => (out.stderr += d));
      return { child, out, exit: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
    };
    const serve = cli(['serve', '--port', '0']);
    try {
      await new Promise<void>((resolve) => serve.child.stdout.on('data', () => serve.out.stdout.includes('Use it with') && resolve()));
      const tokenFile = path.join(config, 'punie', 'server-token');
      assert.match(serve.out.stdout, new RegExp(`generated and stored in ${tokenFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
      assert.ok(!serve.out.stdout.includes(readFileSync(tokenFile, 'utf8').trim()), 'the token itself is not printed');
      const ws = /(ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(serve.out.stdout)![1];
      const denied = cli(['ask', '--server', ws, 'hi']);
      assert.equal(await denied.exit, 1);
      assert.match(denied.out.stderr, /HTTP 401/);
      const allowed = cli(['ask', '--server', ws, '--token-file', tokenFile, 'hi']);
      assert.equal(await allowed.exit, 0, allowed.out.stderr);
    } finally {
      serve.child.kill('SIGINT');
      await serve.exit;
    }
  });

  it('a client with the token as HTTP Basic password (ws://punie:TOKEN@host) gets in; a wrong one gets 401', async () => {
    server = await startServer({ token: 'tok-basic' });
    const url = server.urls().ws.replace('ws://', 'ws://punie:tok-basic@');
    const client = await RawClient.connect(url);
    assert.ok((await client.call(1, 'initialize', {})).result);
    client.close();
    await assert.rejects(RawClient.connect(server.urls().ws.replace('ws://', 'ws://punie:nope@')), /HTTP 401/);
    await assert.rejects(RawClient.connect(server.urls().ws), /HTTP 401/);
  });

  it('/health applies the Host check and tells a stranger no counts', async () => {
    server = await startServer({ token: 'tok-health' });
    const host = `127.0.0.1:${server.port}`;
    assert.equal((await get(server.port, '/health', { host: 'attacker.example' })).status, 403);
    const anonymous = JSON.parse((await get(server.port, '/health', { host })).body);
    assert.equal(anonymous.status, 'ok');
    assert.equal('connections' in anonymous || 'sessions' in anonymous, false);
    const owner = JSON.parse((await get(server.port, '/health', { host, authorization: 'Bearer tok-health' })).body);
    assert.equal(owner.connections, 0);
    assert.equal(owner.sessions, 0);
  });

  it('a client cannot pick a model that calls a URL of its choosing (SSRF); the operator can allow one', async () => {
    let calls = 0;
    const target = createServer((_req, res) => (calls++, res.end('internal secret')));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    try {
      server = await startServer();
      const client = await RawClient.connect(server.urls().ws);
      const refused = await client.call(1, 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: `local:http://127.0.0.1:${port}/v1/x` } });
      assert.equal(refused.error.code, -32602);
      assert.match(refused.error.message, /is not allowed on this server; the operator allows other models with punie serve --allow-model/);
      assert.ok((await client.call(2, 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: 'test?chunks=2' } })).result, 'built-in models stay allowed');
      client.close();
      assert.equal(calls, 0);
      await server.close();
      server = await startServer({ allowedModels: [`local:http://127.0.0.1:${port}/*`] });
      const allowed = await RawClient.connect(server.urls().ws);
      assert.ok((await allowed.call(1, 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: `local:http://127.0.0.1:${port}/v1/x` } })).result);
      allowed.close();
    } finally {
      target.close();
    }
  });

  it('an API key goes only to the base URL it was configured for', () => {
    const env = { PUNIE_LOCAL_API_KEY: 'sk-local', PUNIE_LOCAL_BASE_URL: 'http://127.0.0.1:1234/v1', OPENAI_API_KEY: 'sk-openai' };
    assert.equal(parseOpenAiSpec('local:http://evil.example:80/v1/m', env).endpoint.apiKey, 'local');
    assert.equal(parseOpenAiSpec('local:http://127.0.0.1:1234/v1/m', env).endpoint.apiKey, 'sk-local');
    assert.equal(parseOpenAiSpec('local:m', {}).endpoint.apiKey, 'local');
    assert.equal(parseOpenAiSpec('openai:gpt', env).endpoint.baseURL, 'https://api.openai.com/v1');
  });

  it('a trace-level log of a whole session (server and CLI client) holds neither the token nor a resume token', async () => {
    const raw: string[] = [];
    const lines: string[] = [];
    const redacted = createLogger('trace', (line) => lines.push(line));
    const tee: Logger = {
      ...redacted,
      trace: (m) => (raw.push(m), redacted.trace(m)),
      debug: (m) => (raw.push(m), redacted.debug(m)),
    };
    const token = 'tok-trace-0123456789abcdef';
    server = await startServer({ token, logger: tee });
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => ((stderr += t), true) } };
    // The token in the URL (as Python clients give it) is logged with every connection attempt unless redacted.
    await ask(['--log-level', 'trace', '--server', server.urls().ws.replace('ws://', `ws://punie:${token}@`), 'hello'], io);
    const resumeTokens = [...raw.join('\n').matchAll(/"resume_token":"([^"]+)"/g)].map((m) => m[1]);
    assert.ok(resumeTokens.length > 0, 'the raw frames carried a resume token');
    const log = `${lines.join('\n')}\n${stderr}`;
    assert.match(log, /session\/new/, 'the log is a trace of the session');
    assert.ok(!log.includes(token), 'the server token is redacted');
    for (const resume of resumeTokens) assert.ok(!log.includes(resume), 'resume tokens are redacted');
  });
});

describe('security: pre-auth connections cost little', () => {
  let server: PunieServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('200 half-open header sockets neither stay open past the timeout nor lock out a real client', async () => {
    server = await startServer({ token: 'tok', preAuthTimeoutMs: 1500 });
    const net = await import('node:net');
    const sockets = await Promise.all(
      Array.from({ length: 200 }, () => new Promise<import('node:net').Socket>((resolve) => {
        const s = net.connect(server!.port, '127.0.0.1', () => {
          s.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // never finished
          resolve(s);
        });
        s.on('error', () => {});
      })),
    );
    const closed = sockets.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    const client = await RawClient.connect(server.urls().ws, { headers: { authorization: 'Bearer tok' } });
    assert.ok((await client.call(1, 'initialize', {})).result, 'the real client got in');
    await Promise.all(closed);
    assert.ok((await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] })).result, 'and stays in');
    client.close();
  });

  it('an unauthenticated request cannot make the server hold more than 64 KiB: huge headers get 431, a body closes the socket', async () => {
    server = await startServer({ token: 'tok' });
    const net = await import('node:net');
    const answer = (payload: string) =>
      new Promise<{ text: string; sent: number }>((resolve) => {
        let text = '';
        let sent = 0;
        const s = net.connect(server!.port, '127.0.0.1', () => {
          s.write(payload);
          const chunk = 'x'.repeat(64 * 1024);
          const pump = () => {
            while (sent < 64 * 1024 * 1024 && !s.destroyed && s.write(chunk)) sent += chunk.length;
          };
          s.on('drain', pump);
          pump();
        });
        s.on('data', (d) => (text += d.toString()));
        s.on('error', () => {});
        s.on('close', () => resolve({ text, sent }));
      });
    const headers = await answer(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: `);
    assert.match(headers.text, /^HTTP\/1\.1 431/);
    assert.ok(headers.sent < 8 * 1024 * 1024, `closed after ${headers.sent} bytes`);
    const body = await answer(`POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 67108864\r\n\r\n`);
    assert.match(body.text, /^HTTP\/1\.1 404/);
    assert.ok(body.sent < 8 * 1024 * 1024, `closed after ${body.sent} bytes`);
  });

  it('a socket that sends nothing is closed after the pre-auth timeout', async () => {
    server = await startServer({ preAuthTimeoutMs: 100 });
    const net = await import('node:net');
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const s = net.connect(server!.port, '127.0.0.1');
      s.on('close', () => resolve());
      s.on('error', () => {});
    });
    assert.ok(Date.now() - started < 2000);
  });
});
