import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { Recorder, expectedText, testClient, text } from '../helpers/client';
import { TestProxy, seededRandom } from '../helpers/proxy';
import { startServer } from '../helpers/server';

const CHUNKS = 300;
const SIZE = 24;
const MODEL = `test?chunks=${CHUNKS}&chunkSize=${SIZE}&delayMs=2`;
const RUNS = 10;
const CUTS_PER_RUN = 10;

/** Runs one streamed prompt through the proxy, cutting it `cuts` times at seeded random byte offsets. */
async function run(proxy: TestProxy, seed: number, cuts: number, span: number) {
  const random = seededRandom(seed);
  const client = testClient(proxy.url(), { random });
  const recorder = new Recorder(client);
  try {
    await client.start();
    const { sessionId } = await client.newSession('/w', { model: MODEL });
    const done = client.prompt(sessionId, text('go'));
    let made = 0;
    for (let i = 0; i < cuts; i++) {
      const at = proxy.downstreamBytes + 1 + Math.floor(random() * span);
      const cut = await Promise.race([proxy.cutAtDownstreamByte(at).then(() => true), done.then(() => false)]);
      if (!cut) break;
      made++;
    }
    const stopReason = await done;
    return { stopReason, made, text: recorder.text(sessionId), recorder };
  } finally {
    await client.dispose();
  }
}

describe('client resume: loss-free under cuts', function () {
  this.timeout(20_000);
  let server: PunieServer;
  let proxy: TestProxy;
  let baselineBytes = 0;

  before(async () => {
    server = await startServer();
    proxy = await TestProxy.start(server.port);
    const before = proxy.downstreamBytes;
    const baseline = await run(proxy, 0, 0, 0);
    baselineBytes = proxy.downstreamBytes - before;
    assert.equal(baseline.stopReason, 'end_turn');
    assert.equal(baseline.text, expectedText(CHUNKS, SIZE), 'the uncut run is the reference output');
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  // Each run checks its own cuts (10 runs of 10 make the 100 cuts); no test depends on another having run.
  for (let seed = 1; seed <= RUNS; seed++) {
    it(`gives output identical to an uncut run with ${CUTS_PER_RUN} cuts (seed ${seed})`, async () => {
      // Cuts fall in the first half of the stream, mid-frame, in handshakes and in replays alike.
      const result = await run(proxy, seed, CUTS_PER_RUN, Math.floor(baselineBytes / (2 * CUTS_PER_RUN)));
      assert.equal(result.made, CUTS_PER_RUN, 'every planned cut happened before the stream ended');
      assert.equal(result.stopReason, 'end_turn', 'the prompt in flight completes with its real stopReason');
      assert.equal(result.text, expectedText(CHUNKS, SIZE), 'every chunk exactly once, in order');
      assert.equal(result.recorder.lost.length, 0);
      const kinds = result.recorder.kinds();
      assert.ok(kinds.filter((k) => k === 'reconnecting').length >= CUTS_PER_RUN, 'each cut shows as reconnecting');
      assert.ok(!kinds.includes('failed'));
    });
  }
});
