/**
 * `npm run bench [name…]`: runs each benchmark module in turn (all of them without names). To add one,
 * export `run(): Promise<void>` from a module that prints its own results, and list it below. A module that
 * misses its target sets `process.exitCode`.
 */
import { run as resume } from './resume';

const benches: Record<string, () => Promise<void>> = { resume };

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((n) => !(n in benches));
  if (unknown.length) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  for (const [name, run] of Object.entries(benches)) {
    if (names.length && !names.includes(name)) continue;
    console.log(`\n== ${name}`);
    const started = performance.now();
    await run();
    console.log(`(${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
