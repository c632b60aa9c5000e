import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PunieClient } from '../../src/client/punieClient';
import { RequestTimeoutError } from '../../src/transport/errors';
import { Recorder, testClient, text, until } from '../helpers/client';
import { EditorSide, FULL_CAPABILITIES, allowOnce } from '../helpers/editorSide';
import { useServerBehindProxy } from '../helpers/server';

describe('client prompts: inactivity timeout, total cap, cancel, errors', function () {
  this.timeout(10_000);
  let client: PunieClient;
  afterEach(() => client.dispose());
  const env = useServerBehindProxy();

  async function session(model: string, options: Parameters<typeof testClient>[1] = {}) {
    client = testClient(env.proxy.url(), options);
    await client.start();
    const { sessionId } = await client.newSession('/w', { model });
    return { sessionId, agent: env.server.store.owned(sessionId, 'client-0').agent };
  }

  it('fails a prompt whose session shows no activity for the inactivity timeout, and cancels the turn', async () => {
    const { sessionId, agent } = await session('test?chunks=3&chunkSize=8&delayMs=400', { promptInactivityTimeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(client.prompt(sessionId, text('go')), (err: Error) => {
      assert.ok(err instanceof RequestTimeoutError);
      assert.match(err.message, /^session\/prompt \(request id "[0-9a-f-]{36}"\) timed out: no activity for 150 ms$/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 400, `timed out after ${elapsed} ms`);
    await until(() => !agent.isRunning, 'the turn to be cancelled', 300);
  });

  it('never kills a long turn that keeps sending updates', async () => {
    const { sessionId } = await session('test?chunks=20&chunkSize=8&delayMs=40', { promptInactivityTimeoutMs: 200 });
    const started = Date.now();
    assert.equal(await client.prompt(sessionId, text('go')), 'end_turn');
    assert.ok(Date.now() - started > 600, 'the turn lasted several inactivity periods');
  });

  it('enforces the optional total cap', async () => {
    const { sessionId } = await session('test?chunks=20&chunkSize=8&delayMs=40', { promptInactivityTimeoutMs: 200, promptTotalTimeoutMs: 300 });
    await assert.rejects(client.prompt(sessionId, text('go')), /session\/prompt \(request id "[^"]+"\) timed out: no response within 300 ms/);
  });

  it('keeps the inactivity clock running while disconnected, so a prompt never waits forever', async () => {
    const { sessionId } = await session('test?chunks=50&chunkSize=8&delayMs=20', { promptInactivityTimeoutMs: 200 });
    const done = client.prompt(sessionId, text('go'));
    await new Promise((r) => setTimeout(r, 50));
    env.proxy.refuseNew = true;
    env.proxy.cut();
    await assert.rejects(done, /timed out: no activity for 200 ms/);
    assert.equal(client.state.kind, 'reconnecting');
  });

  it('cancels through the signal: the server answers cancelled', async () => {
    const { sessionId, agent } = await session('test?chunks=100&chunkSize=8&delayMs=10');
    const recorder = new Recorder(client);
    const controller = new AbortController();
    const done = client.prompt(sessionId, text('go'), { signal: controller.signal });
    await until(() => recorder.updates.length >= 3, 'some output');
    controller.abort();
    assert.equal(await done, 'cancelled');
    assert.equal(agent.isRunning, false);
    assert.ok(recorder.updates.length < 100);
  });

  it('cancels at once while disconnected, and the turn is cancelled once the session is resumed', async () => {
    const { sessionId } = await session('test?chunks=300&chunkSize=8&delayMs=10');
    const done = client.prompt(sessionId, text('go'));
    await new Promise((r) => setTimeout(r, 30));
    env.proxy.refuseNew = true;
    env.proxy.cut();
    await until(() => client.state.kind === 'reconnecting', 'reconnecting');
    const controller = new AbortController();
    const queued = client.prompt(sessionId, text('queued'), { signal: controller.signal });
    controller.abort();
    assert.equal(await queued, 'cancelled', 'a prompt never sent is cancelled on the spot');
    await client.cancel(sessionId);
    env.proxy.refuseNew = false;
    client.retryNow();
    assert.equal(await done, 'cancelled', 'the owed session/cancel reached the server after the resume');
  });

  it('passes the server’s error through, naming the method and request id', async () => {
    const { sessionId } = await session('test?chunks=20&chunkSize=8&delayMs=20');
    const first = client.prompt(sessionId, text('one'));
    await assert.rejects(client.prompt(sessionId, text('two')), (err: Error & { code?: number }) => {
      assert.equal(err.code, -32600);
      assert.match(err.message, /session\/prompt \(request id "[^"]+"\).*a prompt is already running/);
      return true;
    });
    assert.equal(await first, 'end_turn');
    await assert.rejects(client.prompt('punie-session-nope', text('x')), /unknown session punie-session-nope/);
  });

  it('stops the inactivity clock while the client itself is answering the agent (a permission the user has not decided)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'punie-hold-'));
    try {
      await writeFile(join(dir, 'README.md'), '# hold\n');
      client = testClient(env.proxy.url(), { promptInactivityTimeoutMs: 150, capabilities: FULL_CAPABILITIES });
      const editor = new EditorSide(async (request, signal) => {
        await new Promise((r) => setTimeout(r, 400));
        return signal.aborted ? 'cancelled' : allowOnce(request, signal);
      });
      client.setAgentRequestHandler((method, params, signal) => editor.handle(method, params, signal));
      await client.start();
      const { sessionId } = await client.newSession(dir, { model: 'test:tools' });
      const started = Date.now();
      assert.equal(await client.prompt(sessionId, text('go')), 'end_turn');
      assert.ok(Date.now() - started >= 1200, 'three permission answers (write, edit, command) took 400 ms each, far past the 150 ms inactivity timeout');
      assert.equal(editor.requests.filter((r) => r.method === 'session/request_permission').length, 3);
      editor.killTerminals();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
