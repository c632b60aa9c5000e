/**
 * `npm run bench`: runs each benchmark module in turn and prints every figure next to its same-run
 * baseline. `npm run bench -- <name>…` runs only the named modules. Add a module to MODULES.
 */
import os from 'node:os';
import * as connections from './connections';
import * as fairness from './fairness';
import { printResults, type BenchResult } from './report';
import * as slowConsumer from './slowConsumer';

const MODULES: Record<string, { run(): Promise<BenchResult[]> }> = { connections, fairness, slowConsumer };

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in MODULES));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`Punie benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}\n`);
  for (const [name, module] of Object.entries(MODULES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    printResults(name, await module.run());
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
