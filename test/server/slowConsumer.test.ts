import assert from 'node:assert/strict';
import { ServerProcess } from '../helpers/serverProcess';
import { StreamClient } from '../helpers/streamClient';

const MiB = 1024 * 1024;
/** The stated bound: queue ≤ 32 MiB (slowClientMaxBacklogBytes here) + replay 8 MiB + heap slack. */
const RSS_GROWTH_BOUND = 96 * MiB;

describe('slow consumer', () => {
  let server: ServerProcess;
  afterEach(async () => server?.stop());

  it('closes a client that stops reading a 100 MB stream with 1013, bounds server memory, keeps other streams going, and lets it resume', async function () {
    this.timeout(60_000);
    // The server runs in its own process so that its RSS is its own.
    server = await ServerProcess.start({
      logLevel: 'info',
      slowClientBacklogBytes: 8 * MiB,
      slowClientTimeoutMs: 500,
      slowClientMaxBacklogBytes: 32 * MiB,
    });
    const rssBefore = (await server.stats(true)).rss;

    // The same scenario as bench/slowConsumer.bench.ts: the test asserts the limits hold, the bench measures without them.
    const fast = await StreamClient.connect(server.urls.ws);
    const paced = await fast.newSession('test?chunks=100&chunkSize=64&delayMs=5');
    let started = performance.now();
    await fast.prompt(paced.sessionId);
    const aloneMs = performance.now() - started;

    const sampler = server.sampleRss();

    // 6,400 chunks of 16 KiB: 100 MiB of text.
    const slow = await StreamClient.connect(server.urls.ws);
    const big = await slow.newSession('test?chunks=6400&chunkSize=16384');
    const bigPrompt = slow.prompt(big.sessionId).catch((err: Error) => err);
    while (slow.updates === 0) await new Promise((r) => setTimeout(r, 1));
    slow.socket.pause();

    fast.recordTimes = true;
    const seqBefore = fast.lastSeq;
    started = performance.now();
    const done = await fast.prompt(paced.sessionId);
    const withSlowMs = performance.now() - started;
    assert.equal(done.result.stopReason, 'end_turn');
    assert.equal(fast.lastSeq - seqBefore, 100, 'every chunk of the other stream arrived');
    const gaps = fast.times.slice(1).map((t, i) => t - fast.times[i]);
    assert.ok(withSlowMs < aloneMs * 3 + 1000, `the other stream kept its pace: ${withSlowMs.toFixed(0)} ms vs ${aloneMs.toFixed(0)} ms alone`);
    assert.ok(Math.max(...gaps) < 500, `longest pause between its chunks ${Math.max(...gaps).toFixed(0)} ms`);

    const line = await server.waitForLog(/client-1 cannot keep up: .*closing with 1013/);
    assert.match(line, /backlog (reached|stayed over)/);
    slow.socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, 1013);
    assert.equal(closed.reason, 'client too slow; resume the session later');
    assert.match(String(await bigPrompt), /closed with 1013/);

    const growth = (await sampler.stop()) - rssBefore;
    assert.ok(growth < RSS_GROWTH_BOUND, `server RSS grew by ${(growth / MiB).toFixed(1)} MiB (bound ${RSS_GROWTH_BOUND / MiB} MiB)`);

    // Its session waits in the grace period: a new connection resumes it with the token and the last seq it saw.
    const again = await StreamClient.connect(server.urls.ws);
    const resumed = await again.call('session/resume', { sessionId: big.sessionId, cwd: '/w', resumeToken: big.token, _meta: { seq: slow.lastSeq } });
    assert.ok(resumed.result, JSON.stringify(resumed.error));
    assert.ok(['gap', 'replayed'].includes(resumed.result._meta.replay.status));
    const listed = await again.call('session/list', {});
    assert.ok(listed.result.sessions.some((s: { sessionId: string }) => s.sessionId === big.sessionId));
    assert.ok(server.alive);
    fast.close();
    again.close();
  });
});
