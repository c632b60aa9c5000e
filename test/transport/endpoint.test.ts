import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { RpcError } from '../../src/protocol/jsonrpc';
import { RpcEndpoint } from '../../src/transport/endpoint';
import { ConnectionClosedError, RequestAbortedError, RequestTimeoutError } from '../../src/transport/errors';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../src/transport/stdioTransport';

/** Two endpoints wired back to back over NDJSON pipes. */
function pair() {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const a = new RpcEndpoint(new NdjsonMessageReader(bToA, { maxMessageBytes: 1 << 20 }), new NdjsonMessageWriter(aToB));
  const b = new RpcEndpoint(new NdjsonMessageReader(aToB, { maxMessageBytes: 1 << 20 }), new NdjsonMessageWriter(bToA));
  return { a, b, aToB, bToA };
}

describe('RpcEndpoint', () => {
  it('sends requests with UUID ids and gets results and errors back', async () => {
    const { a, b } = pair();
    const seenIds: unknown[] = [];
    b.onRequest(({ id, method, params }) => {
      seenIds.push(id);
      if (method === 'fail') throw new RpcError(-32602, 'bad');
      return { echo: params };
    });
    assert.deepEqual(await a.request('echo', { x: 1 }), { echo: { x: 1 } });
    await assert.rejects(a.request('fail', {}), (err: RpcError) => err.code === -32602 && /fail \(request id "[0-9a-f-]{36}"\).*bad/.test(err.message));
    assert.match(String(seenIds[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('rejects every pending request at once when the connection closes', async () => {
    const { a, b } = pair();
    b.onRequest(() => new Promise(() => {}));
    const p1 = a.request('slow', {});
    const p2 = a.request('slower', {});
    await new Promise((r) => setImmediate(r));
    const started = Date.now();
    a.close('transport closed');
    await assert.rejects(p1, ConnectionClosedError);
    await assert.rejects(p2, (err: Error) => err instanceof ConnectionClosedError && /slower/.test(err.message));
    assert.ok(Date.now() - started < 50);
    assert.equal(a.pendingCount, 0);
    await assert.rejects(a.request('late', {}), ConnectionClosedError);
  });

  it('times out a request with a typed error naming method and id', async () => {
    const { a, b } = pair();
    b.onRequest(() => new Promise(() => {}));
    await assert.rejects(a.request('session/new', {}, { timeoutMs: 20 }), (err: Error) => err instanceof RequestTimeoutError && /session\/new \(request id .*\) timed out/.test(err.message));
  });

  it('aborts a request and tells the peer with $/cancel_request, which aborts its handler', async () => {
    const { a, b } = pair();
    let handlerAborted = false;
    b.onRequest(({ signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => ((handlerAborted = true), reject(new Error('stop'))))));
    const controller = new AbortController();
    const p = a.request('long', {}, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await assert.rejects(p, RequestAbortedError);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(handlerAborted, true);
  });

  it('answers invalid lines with -32700 and keeps working', async () => {
    const { b, aToB, bToA } = pair();
    b.onRequest(() => 'ok');
    const lines: string[] = [];
    bToA.on('data', (d) => lines.push(...d.toString().split('\n').filter(Boolean)));
    aToB.write('{not json\n');
    aToB.write('{"jsonrpc":"2.0","id":7,"method":"x"}\n');
    await new Promise((r) => setTimeout(r, 20));
    const replies = lines.map((l) => JSON.parse(l));
    assert.equal(replies[0].error.code, -32700);
    assert.equal(replies[0].id, null);
    assert.deepEqual(replies[1], { jsonrpc: '2.0', id: 7, result: 'ok' });
  });
});
