import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../src/transport/stdioTransport';
import type { InvalidFrame } from '../../src/transport/types';

/** A reader on a fresh stream, with what it read and what it refused. */
function reader(maxMessageBytes: number) {
  const input = new PassThrough();
  const reader = new NdjsonMessageReader(input, { maxMessageBytes });
  const got: any[] = [];
  const invalid: InvalidFrame[] = [];
  reader.listen((m) => got.push(m));
  reader.onInvalidFrame((f) => invalid.push(f));
  /** Writes `text` in pieces of `size` characters, as a pipe delivers a long line. */
  const writeInPieces = (text: string, size: number) => {
    for (let i = 0; i < text.length; i += size) input.write(text.slice(i, i + size));
  };
  return { input, reader, got, invalid, writeInPieces };
}

describe('NDJSON reader and writer at their limits', () => {
  it('reads NDJSON lines of any length up to the limit, and refuses longer ones with -32600', async () => {
    const { input, got, invalid, writeInPieces } = reader(200_000);
    writeInPieces(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { s: 'x'.repeat(100_000) } }), 4096);
    input.write('\n');
    input.write(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { s: 'y'.repeat(300_000) } }) + '\n');
    input.write('{"jsonrpc":"2.0","method":"after"}\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(got.length, 2);
    assert.deepEqual(invalid.map((f) => f.error.code), [-32600]);
    assert.equal(got[1].method, 'after');
  });

  it('answers an oversized line under the id its start names, and reads on', async () => {
    const { input, reader: ndjson, got, invalid, writeInPieces } = reader(10_000);
    writeInPieces(JSON.stringify({ jsonrpc: '2.0', id: 'p-9', method: 'session/prompt', params: { text: 'x'.repeat(50_000) } }), 3000);
    input.write('\n{"jsonrpc":"2.0","id":1,"method":"next"}\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].id, 'p-9');
    assert.equal(invalid[0].error.code, -32600);
    assert.match(invalid[0].error.message, /session\/prompt \(request id "p-9"\) is larger than 10000 bytes/);
    assert.deepEqual(got.map((m) => m.method), ['next']);
    assert.equal(ndjson.lastMessageBytes, '{"jsonrpc":"2.0","id":1,"method":"next"}'.length);
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
