/**
 * acpx (a third-party ACP client, npm) keeps sessions across its own runs: every acpx command starts
 * `punie stdio` anew and reattaches the session it recorded. Run by `npm run test:peers` (part of
 * `npm run test:all`) with the tools scripts/setup-vscode-tests.sh installs (acpx needs Node >= 22.13: it
 * runs on that script's Node 24). Missing tools fail with what to run, never skip.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../helpers/freePort';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from '../helpers/client';
import { cliBundle } from '../helpers/stdioBridge';

const run = promisify(execFile);

function tools(): { node: string; acpx: string } {
  const dir = process.env.PUNIE_TEST_TOOLS_DIR;
  const hint = 'run `npm run test:peers` (it runs scripts/setup-vscode-tests.sh first), or set PUNIE_TEST_TOOLS_DIR to the dir that script prints';
  if (!dir) throw new Error(`PUNIE_TEST_TOOLS_DIR is not set: ${hint}`);
  const node = join(dir, 'node_modules/node/bin/node');
  const acpx = join(dir, 'node_modules/.bin/acpx');
  for (const file of [node, acpx]) if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
  return { node, acpx };
}

describe('acpx persistent sessions through punie stdio (each acpx command a new process)', function () {
  this.timeout(120_000);
  let dir: string;
  let bundle: string;
  let server: ChildProcess | undefined;
  let peer: { node: string; acpx: string };

  before(async () => {
    peer = tools();
    bundle = await cliBundle();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-acpx-'));
    await Promise.all(['home', 'ws', 'data'].map((d) => mkdir(join(dir, d))));
    await writeFile(join(dir, 'token'), 'acpx-test-token\n', { mode: 0o600 });
  });
  afterEach(async () => {
    await stopServer('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function startServer(port: number): Promise<void> {
    const child = spawn(process.execPath, [bundle, 'serve', '--port', String(port), '--data-dir', join(dir, 'data'), '--token-file', join(dir, 'token')], { stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await until(() => out.includes('listening on') || child.exitCode !== null, 'the server to listen', 10_000);
    assert.equal(child.exitCode, null, `punie serve exited: ${out}`);
  }

  async function stopServer(signal: NodeJS.Signals): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** One acpx command (its own process, and its own `punie stdio` child); resolves with its output. */
  async function acpx(agent: string, args: string[]): Promise<string> {
    const { stdout, stderr } = await run(peer.node, [peer.acpx, '--ttl', '1', '--approve-all', '--agent', agent, ...args], {
      cwd: join(dir, 'ws'),
      env: { ...process.env, HOME: join(dir, 'home'), PUNIE_DATA_DIR: join(dir, 'data') },
      timeout: 60_000,
    });
    // acpx keeps the agent for --ttl after the command; the next command must start a new one.
    const deadline = Date.now() + 15_000;
    while (await agentsRunning()) {
      if (Date.now() > deadline) throw new Error(`the punie stdio of "acpx ${args.join(' ')}" did not exit`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return stdout + stderr;
  }

  async function agentsRunning(): Promise<boolean> {
    try {
      await run('pgrep', ['-f', `${bundle} stdio`]);
      return true;
    } catch {
      return false;
    }
  }

  const sessionOf = (output: string) => /\((punie-session-[0-9a-f]+)\)/.exec(output)?.[1];

  it('--server: a new session, a prompt, the server killed (SIGKILL) and restarted, then the same session continues and remembers', async () => {
    const port = await freePort();
    await startServer(port);
    const agent = `${process.execPath} ${bundle} stdio --server ws://127.0.0.1:${port}/acp --token-file ${join(dir, 'token')}`;
    const created = await acpx(agent, ['sessions', 'new']);
    const sessionId = sessionOf(created);
    assert.ok(sessionId, created);
    assert.match(await acpx(agent, ['prompt', 'first question']), /You asked: \*first question\*/);

    await stopServer('SIGKILL');
    await startServer(port);
    const after = await acpx(agent, ['prompt', 'second question']);
    assert.equal(sessionOf(after), sessionId, `acpx reattached the same session: ${after}`);
    assert.match(after, /You asked: \*second question\*/);
    assert.match(after, /Earlier in this conversation you asked: \*first question\*/, 'the agent remembers the turn from before the restart');
    assert.match(after, /end_turn/);
  });

  it('embedded server (no --server): the session is kept in the data dir and continued by the next run', async () => {
    const agent = `${process.execPath} ${bundle} stdio --data-dir ${join(dir, 'data')}`;
    const sessionId = sessionOf(await acpx(agent, ['sessions', 'new']));
    assert.ok(sessionId);
    assert.match(await acpx(agent, ['prompt', 'first question']), /You asked: \*first question\*/);
    const next = await acpx(agent, ['prompt', 'and again']);
    assert.equal(sessionOf(next), sessionId);
    assert.match(next, /Earlier in this conversation you asked: \*first question\*/);
  });

  it('a session deleted on the server is not continued as if it existed: acpx starts a new one, which does not know the old turns', async () => {
    const agent = `${process.execPath} ${bundle} stdio --data-dir ${join(dir, 'data')}`;
    const sessionId = sessionOf(await acpx(agent, ['sessions', 'new']));
    assert.ok(sessionId);
    await acpx(agent, ['prompt', 'first question']);
    await run(process.execPath, [bundle, 'sessions', 'delete', sessionId, '--data-dir', join(dir, 'data')]);
    const answer = await acpx(agent, ['prompt', 'hello']);
    // acpx keeps its record's name; what matters is that the agent was asked for a new session.
    assert.match(answer, /session\/new/, 'the recorded session could not be loaded');
    assert.match(answer, /You asked: \*hello\*/);
    assert.doesNotMatch(answer, /Earlier in this conversation/);
  });
});
