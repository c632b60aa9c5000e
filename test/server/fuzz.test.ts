import { fuzzBothEndpoints } from '../fuzz/run';

// The short run; `npm run fuzz` runs test/fuzz/long.fuzz.ts with many more frames.
describe('fuzzed input (short run)', () => {
  it('answers 1,500 bad frames per endpoint with the right codes, and the same connection still prompts', async function () {
    this.timeout(30_000);
    await fuzzBothEndpoints({ frames: 1500, seed: 0x5eed, burst: 150 });
  });
});
