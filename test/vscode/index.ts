/**
 * The entry point VS Code loads as `extensionTestsPath` (code-server runner and @vscode/test-electron alike):
 * runs the mocha suites under ./suite inside the real extension host and rejects when any test fails.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const dir = path.join(__dirname, 'suite');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, file));
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  console.log(`[test] suite finished in ${((Date.now() - started) / 1000).toFixed(1)} s with ${failures} failure(s)`);
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
