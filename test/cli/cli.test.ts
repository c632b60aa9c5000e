import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { everythingStdio } from '../helpers/mcp';
import { RawClient } from '../helpers/server';

const root = path.join(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** The CLIs a test started; one still running when its test ends (a failure midway) is killed. */
const running = new Set<ChildProcess>();

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(tsx, [path.join(root, 'src/cli/main.ts'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

describe('punie CLI', function () {
  this.timeout(20_000);
  afterEach(() => {
    for (const child of running) child.kill(); // SIGTERM: tsx passes it on to the CLI it runs
  });

  it('ask streams the answer from an embedded server and exits 0', async () => {
    const { out, exit } = run(['ask', 'what is punie?']);
    assert.equal(await exit, 0, out.stderr);
    assert.match(out.stdout, /You asked: \*what is punie\?\*/);
    assert.doesNotMatch(out.stdout, /Working/, 'status goes to stderr');
  });

  it('ask fails with a clear message and exit 1 when the server is unreachable', async () => {
    const { out, exit } = run(['ask', '--server', 'ws://127.0.0.1:9/ws', 'hi']);
    assert.equal(await exit, 1);
    assert.match(out.stderr, /cannot connect to ws:\/\/127\.0\.0\.1:9\/ws/);
    assert.equal(out.stdout, '');
  });

  it('rejects bad usage with exit 2 and the command help', async () => {
    const { out, exit } = run(['ask']);
    assert.equal(await exit, 2);
    assert.match(out.stderr, /needs a question/);
    const bad = run(['serve', '--port', 'x']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.out.stderr, /--port must be a non-negative integer/);
  });

  it('lists stdio in the usage, and stdio rejects a --server that is not a WebSocket URL with exit 2', async () => {
    const help = run(['--help']);
    assert.equal(await help.exit, 0);
    assert.match(help.out.stdout, /stdio +ACP on stdin\/stdout/);
    const bad = run(['stdio', '--server', 'http://127.0.0.1:8000/acp']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.out.stderr, /--server must be a ws:\/\/ or wss:\/\/ URL/);
    assert.match(bad.out.stderr, /Usage: punie stdio/);
    assert.equal(bad.out.stdout, '', 'stdout belongs to ACP');
  });

  it('serve prints its URLs, answers ask --server, and shuts down on SIGINT', async () => {
    const serve = run(['serve', '--port', '0', '--token', 'tok']);
    await new Promise<void>((resolve) => serve.child.stdout.on('data', () => serve.out.stdout.includes('/health') && resolve()));
    const ws = /(ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(serve.out.stdout)![1];
    assert.match(serve.out.stdout, /ws:\/\/127\.0\.0\.1:\d+\/acp/);
    const denied = run(['ask', '--server', ws, 'hi']);
    assert.equal(await denied.exit, 1);
    assert.match(denied.out.stderr, /HTTP 401 — check the token/);
    const ask = run(['ask', '--server', ws, 'remote question'], { PUNIE_TOKEN: 'tok' });
    assert.equal(await ask.exit, 0, ask.out.stderr);
    assert.match(ask.out.stdout, /remote question/);
    serve.child.kill('SIGINT');
    assert.equal(await serve.exit, 0);
    assert.match(serve.out.stderr, /shutting down/);
  });

  /** Starts `punie serve` with `flags` and opens an initialized /acp connection to it. */
  async function serveAcp(flags: string[]) {
    const serve = run(['serve', '--port', '0', '--token', 'tok', ...flags]);
    await new Promise<void>((resolve) => serve.child.stdout.on('data', () => serve.out.stdout.includes('/health') && resolve()));
    const acp = /(ws:\/\/127\.0\.0\.1:\d+\/acp)/.exec(serve.out.stdout)![1];
    const client = await RawClient.connect(acp, { headers: { authorization: 'Bearer tok' } });
    const init = await client.call(1, 'initialize', { protocolVersion: 1, clientCapabilities: {} });
    /** The agent's text of one prompt in a new session that asks for `mcpServers`. */
    const turn = async (mcpServers: unknown[]) => {
      const { result } = await client.call(2, 'session/new', { cwd: root, mcpServers });
      assert.equal((await client.call(3, 'session/prompt', { sessionId: result.sessionId, prompt: [{ type: 'text', text: 'hi' }] })).result.stopReason, 'end_turn');
      return client.updates(result.sessionId).map((u) => u.params.update.content?.text ?? '').join('');
    };
    return { serve, client, capabilities: init.result.agentCapabilities.mcpCapabilities, turn };
  }

  it('serve --allow-mcp decides which MCP servers clients may have it start, and says so in initialize', async () => {
    const none = await serveAcp([]);
    assert.deepEqual(none.capabilities, { http: false, sse: false });
    assert.match(await none.turn([everythingStdio()]), /MCP server everything was not started: .*--allow-mcp/);
    none.client.close();
    none.serve.child.kill('SIGINT');
    assert.equal(await none.serve.exit, 0);

    const httpOnly = await serveAcp(['--allow-mcp', 'http:https://mcp.example.com/*']);
    assert.deepEqual(httpOnly.capabilities, { http: true, sse: false });
    assert.match(await httpOnly.turn([everythingStdio()]), /was not started: .*--allow-mcp/, 'an http pattern does not allow stdio');
    httpOnly.client.close();
    httpOnly.serve.child.kill('SIGINT');
    assert.equal(await httpOnly.serve.exit, 0);
  });

  it('serve --mcp-start-timeout-ms bounds an MCP server\'s start (a server that never answers is reported)', async () => {
    const silent = { name: 'silent', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: [] };
    const { serve, client, turn } = await serveAcp(['--allow-mcp', 'stdio', '--mcp-start-timeout-ms', '300', '--mcp-max-restarts', '0']);
    assert.match(await turn([silent]), /MCP server silent did not start: it did not answer within 300 ms/);
    client.close();
    serve.child.kill('SIGINT');
    assert.equal(await serve.exit, 0);
  });
});
