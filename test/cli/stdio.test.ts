import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedText, TEST_TOOLS_CALLS, until } from '../helpers/client';
import { allowOnce, waitForCancel, type PermissionPolicy } from '../helpers/editorSide';
import { TestProxy } from '../helpers/proxy';
import { startServer, useServerBehindProxy } from '../helpers/server';
import { BridgeProcess, cliBundle, SdkEditor } from '../helpers/stdioBridge';

describe('punie stdio driven by the ACP SDK client', function () {
  this.timeout(15_000);
  let dir: string;
  let bridge: BridgeProcess | undefined;
  let editor: SdkEditor | undefined;

  before(() => cliBundle());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-stdio-'));
    await writeFile(join(dir, 'README.md'), '# Demo project\n\nA small workspace.\n');
  });
  afterEach(async () => {
    editor?.close();
    await bridge?.stop();
    editor = bridge = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(args: string[], permission?: PermissionPolicy): Promise<SdkEditor> {
    bridge = await BridgeProcess.start(args);
    editor = await SdkEditor.connect(bridge, permission);
    return editor;
  }

  it('runs a full test:tools turn: the SDK client reads, writes after a permission prompt and runs the command; EOF exits 0', async () => {
    const sdk = await start(['--model', 'test:tools']);
    const init = await sdk.initialize();
    assert.equal(init.agentInfo?.name, 'punie-agent');
    assert.equal(init.agentCapabilities?.loadSession, true);
    const sessionId = await sdk.newSession(dir);
    assert.equal(await sdk.prompt(sessionId, 'Take a look around'), 'end_turn');
    // The agent does not wait for the release; the SDK may hand it to its handler after the prompt's answer.
    await sdk.waitForRequest('terminal/release');

    const calls = sdk.toolCalls(sessionId);
    assert.deepEqual(calls.map((c) => [c.kind, c.title, c.status]), TEST_TOOLS_CALLS);
    assert.deepEqual(
      sdk.requests.map((r) => r.method),
      ['fs/read_text_file', 'fs/read_text_file', 'session/request_permission', 'fs/write_text_file', 'fs/read_text_file', 'session/request_permission', 'fs/write_text_file', 'session/request_permission', 'terminal/create', 'terminal/wait_for_exit', 'terminal/output', 'terminal/release'],
    );
    assert.match(await readFile(join(dir, 'punie-notes.md'), 'utf8'), /I read `README\.md`: 4 lines/);
    assert.match(calls[3].content.find((c: any) => c.type === 'content').content.text, /README\.md\npunie-notes\.md/);
    assert.match(sdk.agentText(sessionId), /Here is what I did:[\s\S]*`run_command`/);

    sdk.close();
    bridge!.child.stdin.end(); // the editor goes away
    assert.deepEqual(await bridge!.exit, { code: 0, signal: null });
    assert.match(bridge!.stderr, /stopping: the editor closed stdin/);
  });

  it('cancels while the permission prompt is open: the SDK client sees the request withdrawn and the prompt answers cancelled', async () => {
    const sdk = await start(['--model', 'test:tools', '--log-level', 'warn'], waitForCancel);
    await sdk.initialize();
    const sessionId = await sdk.newSession(dir);
    const prompt = sdk.prompt(sessionId, 'go');
    await sdk.waitForRequest('session/request_permission');
    await sdk.cancel(sessionId);
    assert.equal(await prompt, 'cancelled');
    const permission = sdk.requests.find((r) => r.method === 'session/request_permission')!;
    assert.equal(permission.cancelled, true, 'the SDK handler got $/cancel_request through the bridge');
    assert.ok(!sdk.requests.some((r) => r.method === 'fs/write_text_file'), 'nothing was written');
    // The session goes on after a cancel.
    sdk.permission = allowOnce;
    assert.equal(await sdk.prompt(sessionId, 'again'), 'end_turn');
  });

  describe('through a WebSocket that is cut', () => {
    const env = useServerBehindProxy();

    it('a cut under a running prompt: the SDK client sees the complete answer, once', async () => {
      const sdk = await start(['--server', env.proxy.url('/acp'), '--model', 'test?chunks=300&chunkSize=16&delayMs=3']);
      await sdk.initialize();
      const sessionId = await sdk.newSession(dir);
      const prompt = sdk.prompt(sessionId, 'go');
      for (const at of [400, 2400]) {
        await until(() => sdk.agentText(sessionId).length >= at, `${at} characters of answer`);
        env.proxy.cut();
      }
      assert.equal(await prompt, 'end_turn');
      assert.equal(sdk.agentText(sessionId), expectedText(300, 16));
      assert.ok(env.proxy.accepted >= 3, 'it reconnected after each cut');
      await until(() => bridge!.stderr.match(/reconnected to punie-agent/g)?.length === 2, 'two reconnects in the log');
    });

    it('answers to agent requests find their way back across a cut, given while disconnected or after the reconnect', async () => {
      let asked = 0;
      const permission: PermissionPolicy = async (request, signal) => {
        asked++;
        const reconnects = () => bridge!.stderr.match(/reconnected to punie-agent/g)?.length ?? 0;
        const before = reconnects();
        env.proxy.cut();
        // The first is answered at once, with no connection; the second only once the bridge is back.
        if (asked === 2) await until(() => reconnects() > before, 'the bridge to reconnect');
        return allowOnce(request, signal);
      };
      const sdk = await start(['--server', env.proxy.url('/acp'), '--model', 'test:tools'], permission);
      await sdk.initialize();
      const sessionId = await sdk.newSession(dir);
      assert.equal(await sdk.prompt(sessionId, 'go'), 'end_turn');
      assert.equal(asked, 3, 'each permission request reached the editor once');
      assert.deepEqual(sdk.toolCalls(sessionId).map((c) => c.status), ['completed', 'completed', 'completed', 'completed']);
      assert.match(await readFile(join(dir, 'punie-notes.md'), 'utf8'), /I read `README\.md`/);
      assert.equal(sdk.requests.filter((r) => r.method === 'terminal/create').length, 1);
    });

    it('a session the restarted server no longer knows: the prompt in flight and later ones get a clear -32002', async () => {
      const sdk = await start(['--server', env.proxy.url('/acp'), '--model', 'test?chunks=300&chunkSize=16&delayMs=5']);
      await sdk.initialize();
      const sessionId = await sdk.newSession(dir);
      const prompt = sdk.prompt(sessionId, 'go');
      await until(() => sdk.agentText(sessionId).length >= 200, 'some answer');
      const fresh = await startServer();
      try {
        env.proxy.targetPort = fresh.port; // "restarted": same address, no sessions
        env.proxy.cut();
        const expired = (err: any) => {
          assert.equal(err.code, -32002);
          assert.match(err.message, new RegExp(`session ${sessionId} is gone from the Punie server \\(.*not found or expired.*\\); start a new session`));
          return true;
        };
        await assert.rejects(prompt, expired);
        await assert.rejects(sdk.prompt(sessionId, 'again'), expired);
        const next = await sdk.newSession(dir);
        assert.equal(await sdk.prompt(next, 'hello'), 'end_turn', 'a new session works');
      } finally {
        await fresh.close();
      }
    });

    it('when missed output cannot be replayed: no transcript repeated to the editor, and the prompt says its answer is incomplete', async () => {
      await env.proxy.close();
      await env.server.close();
      env.server = await startServer({ replayMaxUpdates: 20 });
      env.proxy = await TestProxy.start(env.server.port);
      const sdk = await start(['--server', env.proxy.url('/acp'), '--model', 'test?chunks=600&chunkSize=16&delayMs=3']);
      await sdk.initialize();
      const sessionId = await sdk.newSession(dir);
      const prompt = sdk.prompt(sessionId, 'go');
      await until(() => sdk.agentText(sessionId).length >= 160, 'some answer');
      const serverSession = env.server.store.owned(sessionId, 'client-0');
      env.proxy.refuseNew = true;
      env.proxy.cut();
      const seqAtCut = serverSession.seq;
      await until(() => serverSession.seq > seqAtCut + 30, 'more output than the replay buffer holds');
      env.proxy.refuseNew = false;
      await assert.rejects(prompt, (err: any) => {
        assert.equal(err.code, -32603);
        assert.match(err.message, /the turn ended \(end_turn\) but part of its output was lost while the connection to the Punie server was down \(missed updates could not be replayed: .*\); the session goes on/);
        return true;
      });
      const numbers = [...sdk.agentText(sessionId).matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
      assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), 'nothing was shown twice');
      assert.ok(numbers.length < 600, 'the missed part is missing, as the error says');
      assert.equal(numbers.at(-1), 599, 'the live output after the reload arrived');
      assert.ok(!sdk.updates.some((u) => u._meta?.replay), 'the reloaded transcript stayed with the bridge');
      await sdk.agent.request('session/set_mode', { sessionId, modeId: 'read-only' }); // the session goes on
    });
  });
});
