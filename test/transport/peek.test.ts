import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { peekEnvelope } from '../../src/transport/peek';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../src/transport/stdioTransport';

describe('peekEnvelope: id and method from the start of a message', () => {
  it('finds top-level id and method, string or number, in any order', () => {
    assert.deepEqual(peekEnvelope('{"jsonrpc":"2.0","id":7,"method":"session/prompt","params":{"prompt":[{"text":"xx'), { id: 7, method: 'session/prompt' });
    assert.deepEqual(peekEnvelope('{ "method" : "a\\"b", "id" : "k-1", "params": {'), { id: 'k-1', method: 'a"b' });
    assert.deepEqual(peekEnvelope('{"params":{"id":3,"method":"nested"},"id":-4,"method":"top","x'), { id: -4, method: 'top' });
  });

  it('ignores what it cannot trust: nested members, a value cut off at the end, bad ids', () => {
    assert.deepEqual(peekEnvelope('{"params":{"id":3,"method":"nested","text":"'), {});
    assert.deepEqual(peekEnvelope('{"jsonrpc":"2.0","id":12'), {}, 'the id may continue: 123');
    assert.deepEqual(peekEnvelope('{"jsonrpc":"2.0","id":"abc'), {});
    assert.deepEqual(peekEnvelope('{"id":1.5,"method":"m","p'), { method: 'm' });
    assert.deepEqual(peekEnvelope('{"id":true,"method":"m","p'), { method: 'm' });
    assert.deepEqual(peekEnvelope(`{"id":"${'x'.repeat(300)}","method":"m","p`), { method: 'm' });
    assert.deepEqual(peekEnvelope('not json at all'), {});
  });
});

describe('NDJSON reader and writer at their limits', () => {
  it('answers an oversized line under the id its start names, and reads on', async () => {
    const input = new PassThrough();
    const reader = new NdjsonMessageReader(input, { maxMessageBytes: 10_000 });
    const invalid: any[] = [];
    const got: any[] = [];
    reader.onInvalidFrame((f) => invalid.push(f));
    reader.listen((m) => got.push(m));
    const big = JSON.stringify({ jsonrpc: '2.0', id: 'p-9', method: 'session/prompt', params: { text: 'x'.repeat(50_000) } });
    for (let i = 0; i < big.length; i += 3000) input.write(big.slice(i, i + 3000));
    input.write('\n{"jsonrpc":"2.0","id":1,"method":"next"}\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].id, 'p-9');
    assert.equal(invalid[0].error.code, -32600);
    assert.match(invalid[0].error.message, /session\/prompt \(request id "p-9"\) is larger than 10000 bytes/);
    assert.deepEqual(got.map((m) => m.method), ['next']);
    assert.equal(reader.lastMessageBytes, '{"jsonrpc":"2.0","id":1,"method":"next"}'.length);
  });

  it('a writer waiting on a full stream uses one drain listener however many writes wait', async () => {
    const output = new PassThrough({ highWaterMark: 16 });
    const writer = new NdjsonMessageWriter(output);
    const writes = Array.from({ length: 50 }, (_, i) => writer.write({ jsonrpc: '2.0', method: 'n', params: { i } } as never));
    assert.equal(output.listenerCount('drain'), 1);
    output.resume();
    await Promise.all(writes);
  });
});
