import assert from 'node:assert/strict';
import { AbstractMessageReader, AbstractMessageWriter, Emitter, type DataCallback, type Message } from 'vscode-jsonrpc';
import { RpcEndpoint } from '../../src/transport/endpoint';
import type { InvalidFrame } from '../../src/transport/types';

class FakeReader extends AbstractMessageReader {
  readonly onInvalidFrame = new Emitter<InvalidFrame>().event;
  callback: DataCallback | undefined;
  listen(callback: DataCallback) {
    this.callback = callback;
    return { dispose() {} };
  }
}

/** Serialises like the real writers do, so a value JSON cannot carry makes it throw synchronously. */
class StringifyingWriter extends AbstractMessageWriter {
  readonly sent: any[] = [];
  write(message: Message): Promise<void> {
    this.sent.push(JSON.parse(JSON.stringify(message)));
    return Promise.resolve();
  }
  end() {}
}

describe('RpcEndpoint when a result cannot be written', () => {
  it('answers with an error naming the method and id instead of failing the process', async () => {
    const reader = new FakeReader();
    const writer = new StringifyingWriter();
    const endpoint = new RpcEndpoint(reader, writer);
    endpoint.onRequest(({ method }) => (method === 'bigint' ? { n: 1n } : { ok: true }));
    reader.callback!({ jsonrpc: '2.0', id: 1, method: 'bigint', params: {} } as Message);
    reader.callback!({ jsonrpc: '2.0', id: 2, method: 'fine', params: {} } as Message);
    await new Promise((r) => setImmediate(r));
    const first = writer.sent.find((m) => m.id === 1);
    assert.equal(first.error.code, -32603);
    assert.match(first.error.message, /bigint \(request id 1\): the result could not be sent: .*BigInt/);
    assert.deepEqual(writer.sent.find((m) => m.id === 2).result, { ok: true });
  });
});
