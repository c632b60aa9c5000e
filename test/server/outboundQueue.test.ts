import assert from 'node:assert/strict';
import type { Message } from 'vscode-jsonrpc';
import { MAX_CHUNK_TEXT } from '../../src/agent/text';
import { OutboundQueue, type OutboundOptions, type OutboundSocket } from '../../src/server/outboundQueue';

/** A socket whose buffer the test fills and drains by hand. */
class FakeSocket implements OutboundSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: any[] = [];
  readonly sizes: number[] = [];
  private callbacks: ((err?: Error) => void)[] = [];

  send(data: string, cb: (err?: Error) => void): void {
    this.sent.push(JSON.parse(data));
    this.sizes.push(Buffer.byteLength(data));
    this.callbacks.push(cb);
  }

  /** The kernel took everything: buffer empty, every pending callback runs. */
  drain(): void {
    this.bufferedAmount = 0;
    this.runCallbacks();
  }

  runCallbacks(count = this.callbacks.length): void {
    for (const cb of this.callbacks.splice(0, count)) cb();
  }
}

const options: OutboundOptions = { highWatermark: 1000, lowWatermark: 100, backlogCap: 10_000, backlogTimeoutMs: 30, backlogMax: 50_000 };

let seq = 0;
function chunk(sessionId: string, text: string, kind = 'agent_message_chunk'): Message {
  return { jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: kind, content: { type: 'text', text } }, _meta: { seq: ++seq } } } as Message;
}
const response = (id: number): Message => ({ jsonrpc: '2.0', id, result: { stopReason: 'end_turn' } }) as Message;
const texts = (sent: any[]) => sent.map((m) => m.params?.update?.content?.text ?? `#${m.id ?? m.params.update.sessionUpdate}`);

