import assert from 'node:assert/strict';
import { SingleFlight } from '../../src/util/singleFlight';

describe('SingleFlight', () => {
  it('shares the attempt in progress and starts a fresh one after it settled', async () => {
    const flight = new SingleFlight<number>();
    let starts = 0;
    const start = async () => ++starts;
    const [a, b] = await Promise.all([flight.run(start), flight.run(start)]);
    assert.deepEqual([a, b, starts], [1, 1, 1]);
    assert.equal(flight.pending, undefined);
    assert.equal(await flight.run(start), 2);
  });

  it('starts afresh after a failed attempt', async () => {
    const flight = new SingleFlight<string>();
    await assert.rejects(flight.run(() => Promise.reject(new Error('no'))), /no/);
    assert.equal(await flight.run(async () => 'yes'), 'yes');
  });

  it('take hands over the attempt in progress: later callers do not join it', async () => {
    const flight = new SingleFlight<string>();
    let release!: (v: string) => void;
    const first = flight.run(() => new Promise<string>((r) => (release = r)));
    const taken = flight.take();
    assert.equal(taken, first);
    const second = flight.run(async () => 'second');
    assert.notEqual(second, first);
    release('first');
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
    assert.equal(flight.pending, undefined, 'nothing is in progress once both settled');
  });
});
