import assert from 'node:assert/strict';
import { PromptLostError } from '../../src/client/errors';
import type { PunieClient } from '../../src/client/manager';
import { createLogger } from '../../src/util/logger';
import { Recorder, clientBehindProxy, text, until } from '../helpers/client';
import { LegacyServer } from '../helpers/legacyServer';
import { TestProxy } from '../helpers/proxy';

const answer = (n: number) => Array.from({ length: n }, (_, i) => `<${i}>`).join('');

describe('client against a server without seq/replay (Punie’s Python server)', function () {
  this.timeout(10_000);
  let server: LegacyServer;
  let proxy: TestProxy;
  let client: PunieClient;
  let recorder: Recorder;
  let log: string[];

  beforeEach(async () => {
    server = await LegacyServer.start({ chunks: 20, delayMs: 10, noticeDelayMs: 150 });
    log = [];
    ({ proxy, client, recorder } = await clientBehindProxy(server.port, { logger: createLogger('debug', (line) => log.push(line)) }));
  });
  afterEach(async () => {
    await client.dispose();
    await proxy.close();
    await server.close();
  });

  it('runs a prompt', async () => {
    const { sessionId } = await client.newSession('/w');
    assert.equal(await client.prompt(sessionId, text('hi')), 'end_turn');
    assert.equal(recorder.text(sessionId), answer(20));
  });

  it('resumes with a top-level resumeToken, retrying while the server still thinks the old socket is attached', async () => {
    const { sessionId } = await client.newSession('/w');
    proxy.cut();
    await until(() => recorder.kinds().filter((k) => k === 'connected').length === 2, 'the reconnect');
    const attempts = server.resumeParams;
    assert.ok(attempts.length >= 2, `resume was retried (${attempts.length} attempts)`);
    assert.equal(attempts[0].resumeToken, `token-${sessionId}`);
    assert.equal(recorder.lost.length, 0);
    assert.ok(log.some((l) => /is still attached to the old connection on the server; retrying/.test(l)));
    assert.equal(await client.prompt(sessionId, text('again')), 'end_turn', 'the same session works on the new socket');
  });

  it('fails a prompt in flight with PromptLostError and says output may be lost, instead of hanging', async () => {
    const { sessionId } = await client.newSession('/w');
    const done = client.prompt(sessionId, text('hi'));
    await until(() => recorder.updates.length >= 3, 'some output');
    proxy.cut();
    await assert.rejects(done, (err: Error) => {
      assert.ok(err instanceof PromptLostError);
      assert.match(err.message, /was lost: the connection dropped mid-answer and this server cannot replay missed output/);
      return true;
    });
    assert.ok(log.some((l) => /WARN .*cannot replay missed updates: output sent while disconnected may be lost \(1 prompt\(s\) in flight fail\)/.test(l)));
    assert.equal(await client.prompt(sessionId, text('again')), 'end_turn');
  });

  it('after a restart, starts a fresh session (no session/load on this server) with the server’s reason', async () => {
    const { sessionId } = await client.newSession('/w');
    proxy.refuseNew = true;
    proxy.cut();
    await server.close();
    server = await LegacyServer.start({ chunks: 3, delayMs: 1, noticeDelayMs: 0 });
    proxy.targetPort = server.port;
    proxy.refuseNew = false;
    client.retryNow();
    await until(() => recorder.lost.length === 1, 'the session loss');
    const lost = recorder.lost[0];
    assert.equal(lost.recovery, 'new-session');
    assert.match(lost.reason, /^session expired: .*Internal error: Session punie-session-\d+ not found or expired$/);
    assert.equal(lost.sessionId, sessionId);
    // This server counts session ids from 0 again after a restart: the replacement may reuse the old id.
    assert.equal(await client.prompt(lost.replacementSessionId!, text('hi')), 'end_turn');
  });
});
