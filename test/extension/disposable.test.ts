import assert from 'node:assert/strict';
import { Disposable } from '../../src/extension/disposable';

class Owner extends Disposable {
  own<T extends { dispose(): unknown }>(value: T): T {
    return this.register(value);
  }
}

describe('Disposable (the one disposables pattern)', () => {
  it('disposes what it owns once, newest first', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own({ dispose: () => order.push('first') });
    owner.own({ dispose: () => order.push('second') });
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
  });

  it('disposes at once what is registered after dispose', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.own({ dispose: () => (disposed = true) });
    assert.equal(disposed, true);
  });

  it('disposes the rest when one throws, then reports the failure', () => {
    const owner = new Owner();
    let disposed = 0;
    owner.own({ dispose: () => disposed++ });
    owner.own({
      dispose: () => {
        throw new Error('boom');
      },
    });
    owner.own({ dispose: () => disposed++ });
    assert.throws(() => owner.dispose(), /boom/);
    assert.equal(disposed, 2);
  });
});
