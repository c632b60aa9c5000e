import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ConnectionBoundary, endOwnerOf } from '../../src/server/boundary';

function boundary() {
  const errors: string[] = [];
  let ended = 0;
  const logger = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) };
  return { b: new ConnectionBoundary('client-7', logger, () => ended++), errors, ended: () => ended };
}

describe('ConnectionBoundary', () => {
  it('turns a listener that throws into the end of that connection, logged with its stack, once', () => {
    const { b, errors, ended } = boundary();
    const socket = new EventEmitter();
    b.guard(socket);
    const seen: string[] = [];
    socket.on('message', (m: string) => {
      if (m === 'bad') throw new TypeError('a bug');
      seen.push(m);
    });
    assert.doesNotThrow(() => socket.emit('message', 'bad'));
    socket.emit('message', 'bad');
    socket.emit('message', 'good');
    assert.deepEqual(seen, ['good']);
    assert.equal(ended(), 1);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^client-7: unexpected failure; closing this connection only: TypeError: a bug\n\s+at /);
  });

  it('traces a later failure of work started inside it back to its connection', async () => {
    const { b, errors, ended } = boundary();
    const socket = new EventEmitter();
    b.guard(socket);
    const owner = new Promise<boolean>((resolve) => socket.on('message', () => setTimeout(() => resolve(endOwnerOf(new Error('late'))), 1)));
    socket.emit('message');
    assert.equal(await owner, true);
    assert.equal(ended(), 1);
    assert.match(errors[0], /late/);
    assert.equal(endOwnerOf(new Error('elsewhere')), false, 'work outside any connection has no owner');
  });
});
