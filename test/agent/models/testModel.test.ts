import assert from 'node:assert/strict';
import { numberedChunk, parseTestModelOptions, TestModel } from '../../../src/agent/models/testModel';
import type { ModelRequest } from '../../../src/agent/models/types';

function request(signal = new AbortController().signal): ModelRequest {
  return { messages: [{ role: 'user', content: 'go' }], tools: [], signal } as unknown as ModelRequest;
}

async function texts(model: TestModel, req = request()): Promise<string[]> {
  const out: string[] = [];
  for await (const event of model.stream(req)) if (event.type === 'text') out.push(event.text);
  return out;
}

describe('TestModel (numbered streams)', () => {
  it('stamps each chunk with the wall-clock time it was produced, padded to the chunk size', async () => {
    let clock = 1_764_650_000_000;
    const model = new TestModel('t', parseTestModelOptions('chunks=3&chunkSize=32&stamp=1'), () => (clock += 5));
    const chunks = await texts(model);
    assert.deepEqual(
      chunks.map((c) => /^\[(\d+)@(\d+)\]\.+\n$/.exec(c)?.slice(1).map(Number)),
      [
        [0, 1_764_650_000_010],
        [1, 1_764_650_000_015],
        [2, 1_764_650_000_020],
      ],
    );
    assert.ok(chunks.every((c) => c.length === 32));
    assert.equal(numberedChunk(7, 4, 123), '[7@123]', 'a label longer than the chunk is kept whole');
  });

  it('paces by rate against a deadline, so the average holds however coarse the timers are', async () => {
    const started = Date.now();
    const chunks = await texts(new TestModel('t', parseTestModelOptions('chunks=101&rate=2000')));
    const took = Date.now() - started;
    assert.equal(chunks.length, 101);
    assert.ok(took >= 45, `100 intervals at 2,000/s take 50 ms, took ${took} ms`);
    assert.ok(took < 1000, `took ${took} ms`);
  });

  it('tick=1 yields a turn of the event loop before every chunk (one update each once coalesced)', async () => {
    const order: string[] = [];
    const stream = new TestModel('t', parseTestModelOptions('chunks=3&chunkSize=4&tick=1')).stream(request(new AbortController().signal));
    const reading = (async () => {
      for await (const event of stream) if (event.type === 'text') order.push(event.text);
    })();
    const turns = (async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setImmediate(r));
        order.push(`turn ${i}`);
      }
    })();
    await Promise.all([reading, turns]);
    assert.deepEqual(order.slice(0, 4), ['[0]\n', 'turn 0', '[1]\n', 'turn 1'], 'a turn passes between chunks');
  });

  it('stops a rate-paced stream when the request is cancelled', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const stream = new TestModel('t', parseTestModelOptions('chunks=1000&rate=100')).stream(request(controller.signal));
    await assert.rejects(async () => {
      for await (const event of stream) {
        if (event.type === 'text') seen.push(event.text);
        if (seen.length === 3) controller.abort();
      }
    }, /abort/i);
    assert.equal(seen.length, 3);
  });

  it('rejects bad pacing options with a plain message', () => {
    assert.throws(() => parseTestModelOptions('rate=100&delayMs=5'), /cannot be combined/);
    assert.throws(() => parseTestModelOptions('stamp=2'), /stamp=2 must be an integer from 0 to 1/);
    assert.throws(() => parseTestModelOptions('pace=1'), /Unknown test model option "pace"/);
  });
});
