import assert from 'node:assert/strict';
import { SessionExpiredError } from '../../src/client/errors';
import type { PunieClient } from '../../src/client/punieClient';
import type { PunieServer } from '../../src/server/server';
import { Recorder, clientBehindProxy, expectedText, promptUnderway, testClient, text, until } from '../helpers/client';
import { TestProxy } from '../helpers/proxy';
import { startServer } from '../helpers/server';

describe('client resume: cuts in the handshake, lost requests, expired sessions, replay overflow', function () {
  this.timeout(10_000);
  let server: PunieServer;
  let proxy: TestProxy;
  let client: PunieClient;
  let recorder: Recorder;

  async function setup(serverOptions: Parameters<typeof startServer>[0] = {}) {
    server = await startServer(serverOptions);
    ({ proxy, client, recorder } = await clientBehindProxy(server.port));
  }

  afterEach(async () => {
    await client.dispose();
    await proxy.close();
    await server.close();
  });

  it('resumes over /acp (strict ACP) with a bearer token just the same', async () => {
    server = await startServer({ token: 'secret' });
    proxy = await TestProxy.start(server.port);
    client = testClient(proxy.url('/acp'), { token: 'secret' });
    recorder = new Recorder(client);
    await client.start();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=100&chunkSize=16&delayMs=2' });
    const done = client.prompt(sessionId, text('go'));
    for (const n of [10, 40]) {
      await until(() => recorder.updates.length >= n, `${n} updates`);
      proxy.cut();
    }
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(100, 16));
    assert.equal(proxy.accepted, 3);
  });

  it('survives cuts in the HTTP upgrade and in the initialize answer of the reconnect', async () => {
    await setup();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=150&chunkSize=16&delayMs=2', 20);
    const base = proxy.downstreamBytes;
    proxy.cut();
    await proxy.cutAtDownstreamByte(base + 40); // inside the 101 response of the next connection
    const afterUpgradeCut = proxy.downstreamBytes;
    await proxy.cutAtDownstreamByte(afterUpgradeCut + 200); // past the 101 response, inside initialize's answer
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(150, 16));
    const errors = recorder.states.flatMap((s) => (s.kind === 'reconnecting' ? [s.lastError] : []));
    assert.ok(errors.length >= 3, errors.join(' | '));
  });

  it('survives a cut after the server acted on session/resume but before its answer arrived', async () => {
    await setup();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=150&chunkSize=16&delayMs=2', 20);
    // The server resumes (rotating the token, replaying) and the connection dies before the answer gets out.
    const resume = server.store.resume.bind(server.store);
    let hooked = true;
    server.store.resume = (...args) => {
      const session = resume(...args);
      if (hooked) {
        hooked = false;
        proxy.blackhole();
        setTimeout(() => proxy.cut(), 20);
      }
      return session;
    };
    proxy.cut();
    assert.equal(await done, 'end_turn');
    assert.equal(hooked, false);
    assert.equal(recorder.text(sessionId), expectedText(150, 16), 'the replayed-but-unseen updates came again, once');
    assert.equal(recorder.lost.length, 0, 'the token the server rotated in the lost answer was not needed');
  });

  it('survives a cut in the middle of a long replay', async () => {
    await setup();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=300&chunkSize=16&delayMs=2', 20);
    proxy.refuseNew = true;
    proxy.cut();
    await new Promise((r) => setTimeout(r, 200)); // about a hundred updates pile up for the replay
    const before = recorder.updates.length;
    proxy.refuseNew = false;
    // Past the 101 response and initialize's answer (under 1 KB), inside the replay of ~150-byte updates.
    await proxy.cutAtDownstreamByte(proxy.downstreamBytes + 3000);
    assert.equal(recorder.updates.length, before, 'nothing of the cut replay was delivered: it was held until the answer');
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(300, 16));
  });

  it('sends again a prompt the server never received, and the server runs it once', async () => {
    await setup();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=20&chunkSize=8' });
    proxy.blackhole();
    const done = client.prompt(sessionId, text('go'));
    await new Promise((r) => setTimeout(r, 20));
    proxy.cut();
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(20, 8));
    const session = server.store.list(`client-1`).find((s) => s.id === sessionId)!;
    const asked = session.agent.replayTranscript().filter((u) => u.sessionUpdate === 'user_message_chunk');
    assert.equal(asked.length, 1);
  });

  it('delivers the outcome of a prompt whose answer was lost with the connection', async () => {
    await setup();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=5&chunkSize=8&delayMs=30' });
    const session = server.store.owned(sessionId, 'client-0');
    // The prompt reaches the server, and from then on nothing reaches the client until the connection dies.
    const started = session.prompts.started.bind(session.prompts);
    session.prompts.started = (id) => {
      started(id);
      proxy.blackhole();
      setTimeout(() => proxy.cut(), 20);
    };
    const done = client.prompt(sessionId, text('go'));
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.updates.filter((u) => u.update.sessionUpdate === 'agent_message_chunk').length, 5);
    assert.equal(recorder.text(sessionId), expectedText(5, 8));
  });

  it('sends a prompt made while reconnecting once the session is resumed', async () => {
    await setup();
    const { sessionId } = await client.newSession('/w', { model: 'test?chunks=10&chunkSize=8' });
    proxy.refuseNew = true;
    proxy.cut();
    await until(() => client.state.kind === 'reconnecting', 'reconnecting');
    const done = client.prompt(sessionId, text('go'));
    await new Promise((r) => setTimeout(r, 50));
    proxy.refuseNew = false;
    client.retryNow();
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(10, 8));
  });

  it('after a server restart, says the session expired, fails the prompt in flight and starts a fresh session', async () => {
    await setup();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=60&chunkSize=8&delayMs=5', 5);
    proxy.refuseNew = true;
    proxy.cut();
    await server.close();
    server = await startServer();
    proxy.targetPort = server.port;
    proxy.refuseNew = false;
    client.retryNow();
    const err = await done.then(
      () => assert.fail('the prompt cannot complete'),
      (e: Error) => e,
    );
    assert.ok(err instanceof SessionExpiredError);
    assert.equal(recorder.lost.length, 1);
    const lost = recorder.lost[0];
    assert.equal(lost.sessionId, sessionId);
    assert.equal(lost.recovery, 'new-session');
    assert.match(lost.reason, /^session expired: .*not found or expired/);
    assert.equal(err.replacementSessionId, lost.replacementSessionId);
    assert.match(err.message, /send the prompt again there/);
    await assert.rejects(client.prompt(sessionId, text('again')), /unknown session/);
    const fresh = lost.replacementSessionId!;
    assert.equal(await client.prompt(fresh, text('again')), 'end_turn');
    assert.ok(recorder.text(fresh).length > 0);
  });

  it('after a replay buffer overflow, reloads the session and the prompt in flight still completes', async () => {
    await setup({ replayMaxUpdates: 20 });
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=200&chunkSize=16&delayMs=2', 10);
    const serverSession = server.store.owned(sessionId, 'client-0');
    proxy.refuseNew = true;
    proxy.cut();
    // More than the buffer holds is produced while the client is away.
    const seqAtCut = serverSession.seq;
    await until(() => serverSession.seq > seqAtCut + 30, 'the replay buffer to overflow');
    proxy.refuseNew = false;
    client.retryNow();
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.lost.length, 1);
    assert.equal(recorder.lost[0].recovery, 'reloaded');
    assert.match(recorder.lost[0].reason, /missed updates could not be replayed: updates \d+\.\.\d+ were dropped from the replay buffer/);
    assert.equal(recorder.text(sessionId), expectedText(200, 16), 'the view, rebuilt from the transcript and live updates, is complete');
  });

  it('answers an agent request once across a reconnect; the server gets the answer on the new connection', async () => {
    await setup();
    const calls: { method: string; signal: AbortSignal }[] = [];
    let answer!: (v: unknown) => void;
    client.setAgentRequestHandler((method, _params, signal) => {
      calls.push({ method, signal });
      return new Promise((resolve) => (answer = resolve));
    });
    const { sessionId } = await client.newSession('/w');
    const session = server.store.owned(sessionId, 'client-0');
    const result = session.request('fs/read_text_file', { sessionId, path: '/w/a' }, new AbortController().signal);
    await until(() => calls.length === 1, 'the request');
    proxy.cut();
    await until(() => recorder.kinds().filter((k) => k === 'connected').length === 2, 'the reconnect');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls.length, 1, 'the re-sent request joined the running handler');
    assert.equal(calls[0].signal.aborted, false, 'a dropped connection is not a cancel');
    answer({ content: 'text' });
    assert.deepEqual(await result, { content: 'text' });
    assert.equal(calls.length, 1);

    const cancel = new AbortController();
    const second = session.request('session/request_permission', { sessionId }, cancel.signal);
    await until(() => calls.length === 2, 'the second request');
    cancel.abort();
    await assert.rejects(second, /was cancelled/);
    await until(() => calls[1].signal.aborted, 'the handler to see the cancel');
  });

  it('answers agent requests with -32601 when no handler is set', async () => {
    await setup();
    const { sessionId } = await client.newSession('/w');
    const session = server.store.owned(sessionId, 'client-0');
    await assert.rejects(session.request('fs/read_text_file', { sessionId, path: '/x' }, new AbortController().signal), (err: Error & { code?: number }) => {
      assert.equal(err.code, -32601);
      assert.match(err.message, /fs\/read_text_file/);
      return true;
    });
  });
});
