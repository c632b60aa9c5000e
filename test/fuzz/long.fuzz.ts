import { fuzzBothEndpoints } from './run';

/** `npm run fuzz`: PUNIE_FUZZ_FRAMES frames per endpoint (default 12,000) for each of PUNIE_FUZZ_SEEDS seeds. */
describe('fuzzed input (long run)', () => {
  const frames = Number(process.env.PUNIE_FUZZ_FRAMES ?? 12_000);
  const seeds = (process.env.PUNIE_FUZZ_SEEDS ?? '1,2,3').split(',').map(Number);
  for (const seed of seeds) {
    it(`seed ${seed}: ${frames} frames on /ws and on /acp`, async function () {
      this.timeout(600_000);
      await fuzzBothEndpoints({ frames, seed, burst: 250 }, true);
    });
  }
});
