import assert from 'node:assert/strict';
import { Emitter } from '../../src/client/events';
import { createLogger } from '../../src/util/logger';

describe('client events', () => {
  it('calls listeners in order, logs a throwing one without stopping the rest, and stops after dispose', () => {
    const lines: string[] = [];
    const emitter = new Emitter<number>('state', createLogger('debug', (line) => lines.push(line)));
    const seen: string[] = [];
    const first = emitter.event((n) => seen.push(`a${n}`));
    emitter.event(() => {
      throw new Error('boom');
    });
    emitter.event((n) => seen.push(`c${n}`));
    emitter.fire(1);
    first.dispose();
    emitter.fire(2);
    assert.deepEqual(seen, ['a1', 'c1', 'c2']);
    assert.equal(lines.filter((line) => line.includes('a state listener failed: boom')).length, 2);
  });
});
