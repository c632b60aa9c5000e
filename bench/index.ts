/**
 * `npm run bench`: runs every `bench/*.bench.ts` module in turn (or those whose names contain an argument).
 * Each module exports `run()`, which measures several rounds and returns its figures; this prints them with
 * min / median / max and the verdict of the median against its target, and exits non-zero on any MISS.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printFigures, type Figure } from './report';

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  console.log(`# Punie benchmarks — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const missed: string[] = [];
  for (const file of files) {
    const name = file.replace('.bench.ts', '');
    console.log(`\n## ${name}`);
    const mod = (await import(path.join(__dirname, file))) as { run(): Promise<Figure[]> };
    if (!printFigures(await mod.run())) missed.push(name);
  }
  console.log(missed.length ? `\nMISSED targets in: ${missed.join(', ')}` : '\nall targets met');
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
