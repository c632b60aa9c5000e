import assert from 'node:assert/strict';
import type { PunieClient } from '../../src/client/manager';
import { Recorder, expectedText, promptUnderway, testClient, until } from '../helpers/client';
import { useServerBehindProxy } from '../helpers/server';

describe('client read pause (a consumer that cannot keep up)', function () {
  this.timeout(10_000);
  let client: PunieClient;
  afterEach(() => client.dispose());
  const env = useServerBehindProxy();

  it('stops delivering while paused, is not taken for a dead server, and loses nothing once resumed', async () => {
    client = testClient(env.proxy.url(), { heartbeatIntervalMs: 50 });
    const recorder = new Recorder(client);
    await client.start();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=100&chunkSize=16&delayMs=3', 5);
    client.setReadPaused(true);
    await new Promise((r) => setTimeout(r, 30)); // what ws had already received still comes out
    const seen = recorder.updates.length;
    await new Promise((r) => setTimeout(r, 300)); // six heartbeat intervals
    assert.equal(recorder.updates.length, seen, 'nothing is read while paused');
    assert.equal(client.state.kind, 'connected', 'silence while paused is not death');
    assert.equal(env.proxy.accepted, 1);
    client.setReadPaused(false);
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(100, 16));
    assert.equal(env.proxy.accepted, 1, 'no reconnect was needed');
  });

  it('holds across a reconnect: the new connection starts paused once resumed', async () => {
    client = testClient(env.proxy.url());
    const recorder = new Recorder(client);
    await client.start();
    const { sessionId, done } = await promptUnderway(client, recorder, 'test?chunks=100&chunkSize=16&delayMs=3', 5);
    client.setReadPaused(true);
    env.proxy.cut();
    await until(() => recorder.kinds().filter((k) => k === 'connected').length === 2, 'the reconnect');
    await new Promise((r) => setTimeout(r, 30));
    const seen = recorder.updates.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(recorder.updates.length, seen, 'the new connection is not read either');
    client.setReadPaused(false);
    assert.equal(await done, 'end_turn');
    assert.equal(recorder.text(sessionId), expectedText(100, 16));
  });
});
