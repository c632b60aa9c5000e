import assert from 'node:assert/strict';
import { peekEnvelope } from '../../src/transport/peek';

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
