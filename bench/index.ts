/**
 * `npm run bench`: runs every `bench/*.bench.ts` module in turn (or those named on the command line).
 * Each module exports `run()`, which prints its own figures or returns them as `BenchResult`s to print,
 * always beside a same-run baseline. A module that misses its target sets `process.exitCode`.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printResults, type BenchResult } from './report';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  console.log(`# Punie benchmarks — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  for (const file of files) {
    console.log(`\n## ${file.replace('.bench.ts', '')}`);
    const mod = (await import(path.join(__dirname, file))) as { run(): Promise<BenchResult[] | void> };
    const results = await mod.run();
    if (results) printResults(file.replace('.bench.ts', ''), results);
  }
}

main().then(
  () => process.exit(), // a module that misses its target sets process.exitCode
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