describe('OutboundQueue', () => {
  let socket: FakeSocket;
  let slow: string[];
  let queue: OutboundQueue;
  beforeEach(() => {
    seq = 0;
    socket = new FakeSocket();
    slow = [];
    queue = new OutboundQueue(socket, options, (reason) => slow.push(reason));
  });
  afterEach(() => queue.dispose());

  /** One message in flight fills the socket to the high watermark, as a real send would. */
  async function congest(q = queue): Promise<void> {
    await q.write(response(0));
    socket.bufferedAmount = 1000;
    socket.sent.length = 0;
    socket.sizes.length = 0;
  }

  it('sends straight through while the socket is below the high watermark', async () => {
    await queue.write(chunk('a', 'x'));
    await queue.write(chunk('a', 'y'));
    assert.deepEqual(texts(socket.sent), ['x', 'y']);
    assert.equal(queue.queuedCount, 0);
  });

  it('queues above the high watermark, coalesces a session\'s text and keeps the highest seq', async () => {
    await congest();
    for (const t of ['a', 'b', 'c']) await queue.write(chunk('s1', t));
    assert.equal(socket.sent.length, 0);
    assert.equal(queue.queuedCount, 1);
    socket.drain();
    assert.deepEqual(texts(socket.sent), ['abc']);
    assert.equal(socket.sent[0].params._meta.seq, 3);
    assert.equal(queue.coalesced, 2);
  });

  it('keeps each session\'s order, and never moves a chunk past a response or another kind of update', async () => {
    await congest();
    await queue.write(chunk('s1', '1a'));
    await queue.write(chunk('s2', '2a'));
    await queue.write(chunk('s1', '1b'));
    await queue.write(chunk('s1', 't', 'agent_thought_chunk'));
    await queue.write(chunk('s1', '1c'));
    await queue.write({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: 's2', update: { sessionUpdate: 'plan', entries: [] } } } as Message);
    await queue.write(chunk('s2', '2b'));
    await queue.write(response(7));
    await queue.write(chunk('s1', '1d'));
    socket.drain();
    assert.deepEqual(texts(socket.sent), ['1a1b', '2a', 't', '1c', '#plan', '2b', '#7', '1d']);
  });

  it('does not coalesce chunks that carry more than text, nor mutate what it was given', async () => {
    await congest();
    const withMessageId = chunk('s', 'a') as any;
    withMessageId.params.update.messageId = 'm1';
    const annotated = chunk('s', 'b') as any;
    annotated.params.update.content.annotations = { priority: 1 };
    const plain = chunk('s', 'c');
    const before = JSON.stringify([withMessageId, annotated, plain]);
    for (const m of [withMessageId, annotated, plain, chunk('s', 'd')]) await queue.write(m);
    socket.drain();
    assert.deepEqual(texts(socket.sent), ['a', 'b', 'cd']);
    assert.equal(socket.sent[0].params.update.messageId, 'm1');
    assert.deepEqual(socket.sent[1].params.update.content.annotations, { priority: 1 });
    assert.equal(JSON.stringify([withMessageId, annotated, plain]), before);
  });

  it('keeps coalesced frames under 1 MiB', async () => {
    const big = new OutboundQueue(socket, { ...options, backlogCap: 1e9, backlogMax: 1e9 }, () => {});
    await congest(big);
    const piece = '"'.repeat(40_000); // escapes to twice its length
    for (let i = 0; i < 20; i++) await big.write(chunk('s', piece));
    socket.drain();
    while (big.queuedCount > 0) socket.drain();
    assert.ok(socket.sent.length >= Math.ceil((20 * 40_000) / MAX_CHUNK_TEXT));
    assert.equal(texts(socket.sent).join(''), piece.repeat(20));
    assert.ok(Math.max(...socket.sizes) <= 1024 * 1024, `largest frame ${Math.max(...socket.sizes)} bytes`);
    big.dispose();
  });

  it('waits for the low watermark before refilling the socket', async () => {
    await queue.write(response(0));
    await queue.write(response(0));
    socket.bufferedAmount = 1000;
    await queue.write(response(1));
    await queue.write(response(2));
    socket.bufferedAmount = 500; // the first send is out, the second one is still buffered
    socket.runCallbacks(1);
    assert.equal(socket.sent.length, 2, 'nothing new while above the low watermark');
    socket.bufferedAmount = 50;
    socket.runCallbacks(1);
    assert.deepEqual(texts(socket.sent), ['#0', '#0', '#1', '#2']);
  });

  it('closes a client whose backlog stays over the cap for the timeout', async () => {
    await congest();
    await queue.write(chunk('s', 'x'.repeat(12_000)));
    assert.equal(slow.length, 0);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(slow.length, 1);
    assert.match(slow[0], /stayed over .* for 30 ms/);
    assert.equal(queue.queuedCount, 0, 'the queue is released');
    await assert.rejects(queue.write(response(1)), /not open/);
  });

  it('forgives a backlog that drains before the timeout', async () => {
    await congest();
    await queue.write(chunk('s', 'x'.repeat(12_000)));
    socket.drain(); // the queued chunk goes out, nothing is pending
    socket.drain();
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(slow, []);
  });

  it('closes at once over the maximum backlog', async () => {
    await congest();
    await queue.write(chunk('s', 'x'.repeat(60_000)));
    assert.equal(slow.length, 1);
    assert.match(slow[0], /over the .* maximum/);
  });

  it('rejects a message that cannot be serialised instead of throwing', async () => {
    await assert.rejects(queue.write({ jsonrpc: '2.0', id: 1, result: { n: 1n } } as unknown as Message), /BigInt/);
    await congest();
    await assert.rejects(queue.write({ jsonrpc: '2.0', id: 1, result: { n: 1n } } as unknown as Message), /BigInt/);
  });

  it('drains by itself when nothing is in flight to call it back', async () => {
    socket.bufferedAmount = 5000; // e.g. a control frame the queue did not send: no callback will come
    await queue.write(response(1));
    assert.equal(socket.sent.length, 0);
    socket.bufferedAmount = 0;
    await queue.write(response(2));
    assert.deepEqual(texts(socket.sent), ['#1', '#2']);
  });
});
