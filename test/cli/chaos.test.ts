import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { HostileServer, type HostileOptions } from '../helpers/hostileServer';
import { cliBundle } from '../helpers/stdioBridge';

/** A stack trace line, or the last-line handler's report: neither may ever reach a user. */
const STACK = /^\s+at |internal error/m;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runCli(args: string[], stdin?: (write: (line: string) => void, stdout: () => string) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, [await cliBundle(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (stdin) await stdin((line) => child.stdin.write(line + '\n'), () => out.stdout);
  child.stdin.end();
  return { code: await exited, ...out };
}

/** `punie ask` against a hostile server: it must end by itself, with a one-line reason and no stack. */
async function ask(question: string, options: HostileOptions = {}): Promise<Run & { question: string }> {
  const server = await HostileServer.start(options);
  try {
    return { question, ...(await runCli(['ask', '--server', server.url, '--retries', '1', question])) };
  } finally {
    await server.close();
  }
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('chaos: punie ask and punie stdio against a hostile server', function () {
  this.timeout(60_000);

  it('punie ask exits with a clear message, never a stack trace, whatever the server answers', async () => {
    const runs = await Promise.all([
      ask('null'),
      ask('wrong'),
      ask('ids'),
      ask('close'),
      ask('fine', { initialize: 'null' }),
      ask('fine', { initialize: 'wrong' }),
      ask('fine', { newSession: 'null' }),
    ]);
    for (const run of runs) {
      const what = `ask "${run.question}": exit ${run.code}\n${run.stderr}`;
      assert.doesNotMatch(run.stderr, STACK, what);
      assert.ok(run.code === 0 || run.code === 1, what);
      if (run.code === 1) assert.match(run.stderr, /^Error: .*(not valid|failed|lost|gave up).*$/m, what);
    }
    const [nullResult, wrongType, ids, , nullInit, wrongInit, nullNew] = runs;
    assert.match(nullResult.stderr, /session\/prompt .* the answer is not valid/);
    assert.match(wrongType.stderr, /stopReason/);
    assert.equal(ids.code, 0, ids.stderr);
    assert.match(ids.stdout, /survived/);
    for (const run of [nullInit, wrongInit]) assert.match(run.stderr, /initialize .* the answer is not valid/);
    assert.match(nullNew.stderr, /session\/new .* the answer is not valid/);
  });

  it('punie stdio answers every editor request and keeps going, whatever the server answers', async () => {
    const server = await HostileServer.start();
    try {
      const answers = (stdout: string) =>
        stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { id?: unknown; result?: any; error?: any });
      const run = await runCli(['stdio', '--server', server.url, '--retries', '1'], async (write, stdout) => {
        const answer = async (id: number) => {
          await until(() => answers(stdout()).some((m) => m.id === id), `the answer to request ${id}`);
          return answers(stdout()).find((m) => m.id === id)!;
        };
        write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }));
        assert.equal((await answer(1)).result.agentInfo.name, 'hostile');
        write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'session/new', params: { cwd: '/chaos', mcpServers: [] } }));
        const sessionId = (await answer(2)).result.sessionId;
        let id = 3;
        const prompt = async (text: string) => {
          const mine = id++;
          write(JSON.stringify({ jsonrpc: '2.0', id: mine, method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text }] } }));
          return answer(mine);
        };
        assert.match((await prompt('null')).error.message, /not valid/);
        assert.match((await prompt('wrong')).error.message, /stopReason/);
        assert.equal((await prompt('ids')).result.stopReason, 'end_turn');
        assert.equal((await prompt('fine')).result.stopReason, 'end_turn');
        const closed = await prompt('close');
        assert.ok(closed.error || closed.result, 'a prompt whose connection ended mid-frame is answered');
      });
      assert.doesNotMatch(run.stderr, STACK, run.stderr);
      assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    } finally {
      await server.close();
    }
  });

  it('punie ask whose stdout and stderr are gone ends, instead of reporting the broken pipe forever', async () => {
    const server = await HostileServer.start();
    try {
      const child = spawn(process.execPath, [await cliBundle(), 'ask', '--server', server.url, 'fine'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      child.stderr.destroy();
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1);
    } finally {
      await server.close();
    }
  });
});
